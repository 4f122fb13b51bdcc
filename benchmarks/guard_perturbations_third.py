"""A third set of edits for the grounding guard, written on 2026-11-29 before the guard's
fixes for the second set's misses, and frozen before its first run (the commit that adds
this file precedes both the fixes and its result). Same author as the first two sets, so
not independent of the person fixing the guard; its independence is in the data and the
phrasings: it runs on radlabels' 1,000 synthetic MIMIC-style reports (MIT; the guard was
never run on them), whose sentences are longer and more hedged than IU's, and its edits use
forms neither earlier set wrote: absence phrased without a negation word ("has cleared"),
claims phrased as "has developed" or "is now evident", compound qualifiers
("moderate-to-large", "small-to-moderate"), MIMIC hedges ("presumably", "conceivably",
"compatible with", "question of"), and left/right swaps (every mention in the sentence)
inside long sentences.
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
    "side_swapped",
    "finding_invented",
)
FAITHFUL = ("reordered", "subset", "paraphrased")

QUALIFIER = (
    r"(?:mild-to-moderate|moderate-to-large|moderate-to-severe|small-to-moderate|"
    r"moderate-sized|large-sized|small-sized|minimally|mildly|slightly|severely|markedly|"
    r"extensive|trace|moderate|small|large|mild|severe|minimal|tiny)"
)
CHANGE = {
    "mild-to-moderate": "severe", "moderate-to-large": "small", "moderate-to-severe": "mild",
    "small-to-moderate": "large", "moderate-sized": "small", "large-sized": "small",
    "small-sized": "large", "minimally": "severely", "mildly": "severely",
    "slightly": "markedly", "severely": "mildly", "markedly": "slightly", "extensive": "minimal",
    "trace": "large", "moderate": "small", "small": "moderate-sized", "large": "small",
    "mild": "severe", "severe": "mild", "minimal": "extensive", "tiny": "large",
}  # fmt: skip
HEDGES = [
    (r"\b(?:presumably|conceivably|probably|possibly)\s+", ""),
    (r"\b(?:likely|probable|possible|questionable)\s+", ""),
    (r"\bmay (?:reflect|represent|be due to|be)\b", "is"),
    (r"\b(?:could|might) (?:reflect|represent|be)\b", "is"),
    (r"\b(?:concerning|suspicious|worrisome) for\b", "diagnostic of"),
    (r"\b(?:suggestive of|compatible with|consistent with)\b", "confirming"),
    (r"\bquestion of\b", "definite"),
    (r"\b(?:cannot be|can not be|is not) (?:excluded|ruled out)\b", "is present"),
]
INVENTED = {
    "pneumothorax": "A small left apical pneumothorax has developed.",
    "pleural_effusion": "There is a new moderate right pleural effusion.",
    "pneumonia": "Dense consolidation in the right middle lobe is compatible with pneumonia.",
    "nodule": "A 9 mm nodule is newly seen in the left upper lobe.",
    "fracture": "There is an acute displaced fracture of the right clavicle.",
    "cardiomegaly": "The heart is markedly enlarged.",
    "edema": "Diffuse alveolar edema is now evident.",
    "atelectasis": "There is complete collapse of the left lower lobe.",
}
PARAPHRASES = [
    (r"\bThere is no evidence of\b", "There is no"),
    (r"\bNo evidence of\b", "No"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bis again seen\b", "is still seen"),
    (r"\bare again seen\b", "are still seen"),
    (r"\bunchanged\b", "stable"),
    (r"\bcardiac silhouette\b", "heart"),
]
_NEGATION = [
    (r"^no (?:evidence of |definite |focal )?(?P<x>[^,.;]+?)\.?$", "{X} is now evident."),
    (r"^there (?:is|are) no (?:evidence of )?(?P<x>[^,.;]+?)\.?$", "{X} has developed."),
    (
        r"^(?P<x>[^,.;]+?) (?:is|are) not (?:seen|identified|visualized|present)\.?$",
        "{X} is identified.",
    ),
    (r"^negative for (?P<x>[^,.;]+?)\.?$", "Positive for {x}."),
]
_ABSENCE = [
    (r"^there (?:is|are) (?P<x>[^,.;]+?)\.?$", "{X} has cleared."),
    (r"^(?P<x>[^,.;]+?) (?:is|are) (?:present|seen|noted|again seen)\.?$", "{X} has cleared."),
    (r"^(?P<x>[^,.;]+?) (?:is|are) (?P<adj>enlarged|widened|elevated)\.?$", "{X} is not {adj}."),
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _low(s: str) -> str:
    return s[:1].lower() + s[1:]


def _edit(sent: str, kind: str, report: str, extractor: RuleExtractor) -> str | None:
    findings = [f for f in extractor.extract(sent) if f.finding != "other_abnormality"]
    present = [f for f in findings if f.presence == "present"]
    text = sent.strip()
    if kind == "negation_removed":
        for pattern, form in _NEGATION:
            m = re.match(pattern, text, flags=re.I)
            if m and len(m.group("x").split()) <= 8:
                x = re.sub(r"\s+(?:is|are) (?:seen|present|identified|noted)$", "", m.group("x"))
                x = x.strip()
                return form.format(x=_low(x), X=_cap(x))
        m = re.search(r"\bwithout (?:evidence of )?", text, flags=re.I)
        if m and findings:
            return text[: m.start()] + "with " + text[m.end() :]
        return None
    if kind == "negation_added" and present:
        for pattern, form in _ABSENCE:
            m = re.match(pattern, text, flags=re.I)
            if m and len(m.group("x").split()) <= 8:
                x = m.group("x").strip()
                adj = m.groupdict().get("adj") or ""
                return form.format(x=_low(x), X=_cap(x), adj=adj)
        return None
    if kind in ("severity_dropped", "severity_changed") and present:
        m = re.search(rf"\b({QUALIFIER})\b[ ](?=[a-z])", text, flags=re.I)
        return qualifier_edit(text, m, kind, CHANGE) if m else None
    if kind == "certainty_dropped" and findings:
        return hedge_dropped(text, HEDGES)
    if kind == "side_swapped" and present and len(text.split()) >= 8:
        low = report.lower()
        sides = set(re.findall(r"\b(left|right)\b", text.lower()))
        if len(sides) != 1:
            return None
        side = sides.pop()
        other = "right" if side == "left" else "left"
        if re.search(rf"\b{other}\b", low) or "bilateral" in low:
            return None
        return re.sub(
            rf"\b{side}\b",
            lambda m: other if m.group(0).islower() else _cap(other),
            text,
            flags=re.I,
        )
    return None


def perturb(
    report: str, kind: str, rng: random.Random, extractor: RuleExtractor
) -> tuple[str, str] | None:
    return apply_edit(report, kind, rng, extractor, _edit, INVENTED)


def faithful(report: str, kind: str, rng: random.Random) -> str | None:
    sents = split(report)
    if kind == "reordered":
        return reordered(sents, rng, 3)
    if kind == "subset":
        if len(sents) < 3:
            return None
        keep = sorted(rng.sample(range(len(sents)), k=len(sents) - rng.randint(1, 2)))
        return " ".join(sents[i] for i in keep)
    out = report
    for pattern, repl in PARAPHRASES:
        out = re.sub(pattern, repl, out)
    return out if out != report else None


def reports() -> list[str]:
    """radlabels' reports from their first section heading on, whitespace joined; placeholder
    lines (``___``) kept as they are."""
    from radgen.privacy.phi_synth import radlabels_reports

    out = []
    for r in radlabels_reports():
        m = re.search(r"\b(?:FINDINGS|IMPRESSION)\s*:", r)
        body = r[m.end() :] if m else r
        body = re.sub(r"\b(?:FINDINGS|IMPRESSION)\s*:", " ", body)
        body = " ".join(re.sub(r"(?m)^\s*\d+\.\s+", " ", body).split())
        if len(split(body)) >= 3:
            out.append(body)
    return out
