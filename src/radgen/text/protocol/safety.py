"""The safety check every protocol answer passes, whoever produced it (the rules, the model,
a user's protocol file): refused answers say why."""

from __future__ import annotations

import re

from radgen.text.protocol.guidance import Entry, ExamSpec, _norm
from radgen.text.protocol.request import Facts


def _conditions(facts: Facts, entry: Entry | None, request: str) -> set[str]:
    conditions = set(facts.conditions)
    if entry is not None:
        conditions |= entry.flag_conditions(request, facts.age_years)
    return conditions


def safety_violations(
    exam: ExamSpec, facts: Facts, entry: Entry | None, request: str = ""
) -> list[str]:
    """Reasons ``exam`` must not be recommended for this patient under this guidance:
    ionising imaging for a pregnant patient or a child when the guidance names a
    non-ionising test that applies; contrast against a stated contraindication; an exam the
    cited passage does not name."""
    problems: list[str] = []
    conditions = _conditions(facts, entry, request)
    vulnerable = [c for c in ("pregnant", "child") if c in conditions]
    if exam.ionising and vulnerable and entry is not None:
        safer = [
            o.exam
            for o in entry.options
            if o.exam is not None and not o.exam.ionising and o.applies(conditions)
        ]
        if safer:
            problems.append(
                f"{exam.modality} uses ionising radiation and the patient is"
                f" {' and '.join(vulnerable).replace('child', 'a child')}; the guidance names"
                f" {safer[0].name} first"
            )
    if exam.contrast == "iodinated" and "iodinated_contraindicated" in conditions:
        why = facts.evidence.get("iodinated_contraindicated", "")
        problems.append(f"iodinated contrast is contraindicated ({why})")
    if exam.contrast == "gadolinium" and "gadolinium_contraindicated" in conditions:
        problems.append("gadolinium is contraindicated (stated allergy)")
    if exam.contrast == "gadolinium" and "pregnant" in conditions:
        problems.append("gadolinium is avoided in pregnancy unless essential")
    if exam.modality == "MRI" and "mri_contraindicated" in conditions:
        problems.append(f"MRI is contraindicated ({facts.evidence.get('mri_contraindicated')})")
    if entry is None:
        problems.append("no guidance passage supports this examination")
    elif not grounded(exam, entry):
        problems.append(f"the cited passage ({entry.title}) does not name {exam.name}")
    return problems


MODALITY_WORDS = {
    "CT": r"\bCT\b|computed tomography",
    "MRI": r"\bMRI?\b|\bMRCP\b|magnetic resonance",
    "X-ray": r"x-rays?|radiograph",
    "ultrasound": r"ultrasound|sonograph|doppler|echocardiograph",
    "nuclear medicine": r"nuclear medicine|\bV/Q\b|scintigraph|\bPET\b|HIDA",
    "fluoroscopy": r"fluoroscop|contrast study|enema",
    "mammography": r"mammograph",
}


def grounded(exam: ExamSpec, entry: Entry) -> bool:
    """The exam is named in the passage: its cite phrase, or (for answers that did not come
    from the guidance file) its modality and a word of its region."""
    passage = _norm(entry.passage)
    if exam.cite and _norm(exam.cite) in passage:
        return True
    if not re.search(MODALITY_WORDS[exam.modality], entry.passage, re.I):
        return False
    words = [w for w in re.findall(r"[a-z]{4,}", exam.region.lower()) if w not in {"with", "and"}]
    return any(w in passage for w in words)
