"""PHI-free structured report templates written by the local 1.5B model: a development set for
the de-identifier's over-redaction on structured text (#13).

The bundled 61 structured-report templates are the held-out clean-text check of
``bench_deid`` (21% of them had something redacted in its last run; they were never examined).
Tuning on them would spend them, so this script writes a second set in the same shape
("Label: value" lines under a title) whose false positives may be read and fixed. The exam
list is radgen's author's; the wording, the fields and the normal findings are the model's.

    .venv/bin/python benchmarks/write_clean_templates.py   # about 10 min on 2 cores
    .venv/bin/python benchmarks/write_clean_templates.py --shape json   # about 15 min

``--shape json`` (added 2026-12-02) asks for each template as one JSON object with snake_case
keys, for 40 other exams, and flattens it the way ``bench_deid`` flattens the bundled
templates ("key with spaces: value" lines, nested objects one level per line), into
``data/clean_templates_written_json.jsonl``. The markdown set's fixes left the held-out
templates' rate at 19.7%; this set is in their shape without being them.

Writes ``data/clean_templates_written.jsonl`` (one ``{"exam", "text"}`` row per template) and a
meta file with the prompt. Templates the model filled with invented patient details are kept
and listed in ``data/clean_templates_written_phi.json`` after a reading by hand: their PHI is
not a false positive.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

from common import ROOT, flatten_template
from radgen.text.llm.base import message
from radgen.text.llm.llamacpp import LlamaCppBackend

WRITER = "qwen2.5-coder-1.5b"
EXAMS = (
    "CT abdomen and pelvis with contrast", "CT pulmonary angiogram", "CT head without contrast",
    "CT cervical spine", "CT urogram", "CT colonography", "CT coronary angiography",
    "CT sinuses", "CT temporal bones", "low-dose CT lung screening", "MRI lumbar spine",
    "MRI brain with gadolinium", "MRI knee", "MRI shoulder", "MRI prostate (PI-RADS)",
    "MRI liver (LI-RADS)", "MRI pelvis for rectal cancer staging", "MRI pituitary",
    "MRI breast", "cardiac MRI", "ultrasound abdomen", "ultrasound thyroid (TI-RADS)",
    "ultrasound scrotum", "ultrasound carotid Doppler", "lower limb venous duplex",
    "obstetric ultrasound at 20 weeks", "renal ultrasound", "pelvic ultrasound",
    "chest X-ray", "abdominal X-ray", "hand X-ray for bone age", "skeletal survey",
    "screening mammogram (BI-RADS)", "DEXA bone densitometry", "PET-CT for lymphoma staging",
    "bone scintigraphy", "ventilation perfusion scan", "barium swallow", "echocardiogram",
    "interventional procedure: image-guided liver biopsy",
)  # fmt: skip
PROMPT = (
    "Write a blank structured radiology report template for: {exam}. Start with the title on"
    " its own line, then one 'Label: value' line per field, grouped under a few section"
    " headings, with the usual normal findings, measurement fields and classification"
    " systems as the values. Use no patient details at all: no names, dates, identifiers,"
    " places or institutions. Answer with the template only."
)


JSON_EXAMS = (
    "CT chest high resolution for interstitial lung disease", "CT aortic angiogram",
    "CT perfusion brain for stroke", "CT pancreas protocol", "CT adrenal protocol",
    "CT enterography", "CT facial bones", "CT orbits", "CT knee after trauma",
    "CT-guided lung biopsy", "MRI cervical spine", "MRI thoracic spine", "MRI internal"
    " auditory meatus", "MRI hip", "MRI ankle", "MRI wrist", "MRI small bowel enterography",
    "MRCP", "MRI fetal brain", "MRI cardiac stress perfusion", "MR angiography of the circle"
    " of Willis", "MRI sacroiliac joints", "ultrasound neck lymph nodes", "ultrasound liver"
    " elastography", "transvaginal ultrasound", "ultrasound hip in infants",
    "ultrasound renal transplant Doppler", "ultrasound appendix in a child",
    "breast ultrasound (BI-RADS)", "ultrasound shoulder", "knee X-ray", "lumbar spine X-ray",
    "pelvis X-ray", "chest X-ray in a neonate", "fluoroscopic voiding cystourethrogram",
    "diagnostic mammogram", "thyroid scintigraphy", "myocardial perfusion scintigraphy",
    "FDG PET-CT for lung cancer", "DMSA renal scan",
)  # fmt: skip
JSON_PROMPT = (
    "Write a blank structured radiology report template for: {exam}, as one JSON object. Use"
    " snake_case keys for the sections and the fields, a nested object for each section, and"
    " as values the usual normal findings, measurement fields and classification systems. Use"
    " no patient details at all: no names, dates, identifiers, places or institutions."
)


def close_truncated(text: str) -> object:
    """Parse a JSON object the token limit may have cut short: keep every complete member and
    close the brackets that were open after it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    stack, cuts, in_str, escaped = [], [], False, False
    for i, ch in enumerate(text):
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
        elif ch == ",":
            cuts.append((i, "".join(reversed(stack))))
    for end, closers in reversed(cuts):
        try:
            return json.loads(text[:end] + closers)
        except json.JSONDecodeError:
            continue
    raise ValueError("no JSON object could be recovered")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="markdown", choices=("markdown", "json"))
    shape = parser.parse_args().shape
    exams, prompt = (EXAMS, PROMPT) if shape == "markdown" else (JSON_EXAMS, JSON_PROMPT)
    suffix = "" if shape == "markdown" else "_json"
    out_path = ROOT / "data" / f"clean_templates_written{suffix}.jsonl"
    backend = LlamaCppBackend(WRITER, threads=2)
    rows, t0 = [], time.perf_counter()
    for i, exam in enumerate(exams):
        msgs = [message("user", prompt.format(exam=exam))]
        if shape == "markdown":
            text = backend.chat(msgs, max_tokens=200).strip().strip("`").strip()
        else:
            raw = backend.chat(msgs, max_tokens=320, json_schema={"type": "object"})
            text = flatten_template(exam.replace(" ", "_"), close_truncated(raw))
        rows.append({"exam": exam, "text": text})
        print(f"{i + 1}/{len(exams)} {time.perf_counter() - t0:.0f}s", flush=True)
    out_path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {
        "writer": WRITER,
        "prompt": prompt,
        "decoding": "greedy" + ("" if shape == "markdown" else ", JSON-object grammar, 320 tokens"),
        "exams_sha256": hashlib.sha256("\n".join(exams).encode()).hexdigest(),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
    }
    out_path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
