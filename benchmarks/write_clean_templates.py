"""PHI-free structured report templates written by the local 1.5B model: a development set for
the de-identifier's over-redaction on structured text (#13).

The bundled 61 structured-report templates are the held-out clean-text check of
``bench_deid`` (21% of them had something redacted in its last run; they were never examined).
Tuning on them would spend them, so this script writes a second set in the same shape
("Label: value" lines under a title) whose false positives may be read and fixed. The exam
list is radgen's author's; the wording, the fields and the normal findings are the model's.

    .venv/bin/python benchmarks/write_clean_templates.py   # about 10 min on 2 cores

Writes ``data/clean_templates_written.jsonl`` (one ``{"exam", "text"}`` row per template) and a
meta file with the prompt. Templates the model filled with invented patient details are kept
and listed in ``data/clean_templates_written_phi.json`` after a reading by hand: their PHI is
not a false positive.
"""

from __future__ import annotations

import hashlib
import json
import time

from common import ROOT
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


def main() -> None:
    out_path = ROOT / "data" / "clean_templates_written.jsonl"
    backend = LlamaCppBackend(WRITER, threads=2)
    rows, t0 = [], time.perf_counter()
    for i, exam in enumerate(EXAMS):
        text = backend.chat([message("user", PROMPT.format(exam=exam))], max_tokens=200)
        rows.append({"exam": exam, "text": text.strip().strip("`").strip()})
        print(f"{i + 1}/{len(EXAMS)} {time.perf_counter() - t0:.0f}s", flush=True)
    out_path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {
        "writer": WRITER,
        "prompt": PROMPT,
        "decoding": "greedy",
        "exams_sha256": hashlib.sha256("\n".join(EXAMS).encode()).hexdigest(),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
    }
    out_path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
