"""Labelled training documents for the PHI tagger from the development generators C and D.

The tagger was trained on one generator only (``radgen.privacy.phi_synth``). C and D were
written later, with other layouts, locales and name, date and ID formats; their misses were
read and fixed with rules, but the tagger never saw them. Here each writes its PHI around
radlabels' *training* half (MIT; the same PHI-free text ``phi_synth`` uses, never the IU
reports, whose licence forbids derivatives, nor radlabels' held-out half, the clean check),
with seeds other than the benchmark's, into ``data/phi_tagger_extra.jsonl``:
``{"text", "spans", "ignore"}`` per line, the format ``radgen deid train --extra`` reads.

B (held out) is not used. E and F (model-written) stay out of training: their gold covers
only each fact sheet's values, so a name the model invented would be taught as not PHI;
they are the check that the retrained tagger generalises beyond C and D's formats.

    .venv/bin/python benchmarks/export_tagger_extra.py
"""

from __future__ import annotations

import json
import re

from common import ROOT
from deid_generator_c import SourceC
from deid_generator_c import build as build_c
from deid_generator_d import SourceD
from deid_generator_d import build as build_d
from radgen.privacy.phi_synth import radlabels_reports

OUT = ROOT / "data" / "phi_tagger_extra.jsonl"
SECTION = re.compile(
    r"^\s*(INDICATION|HISTORY|CLINICAL HISTORY|REASON FOR EXAM|FINDINGS|IMPRESSION|CONCLUSION)"
    r"\s*:\s*",
    re.M,
)
KEYS = {"INDICATION": "indication", "HISTORY": "indication", "CLINICAL HISTORY": "indication",
        "REASON FOR EXAM": "indication", "FINDINGS": "findings", "IMPRESSION": "impression",
        "CONCLUSION": "impression"}  # fmt: skip
SEEDS = {"C": 107, "D": 111}  # the benchmark's are 7 and 11


def report_row(text: str) -> dict[str, str]:
    """A radlabels report as the generators' (indication, findings, impression) row; text
    outside those sections joins the findings."""
    text = re.sub(r"^\s*FINAL REPORT\s*", "", text)
    row = {"indication": "", "findings": "", "impression": ""}
    marks = list(SECTION.finditer(text))
    lead = text[: marks[0].start()] if marks else text
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        key = KEYS[m.group(1)]
        row[key] = f"{row[key]} {text[m.end() : end]}"
    row["findings"] = f"{lead} {row['findings']}"
    return {key: " ".join(value.split()) for key, value in row.items()}


def main() -> None:
    rows = [report_row(t) for t in radlabels_reports()[:500]]  # the training half only
    src_c, src_d = SourceC(SEEDS["C"]), SourceD(SEEDS["D"])
    lines, counts = [], {"C": 0, "D": 0}
    for name, src, build in (("C", src_c, build_c), ("D", src_d, build_d)):
        for row in rows:
            doc = build(row, src)
            spans = [list(g) for g in doc.gold if doc.text[g[0] : g[1]].strip()]
            lines.append(
                json.dumps(
                    {"source": name, "text": doc.text, "spans": spans,
                     "ignore": [list(i) for i in doc.ignore]},
                    ensure_ascii=False,
                )
            )  # fmt: skip
            counts[name] += 1
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines)} documents {counts}, {OUT.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
