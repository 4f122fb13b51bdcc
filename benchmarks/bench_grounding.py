"""Grounding guard on real IU chest X-ray reports: does it catch perturbed statements, and
does it leave faithful rewrites alone?

For each report (findings + impression, read from ../shared, never copied), the benchmark
builds faithful variants (sentence reordering, synonym substitution, summarisation by
keeping the finding sentences) and perturbed ones, one edited sentence each: negation flip,
an absent finding inserted, laterality swap, measurement change, severity change.
A perturbation counts as caught when its edited statement is flagged (unsupported or
contradicted); a faithful variant is falsely flagged when any statement is flagged.

    python benchmarks/bench_grounding.py [--n 300]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time

from benchmarks.common import write_result

from radgen.data import shared_data_dir
from radgen.text.extract import RuleExtractor
from radgen.text.extract.context import sentences
from radgen.text.grounding import GroundingGuard
from radgen.text.rag.embeddings import SentenceEmbedder

SYNONYMS = [
    (r"\bcardiomegaly\b", "an enlarged heart"),
    (r"\bpleural effusions?\b", "effusion"),
    (r"\bthe lungs are clear\.", "clear lungs are seen."),
    (r"\bheart size is normal\b", "the heart is normal in size"),
    (r"\bwithin normal limits\b", "normal"),
    (r"\bno evidence of\b", "no"),
    (r"\bopacity\b", "opacification"),
    (r"\bpneumothorax\b", "pneumothorax"),
    (r"\bthere is no\b", "no"),
    (r"\bdegenerative changes\b", "degenerative change"),
]
INSERTIONS = {
    "pneumothorax": "There is a right pneumothorax.",
    "pleural_effusion": "Large left pleural effusion.",
    "consolidation": "Right upper lobe consolidation.",
    "edema": "Moderate pulmonary edema.",
    "nodule": "There is a 12 mm nodule in the left upper lobe.",
    "fracture": "Acute fracture of the left seventh rib.",
}
SEVERITY_SWAP = {
    "mild": "severe",
    "mildly": "severely",
    "small": "large",
    "large": "small",
    "moderate": "mild",
    "severe": "mild",
    "minimal": "extensive",
    "marked": "mild",
}
TYPES = ("negation_flip", "absent_finding", "laterality_swap", "measurement_change",
         "severity_change")  # fmt: skip


def _reports() -> list[str]:
    path = shared_data_dir() / "iu_xray" / "reports_dev.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [" ".join(f"{r['findings']} {r['impression']}".split()) for r in rows]
    return [t for t in texts if len(sentences(t)) >= 2]


def _sents(text: str) -> list[str]:
    return [s.text.strip() for s in sentences(text)]


def faithful_variants(text: str, rng: random.Random, extractor: RuleExtractor) -> dict[str, str]:
    sents = _sents(text)
    shuffled = sents[:]
    rng.shuffle(shuffled)
    swapped = text
    for pattern, replacement in SYNONYMS:
        swapped = re.sub(pattern, replacement, swapped, flags=re.IGNORECASE)
    finding_sents = [s for s in sents if extractor.extract(s)] or sents[:1]
    return {"reorder": " ".join(shuffled), "synonyms": swapped, "summary": " ".join(finding_sents)}


def perturb(
    text: str, kind: str, rng: random.Random, extractor: RuleExtractor
) -> tuple[str, str] | None:
    """(perturbed text, the edited statement), or None when the report offers no target."""
    sents = _sents(text)
    order = list(range(len(sents)))
    rng.shuffle(order)
    if kind == "absent_finding":
        mentioned = {f.finding for f in extractor.extract(text)}
        options = [s for f, s in INSERTIONS.items() if f not in mentioned]
        if not options:
            return None
        new = rng.choice(options)
        at = rng.randrange(len(sents) + 1)
        return " ".join([*sents[:at], new, *sents[at:]]), new
    for i in order:
        s = sents[i]
        new = _edit(s, kind, extractor)
        if new and new != s:
            return " ".join([*sents[:i], new, *sents[i + 1 :]]), new
    return None


def _edit(s: str, kind: str, extractor: RuleExtractor) -> str | None:
    low = s.lower()
    findings = [f for f in extractor.extract(s) if f.finding != "other_abnormality"]
    if kind == "negation_flip" and findings:
        if findings[0].presence == "absent" and re.match(r"^(no|there is no|there are no)\b", low):
            return re.sub(r"^(no|there is no|there are no)\s+", "There is ", s, flags=re.I)
        if findings[0].presence == "present":
            return "No " + s[0].lower() + s[1:]
    if kind == "laterality_swap" and findings and re.search(r"\b(left|right)\b", low):
        return re.sub(
            r"\b(left|right)\b",
            lambda m: {"left": "right", "right": "left"}[m.group(1).lower()],
            s,
            flags=re.I,
        )
    if kind == "measurement_change":
        m = re.search(r"\b(\d+(?:\.\d+)?)\s*(mm|cm)\b", s)
        if m:
            value = float(m.group(1))
            changed = f"{value * 2:g}" if value < 10 else f"{value + 7:g}"
            return s[: m.start(1)] + changed + s[m.end(1) :]
    if kind == "severity_change" and findings:
        m = re.search(r"\b(" + "|".join(SEVERITY_SWAP) + r")\b", s, flags=re.I)
        if m:
            word = SEVERITY_SWAP[m.group(1).lower()]
            return (
                s[: m.start()]
                + (word.capitalize() if m.group(1)[0].isupper() else word)
                + s[m.end() :]
            )
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="reports per variant type")
    args = parser.parse_args()
    rng = random.Random(0)
    extractor = RuleExtractor()
    guard = GroundingGuard(SentenceEmbedder())
    reports = _reports()
    rng.shuffle(reports)
    caught = {k: [] for k in TYPES}
    false_flags: dict[str, list[bool]] = {"reorder": [], "synonyms": [], "summary": []}
    misses: dict[str, list[str]] = {k: [] for k in TYPES}
    flagged_faithful: list[str] = []
    t0 = time.monotonic()
    checks = 0
    for text in reports:
        if all(len(v) >= args.n for v in caught.values()) and all(
            len(v) >= args.n for v in false_flags.values()
        ):
            break
        for name, variant in faithful_variants(text, rng, extractor).items():
            if len(false_flags[name]) < args.n:
                report = guard.check(text, variant)
                checks += 1
                false_flags[name].append(bool(report.flagged))
                if report.flagged and len(flagged_faithful) < 10:
                    flagged_faithful.append(
                        f"{name}: {report.flagged[0].text} ({report.flagged[0].reasons})"
                    )
        for kind in TYPES:
            if len(caught[kind]) >= args.n:
                continue
            result = perturb(text, kind, rng, extractor)
            if result is None:
                continue
            perturbed, edited = result
            report = guard.check(text, perturbed)
            checks += 1
            hit = any(
                s.text == edited.strip() and s.verdict != "supported" for s in report.statements
            )
            caught[kind].append(hit)
            if not hit and len(misses[kind]) < 5:
                misses[kind].append(edited)
    seconds = time.monotonic() - t0
    recall = {k: round(sum(v) / len(v), 4) for k, v in caught.items() if v}
    flag_rates = {k: round(sum(v) / len(v), 4) for k, v in false_flags.items() if v}
    all_faithful = [x for v in false_flags.values() for x in v]
    write_result(
        "bench_grounding",
        {
            "min_recall_per_type": min(recall.values()),
            "false_flag_rate": round(sum(all_faithful) / len(all_faithful), 4),
            "recall_per_type": recall,
            "cases_per_type": {k: len(v) for k, v in caught.items()},
            "false_flag_rate_per_variant": flag_rates,
            "faithful_cases": len(all_faithful),
            "checks_per_second": round(checks / seconds, 1),
            "examples_missed": misses,
            "examples_falsely_flagged": flagged_faithful,
            "source": "IU chest X-ray reports_dev.csv (findings + impression), read from ../shared",
        },
    )


if __name__ == "__main__":
    main()
