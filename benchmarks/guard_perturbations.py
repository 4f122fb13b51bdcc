"""An independent set of edits for the grounding guard, written on 2026-11-29 after the guard's
last fixes and frozen before its first run (the commit that adds this file precedes the
first result). Its edits and phrasings differ from bench_grounding's, which the guard was
tuned against: negations removed from anywhere in a sentence and rephrased as claims,
negations added, severity qualifiers dropped or changed by a different table, certainty
hedges dropped, side swaps where the report names one side only, and invented findings
phrased afresh. Faithful variants: reordering, a subset of sentences, and light paraphrases.

Each function returns (variant text, edited statement) or None when the report offers no
target; faithful variants return the text only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from radgen.text.extract import RuleExtractor
from radgen.text.extract.context import sentences

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

SEVERITY_WORDS = (
    "mildly mild moderately moderate severely severe small large minimal minimally trace"
    " slight slightly marked markedly extensive tiny borderline"
).split()
SEVERITY_CHANGE = {
    "mild": "marked", "mildly": "markedly", "small": "moderate", "moderate": "severe",
    "moderately": "severely", "minimal": "large", "minimally": "markedly",
    "borderline": "severe", "slight": "marked", "slightly": "markedly", "trace": "large",
    "severe": "minimal", "severely": "minimally", "tiny": "large", "large": "tiny",
    "marked": "slight", "markedly": "slightly", "extensive": "minimal",
}  # fmt: skip
HEDGES = [
    (r"\b(?:which|that) (?:may|might|could) (?:represent|reflect)\b", "which represents"),
    (r"\b(?:may|might|could) be\b", "is"),
    (r"\b(?:may|might|could) (?:represent|reflect)\b", "represents"),
    (r"\bsuggestive of\b", "diagnostic of"),
    (r"\bsuspicious for\b", "diagnostic of"),
    (r"\bconcerning for\b", "diagnostic of"),
    (r"\b(?:most |more )?(?:likely|probably|possibly)\s+", ""),
    (r"\b(?:possible|probable|questionable|suspected)\s+", ""),
    (r"\bcannot be (?:excluded|ruled out)\b", "is present"),
]
INVENTED = {
    "pleural_effusion": "Interval development of a moderate right pleural effusion.",
    "pneumothorax": "A left apical pneumothorax has developed.",
    "consolidation": "Patchy consolidation is now seen in the right lower lobe.",
    "edema": "Findings are consistent with pulmonary edema.",
    "nodule": "A 9 mm nodule projects over the left mid lung.",
    "fracture": "Displaced fracture of the right sixth rib.",
    "cardiomegaly": "The cardiac silhouette is markedly enlarged.",
    "pneumonia": "Airspace findings are compatible with right lower lobe pneumonia.",
}
PARAPHRASES = [
    (r"^There (?:is|are) no ", "No "),
    (r"\bis unremarkable\b", "is normal"),
    (r"\bThe lungs are clear\b", "Clear lungs"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bHeart size is normal\b", "Normal heart size"),
    (r"\bpneumothorax or pleural effusion\b", "pleural effusion or pneumothorax"),
    (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary disease"),
]
_NO = r"^(?:there (?:is|are) )?no (?:evidence of |signs? of )?(?P<x>[^,.;]+?)\.?$"
_NOT_SEEN = r"^(?P<x>[^,.;]+?) (?:is|are) not (?:seen|identified|present|visualized)\.?$"
_NEGATED = [  # (pattern on the whole sentence, how the claim is rephrased)
    (_NO, "{X} {be} seen."),
    (_NOT_SEEN, "{X} {be} present."),
    (r"^(?P<pre>.+?)\bwithout (?P<x>[^,.;]+)", "{pre}with {x}"),
    (r"^(?P<pre>.*?)\bnegative for (?P<x>[^,.;]+)", "{pre}positive for {x}"),
    (r"^(?P<pre>.*?)\bfree of (?P<x>[^,.;]+)", "{pre}with {x}"),
]  # fmt: skip


def split(text: str) -> list[str]:
    return [s.text.strip() for s in sentences(text)]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def qualifier_edit(sent: str, m: re.Match[str], kind: str, change: dict[str, str]) -> str | None:
    """The qualifier ``m`` matched (group 1) dropped, or replaced by its ``change`` (None
    when the table has none). Shared by the frozen sets; their outputs are unchanged by it."""
    if kind == "severity_dropped":
        return _cap(re.sub(r"\s{2,}", " ", sent[: m.start()] + sent[m.end() :]).strip())
    word = change.get(m.group(1).lower())
    if word is None:
        return None
    word = word.capitalize() if m.group(1)[0].isupper() else word
    return sent[: m.start(1)] + word + sent[m.end(1) :]


def hedge_dropped(sent: str, hedges: list[tuple[str, str]]) -> str | None:
    """The first of ``hedges`` (pattern, replacement) found in ``sent``, replaced once."""
    for pattern, repl in hedges:
        if re.search(pattern, sent, flags=re.I):
            return _cap(re.sub(pattern, repl, sent, count=1, flags=re.I).strip())
    return None


def reordered(sents: list[str], rng: random.Random, min_sentences: int) -> str | None:
    """The sentences in another order (None for fewer than ``min_sentences``)."""
    if len(sents) < min_sentences:
        return None
    shuffled = sents[:]
    while shuffled == sents:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def _replace_one(sents: list[str], i: int, new: str) -> str:
    return " ".join([*sents[:i], new, *sents[i + 1 :]])


def _edit(sent: str, kind: str, report: str, extractor: RuleExtractor) -> str | None:
    low = sent.lower()
    findings = [f for f in extractor.extract(sent) if f.finding != "other_abnormality"]
    present = [f for f in findings if f.presence == "present"]
    if kind == "negation_removed":
        for pattern, form in _NEGATED:
            m = re.match(pattern, sent.strip(), flags=re.I)
            if m:
                x = m.group("x").strip()
                if len(x.split()) > 8:
                    return None
                be = "are" if x.lower().endswith("s") and not x.lower().endswith("sis") else "is"
                parts = {k: v for k, v in m.groupdict().items() if v is not None}
                out = form.format(**{**parts, "X": _cap(x), "be": be})
                rest = sent.strip()[m.end() :]
                return _cap(out + rest).rstrip(".") + "."
        return None
    if kind == "negation_added" and present:
        m = re.search(r"\b(is|are)\b", sent)
        if m and "not" not in low.split():
            return sent[: m.end()] + " not" + sent[m.end() :]
        return "No evidence of " + sent[0].lower() + sent[1:] if len(sent.split()) <= 6 else None
    if kind in ("severity_dropped", "severity_changed") and present:
        # a qualifier of a following word ("mildly enlarged", "small effusion"), never a
        # predicate ("the heart is large"), so that dropping it leaves a sentence
        m = re.search(r"\b(" + "|".join(SEVERITY_WORDS) + r")\b[- ]?(?=[a-z])", sent, flags=re.I)
        return qualifier_edit(sent, m, kind, SEVERITY_CHANGE) if m else None
    if kind == "certainty_dropped" and findings:
        return hedge_dropped(sent, HEDGES)
    if kind == "side_swapped" and present:
        sides = set(re.findall(r"\b(left|right)\b", report.lower()))
        if len(sides) == 1 and re.search(r"\b(left|right)\b", low):
            return re.sub(
                r"\b(left|right)\b",
                lambda m: (
                    {"left": "right", "right": "left"}[m.group(1).lower()]
                    if m.group(1).islower()
                    else {"left": "Right", "right": "Left"}[m.group(1).lower()]
                ),
                sent,
                flags=re.I,
            )
    return None


def apply_edit(
    report: str,
    kind: str,
    rng: random.Random,
    extractor: RuleExtractor,
    edit: Callable[[str, str, str, RuleExtractor], str | None],
    invented: dict[str, str],
) -> tuple[str, str] | None:
    """One perturbation of ``report`` with a set's ``edit`` and ``invented`` sentences: an
    invented finding inserted at a random place, else the first sentence (in random order)
    that ``edit`` changes. Shared by both frozen sets; their outputs are unchanged by it."""
    sents = split(report)
    if kind == "finding_invented":
        mentioned = {f.finding for f in extractor.extract(report)}
        options = [s for f, s in invented.items() if f not in mentioned]
        if not options:
            return None
        new = rng.choice(options)
        at = rng.randrange(len(sents) + 1)
        return " ".join([*sents[:at], new, *sents[at:]]), new
    order = list(range(len(sents)))
    rng.shuffle(order)
    for i in order:
        new = edit(sents[i], kind, report, extractor)
        if new and new.strip() != sents[i].strip():
            return _replace_one(sents, i, new), new
    return None


def perturb(
    report: str, kind: str, rng: random.Random, extractor: RuleExtractor
) -> tuple[str, str] | None:
    return apply_edit(report, kind, rng, extractor, _edit, INVENTED)


def faithful(report: str, kind: str, rng: random.Random) -> str | None:
    sents = split(report)
    if kind == "reordered":
        return reordered(sents, rng, 2)
    if kind == "subset":
        if len(sents) < 2:
            return None
        keep = sorted(rng.sample(range(len(sents)), rng.randrange(1, len(sents))))
        return " ".join(sents[i] for i in keep)
    out = report
    for pattern, repl in PARAPHRASES:
        out = (
            re.sub(pattern, repl, out, flags=re.I)
            if pattern[0] != "^"
            else " ".join(re.sub(pattern, repl, s, flags=re.I) for s in split(out))
        )
    return out if out != report else None
