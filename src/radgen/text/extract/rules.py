"""The deterministic finding extractor: lexicon mentions, negation/uncertainty, attributes.

It is the baseline every LLM extractor is compared with, and the evidence source of the
grounding guard: every finding carries the exact span of the report that supports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from radgen.errors import RadgenError
from radgen.text.extract.context import assertion, clauses
from radgen.text.extract.schema import Finding

LATERALITY = [
    ("bilateral", r"\b(?:bilateral\w*|both|bibasilar|bibasal|biapical)\b"),
    ("right", r"\bright\b"),
    ("left", r"\bleft\b|\blingul"),
]
LOCATIONS = [
    ("base", r"\b(?:bases?|basilar|basal|bibasilar|lower lungs?|retrocardiac)\b"),
    ("apex", r"\b(?:apex|apices|apical|biapical)\b"),
    ("upper lobe", r"\bupper (?:lobes?|lungs?|zones?)\b"),
    ("middle lobe", r"\b(?:middle lobe|midlung|mid lung)\b"),
    ("lower lobe", r"\blower lobes?\b"),
    ("lingula", r"\blingul\w*"),
    ("hilum", r"\b(?:hilum|hilar|hila|perihilar)\b"),
    ("aorta", r"\baort\w*"),
    ("thoracic spine", r"\b(?:thoracic spine|t-spine|thoracic vertebra\w*)\b"),
]
SEVERITY = [
    ("borderline", r"\b(?:borderline|top[- ]normal|upper limits? of normal|upper normal)\b"),
    ("minimal", r"\b(?:minimal|trace|tiny|minor)\b"),
    ("mild", r"\b(?:mild|mildly|slight|slightly|small)\b"),
    ("moderate", r"\b(?:moderate|moderately)\b"),
    ("severe", r"\b(?:severe|severely|marked|markedly|large|extensive|massive)\b"),
]
EXCLUDE_REACH = 30
ATTRIBUTE_REACH = 40  # characters around a mention searched for its attributes
SIZE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(mm|cm|millimeters?|centimeters?)\b")


@dataclass(frozen=True)
class FindingRule:
    name: str
    label: str
    include: re.Pattern[str]
    exclude: re.Pattern[str] | None


def _chexpert_phrases() -> dict[str, list[str]]:
    """radtext's CheXpert phrase lists (MIT), read from the installed package."""
    try:
        path = resources.files("radtext") / "resources" / "chexpert_phrases.yml"
        return {k: v.get("include", []) for k, v in yaml.safe_load(path.read_text()).items()}
    except (ModuleNotFoundError, FileNotFoundError):
        return {}


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[FindingRule, ...]:
    """Compile a lexicon (default: the bundled one, merged with radtext's CheXpert phrases)."""
    source = Path(path) if path else resources.files("radgen") / "text" / "extract" / "lexicon.yaml"
    try:
        spec = yaml.safe_load(source.read_text())
    except (OSError, yaml.YAMLError) as err:
        raise RadgenError(f"cannot read lexicon: {err}", Path(str(source))) from err
    chexpert = _chexpert_phrases()
    rules = []
    for name, f in spec["findings"].items():
        include = list(f["include"])
        include += [re.escape(p) for p in chexpert.get(f.get("chexpert", ""), [])]
        exclude = f.get("exclude") or []
        rules.append(
            FindingRule(
                name,
                f["label"],
                re.compile(rf"(?<![\w-])(?:{_alternation(include)})\w*"),
                re.compile(_alternation(exclude)) if exclude else None,
            )
        )
    return tuple(rules)


def _first(table: list[tuple[str, str]], text: str) -> str | None:
    return next((value for value, pattern in table if re.search(pattern, text)), None)


def _near(table: list[tuple[str, str]], text: str, start: int, end: int) -> str | None:
    """The attribute within the mention's phrase: a few words either side, not crossing a
    comma, "and" or "with" (so "mild cardiomegaly and left effusion" keeps them apart)."""
    left = re.split(r",|;|\band\b|\bwith\b", text[max(0, start - ATTRIBUTE_REACH) : start])[-1]
    right = re.split(r",|;|\band\b|\bwith\b", text[end : end + ATTRIBUTE_REACH])[0]
    return _first(table, f"{left} {text[start:end]} {right}")


def _overlaps(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """True when an exclusion phrase overlaps the mention or sits within ``EXCLUDE_REACH``
    characters of it: the mention then names a different finding."""
    lo, hi = start - EXCLUDE_REACH, end + EXCLUDE_REACH
    return any(x.start() < hi and lo < x.end() for x in pattern.finditer(text))


def _size_mm(text: str) -> float | None:
    m = SIZE.search(text)
    if not m:
        return None
    value = float(m.group(1))
    return value * 10 if m.group(2).startswith("c") else value


class RuleExtractor:
    """Findings of a report: one per (finding, clause) mention, with presence and attributes."""

    name = "rules"

    def __init__(self, lexicon: str | None = None) -> None:
        self.rules = load_rules(lexicon)

    def extract(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for clause in clauses(text):
            low = clause.text.lower()
            for rule in self.rules:
                for m in rule.include.finditer(low):
                    excluded = rule.exclude is not None and _overlaps(
                        rule.exclude, low, m.start(), m.end()
                    )
                    if excluded:
                        continue
                    findings.append(
                        Finding(
                            finding=rule.name,
                            label=rule.label,
                            presence=assertion(low, m.start(), m.end()),  # type: ignore[arg-type]
                            laterality=_near(LATERALITY, low, m.start(), m.end()),  # type: ignore[arg-type]
                            location=_near(LOCATIONS, low, m.start(), m.end()),
                            severity=_near(SEVERITY, low, m.start(), m.end()),
                            size_mm=_size_mm(low),
                            evidence=clause.text.strip(),
                            start=clause.start + m.start(),
                            end=clause.start + m.end(),
                        )
                    )
                    break  # one mention per finding per clause
        return findings


EXPLAINS = re.compile(
    r"\b(?:may|could|might|likely|probably|possibly)\s+(?:\w+\s+)?(?:represent|reflect|be due to|"
    r"be related to|be compatible with)|\bsuggestive of|\bfavou?red as|\bmost likely"
)


def report_labels(findings: list[Finding], uncertain_as_present: bool = True) -> set[str]:
    """Report-level labels: those with a present (or uncertain) mention, else ``normal``.

    An uncertain mention offered only as the explanation of another finding in the same
    clause ("opacities which may represent atelectasis") is a differential, not a label.
    """
    keep = {"present", "uncertain"} if uncertain_as_present else {"present"}
    by_clause: dict[str, set[str]] = {}
    for f in findings:
        by_clause.setdefault(f.evidence, set()).add(f.finding)
    labels = set()
    for f in findings:
        if f.presence not in keep:
            continue
        explained = f.presence == "uncertain" and len(by_clause[f.evidence]) > 1
        if explained and f.start is not None and EXPLAINS.search(f.evidence.lower()):
            continue
        labels.add(f.label)
    return labels or {"normal"}
