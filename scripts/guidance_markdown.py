"""Write the knowledge base's guidance notes (assets/kb/protocol_guidance.md) from the
structured guidance (assets/protocol/guidance.yaml), so retrieval and protocol advice cite
the same words."""

from __future__ import annotations

import textwrap
from pathlib import Path

from radgen.text.protocol.guidance import bundled_guidance

ROOT = Path(__file__).resolve().parents[1]
HEADER = """# Imaging protocol guidance notes

Written by the radgen project in its own words, as short reminders for choosing an examination.
They summarise widely published recommendations; the named sources are the ones to consult
(ACR Appropriateness Criteria, RCR iRefer, ESR iGuide, NICE guidelines, Fleischner Society).
They are not clinical advice: local protocols and the responsible radiologist decide.
Generated from assets/protocol/guidance.yaml (scripts/guidance_markdown.py).
"""
GENERAL = """
## Kidney function, contrast and allergy
Iodinated contrast for CT carries a small risk of contrast-associated kidney injury in patients with severely reduced kidney function (eGFR below 30 mL/min/1.73 m2):
weigh the benefit, consider a non-contrast or non-CT alternative, and hydrate. Gadolinium for MRI should use group II agents in severe kidney disease.
A previous severe reaction to iodinated contrast is a reason to choose a test without it or to premedicate according to local policy.
Sources: ACR Manual on Contrast Media; ESUR contrast media guidelines.

## Pregnancy
In pregnancy, prefer ultrasound and MRI without gadolinium. CT is used when it is needed for the mother's care; the fetal dose of a chest CT is low.
Gadolinium is avoided unless essential.
Sources: ACR–SPR practice parameter for imaging pregnant patients; RCR guidance.
"""


def main() -> None:
    parts = [HEADER]
    for e in bundled_guidance():
        passage = " ".join(e.passage.split())
        parts.append(f"\n## {e.title}\n{textwrap.fill(passage, 100)}\nSources: {e.sources}\n")
    parts.append(GENERAL)
    out = ROOT / "src" / "radgen" / "assets" / "kb" / "protocol_guidance.md"
    out.write_text("".join(parts), encoding="utf-8")
    print(out, len(bundled_guidance()), "entries")


if __name__ == "__main__":
    main()
