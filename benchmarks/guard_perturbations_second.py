"""A second set of edits for the grounding guard, written on 2026-11-29 after the guard was
made to flag dropped severity and certainty in close paraphrases, and frozen before its first
run (the commit that adds this file precedes its result). Written by the same author as the
first set, after seeing that set's misses: it is less independent than the first set, so
both numbers are reported. Its words and phrasings are new: qualifiers radiologists use that
the guard's lists may not name ("somewhat", "minor", "significant"), hedges such as
"presumed", "felt to represent", "favored", "equivocal", and claims phrased as "interval
appearance of". It runs on the IU reports with an even uid (the first set ran on odd ones).
"""

from __future__ import annotations

import random
import re

from guard_perturbations import apply_edit, hedge_dropped, qualifier_edit, reordered, split
from radgen.text.extract import RuleExtractor

PERTURBATIONS = (
    "negation_removed",
    "negation_added",
    "severity_dropped",
    "severity_changed",
    "certainty_dropped",
    "side_changed",
    "finding_invented",
)
FAITHFUL = ("reordered", "impression_only", "paraphrased")

QUALIFIERS = (
    "slightly somewhat minimally mildly moderately markedly significantly small large trace"
    " tiny mild moderate severe extensive subtle minor significant substantial"
).split()
CHANGE = {
    "mild": "moderate", "mildly": "moderately", "small": "large", "minimal": "moderate",
    "moderate": "mild", "moderately": "mildly", "large": "small", "severe": "moderate",
    "slight": "significant", "slightly": "significantly", "trace": "moderate",
    "tiny": "moderate", "marked": "mild", "markedly": "mildly", "extensive": "limited",
    "minor": "major", "subtle": "obvious",
}  # fmt: skip
HEDGES = [
    (r"\b(?:felt|thought|believed) to (?:represent|be)\b", "is"),
    (r"\bfavou?red to represent\b", "represents"),
    (r"\bmost consistent with\b", "diagnostic of"),
    (r"\b(?:presumed|presumably|apparent|apparently|equivocal|possibly|probably)\s+", ""),
    (r"\b(?:likely|possible|probable|questionable|suspected)\s+", ""),
    (r"\bmay (?:be|represent|reflect)\b", "is"),
    (r"\b(?:could|might) (?:be|represent|reflect)\b", "is"),
    (r"\b(?:suggestive|suspicious) (?:of|for)\b", "showing"),
    (r"\bcannot (?:be )?(?:excluded|exclude[d]?|ruled out)\b", "is present"),
]
INVENTED = {
    "pneumonia": "New left lower lobe infiltrate consistent with pneumonia.",
    "pleural_effusion": "Small bilateral pleural effusions have appeared.",
    "pneumothorax": "There is a right apical pneumothorax measuring 2 cm.",
    "edema": "An interstitial edema pattern is present.",
    "nodule": "Nodular opacity in the right upper lobe, 14 mm.",
    "fracture": "Healing fracture of the left eighth rib.",
    "atelectasis": "Plate-like atelectasis at the right base.",
    "cardiomegaly": "Cardiomegaly has increased since the prior exam.",
}
PARAPHRASES = [
    (r"\bThere is no evidence of\b", "There is no"),
    (r"\bThe lungs are clear\.", "Lungs clear."),
    (r"\bis normal in size\b", "is normal"),
    (r"\bare unremarkable\b", "are normal"),
    (r"\bNo pneumothorax or pleural effusion\b", "No pleural effusion or pneumothorax"),
    (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour"),
]
_NEGATION = [
    (r"^no (?:evidence of )?(?P<x>[^,.;]+?)\.?$", "Interval appearance of {x}."),
    (r"^there (?:is|are) no (?P<x>[^,.;]+?)\.?$", "Findings of {x}."),
    (r"^(?P<x>[^,.;]+?) (?:has|have) resolved\.?$", "{X} persists."),
    (r"^(?P<x>[^,.;]+?) (?:is|are) absent\.?$", "{X} is present."),
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _edit(sent: str, kind: str, report: str, extractor: RuleExtractor) -> str | None:
    findings = [f for f in extractor.extract(sent) if f.finding != "other_abnormality"]
    present = [f for f in findings if f.presence == "present"]
    text = sent.strip()
    if kind == "negation_removed":
        for pattern, form in _NEGATION:
            m = re.match(pattern, text, flags=re.I)
            if m and len(m.group("x").split()) <= 7:
                x = m.group("x").strip()
                return form.format(x=x[0].lower() + x[1:], X=_cap(x))
        return None
    if kind == "negation_added" and present:
        m = re.match(r"^there (is|are) ", text, flags=re.I)
        if m:
            return text[: m.end()] + "no " + text[m.end() :]
        if len(text.split()) <= 7:
            return "Resolved " + text[0].lower() + text[1:]
        return None
    if kind in ("severity_dropped", "severity_changed") and present:
        m = re.search(r"\b(" + "|".join(QUALIFIERS) + r")\b[ -](?=[a-z])", text, flags=re.I)
        return qualifier_edit(text, m, kind, CHANGE) if m else None
    if kind == "certainty_dropped" and findings:
        return hedge_dropped(text, HEDGES)
    if kind == "side_changed" and present:
        low = report.lower()
        if re.search(r"\bbilateral\b", text, flags=re.I) and not re.search(
            r"\b(left|right)\b", low
        ):
            return re.sub(r"\bbilateral\b", "left", text, count=1, flags=re.I)
        sides = set(re.findall(r"\b(left|right)\b", low))
        if len(sides) == 1 and "bilateral" not in low:
            side = sides.pop()
            return re.sub(rf"\b{side}\b", "bilateral", text, count=1, flags=re.I)
    return None


def perturb(
    report: str, kind: str, rng: random.Random, extractor: RuleExtractor
) -> tuple[str, str] | None:
    return apply_edit(report, kind, rng, extractor, _edit, INVENTED)


def faithful(report: str, impression: str, kind: str, rng: random.Random) -> str | None:
    sents = split(report)
    if kind == "reordered":
        return reordered(sents, rng, 3)
    if kind == "impression_only":
        return impression.strip() or None
    out = report
    for pattern, repl in PARAPHRASES:
        out = re.sub(pattern, repl, out)
    return out if out != report else None
