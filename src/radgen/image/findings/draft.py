"""A preliminary chest X-ray report drafted from the image-findings model, and only from it.

The XRAY_CHEST template is filled: the field the model assesses gets its call (present,
absent, or "indeterminate: needs radiologist review" between the two thresholds), every
other field says "not assessed by this model" and never "normal". The grounding guard
checks the draft against the findings as its source; a draft with a statement the findings
do not support is refused. A local model may word the impression, within the same check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from radgen.errors import RadgenError
from radgen.text.tasks.templates import load_templates

if TYPE_CHECKING:
    from radgen.text.llm.base import LLMBackend

NOT_ASSESSED = "Not assessed by this model."
INDETERMINATE = "Indeterminate: needs radiologist review."
PRELIMINARY = "PRELIMINARY, MACHINE-GENERATED DRAFT: to be read and signed by a radiologist."
STATEMENTS = {  # what each call says about the assessed finding
    "present": "Lung opacity consistent with pneumonia.",
    "absent": "No lung opacity to suggest pneumonia.",
}


@dataclass
class Draft:
    fields: dict[str, Any]
    text: str
    source: str
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    call: str = ""
    probability: float = 0.0


def findings_source(findings: dict[str, Any]) -> str:
    """The findings JSON as the sentences the guard checks the draft against."""
    lines = []
    for name, f in findings["findings"].items():
        label = name.replace("_", " ").lower()
        if f["call"] == "present":
            lines.append(STATEMENTS["present"])
        elif f["call"] == "absent":
            lines.append(STATEMENTS["absent"])
        else:
            lines.append(f"{label}: {INDETERMINATE}")
    return "\n".join(lines)


def draft_report(
    findings: dict[str, Any], embedder=None, phrase_with: LLMBackend | None = None
) -> Draft:
    """Fill the XRAY_CHEST template from ``findings``; check every statement; refuse a draft
    the findings do not support."""
    template = load_templates()["XRAY_CHEST"]
    ((name, f),) = findings["findings"].items()
    call = f["call"]
    statement = STATEMENTS.get(call, INDETERMINATE)
    field_values = {k: NOT_ASSESSED for k in template["FINDINGS"]}
    field_values[name] = statement
    impression = (
        statement
        if call != "indeterminate"
        else f"{name.replace('_', ' ').title()}: {INDETERMINATE}"
    )
    if phrase_with is not None and call != "indeterminate":
        impression = _phrase(impression, phrase_with)
    fields = {
        "INDICATION": "",
        "TECHNIQUE": "Single frontal chest radiograph (as given to the model).",
        "FINDINGS": field_values,
        "IMPRESSION": impression,
    }
    text = "\n".join(
        [
            PRELIMINARY,
            "FINDINGS:",
            *(f"- {k}: {v}" for k, v in field_values.items()),
            f"IMPRESSION: {impression}",
        ]
    )
    source = findings_source(findings)
    checked = [statement, impression] if call != "indeterminate" else []
    report = check_draft(checked, findings, embedder)
    if report.flagged and phrase_with is not None:  # the model's wording went too far
        return draft_report(findings, embedder, None)
    if report.flagged:
        raise RadgenError(
            "the draft says what the findings do not support: "
            + "; ".join(f"{s.text} ({s.verdict})" for s in report.flagged)
        )
    verdicts = [
        {"text": s.text, "verdict": s.verdict, "reasons": s.reasons} for s in report.statements
    ]
    return Draft(fields, text, source, verdicts, call, f["probability"])


def check_draft(statements: list[str], findings: dict[str, Any], embedder=None):
    """The grounding guard's verdict on draft statements, with the findings as the source."""
    from radgen.text.grounding import GroundingGuard
    from radgen.text.grounding.guard import GroundingReport

    if not statements:
        return GroundingReport([])
    return GroundingGuard(embedder).check(findings_source(findings), " ".join(statements))


def _phrase(impression: str, backend: LLMBackend) -> str:
    """A model's wording of the impression; kept only if it says the same finding."""
    from radgen.privacy.gate import trusted
    from radgen.text.llm.base import message

    out = backend.chat(
        [
            message(
                "system",
                trusted("Reword this chest X-ray impression in one sentence. Add nothing."),
            ),
            message("user", trusted(impression)),
        ],
        max_tokens=40,
    ).strip()
    return out or impression
