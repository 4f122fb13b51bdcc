"""The grounding guard: every generated statement checked against the source report.

Deterministic and fast (no LLM judges): each statement's findings are extracted with the
rule extractor (negation, uncertainty, laterality, severity, size) and compared with the
source's findings; numbers must appear in the source; statements that name no finding must
be close in meaning to a source sentence (sentence embeddings, when an embedder is given).

Verdicts, worst first: ``contradicted`` (the source says otherwise: negation flip, other
side, other severity or certainty, other measurement), ``unsupported`` (the source never
says it), ``supported``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from radgen.text.extract.context import sentences
from radgen.text.extract.rules import RuleExtractor
from radgen.text.extract.schema import Finding
from radgen.text.tasks.templates import NOT_MENTIONED

Verdict = Literal["supported", "unsupported", "contradicted"]
SEVERITY_RANK = {"minimal": 0, "borderline": 0, "mild": 1, "moderate": 2, "severe": 3}
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(mm|cm|%|millimeters?|centimeters?)?")
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "several": -1, "multiple": -1}
SIMILARITY_THRESHOLD = 0.55
CLOSE_PARAPHRASE = 0.75  # a statement this close to a source sentence must keep its modifiers
# Absence stated after the finding ("the effusion has resolved", "pneumothorax is absent").
ABSENCE_AFTER = r"resolved|absent|cleared|disappeared"
MODIFIERS = {
    "negation": re.compile(
        rf"\b(?:no|not|without|negative|free of|clear of|resolution|{ABSENCE_AFTER})\b"
    ),
    "side": re.compile(r"\b(?:left|right|bilateral\w*|both)\b"),
    "severity": re.compile(
        r"\b(?:mild\w*|moderate\w*|sever\w*|small|large|minimal\w*|extensive|marked\w*|trace|"
        r"slight\w*|massive|tiny|subtle|prominent|borderline|significant\w*|somewhat|minor|"
        r"substantial\w*)\b"
    ),
    "certainty": re.compile(
        r"\b(?:may|might|could|possibl[ey]|probabl[ey]|likely|question\w*|suspect\w*|"
        r"suspicious|suggest\w*|concerning for|cannot be (?:excluded|ruled out)|not excluded|"
        r"differential|versus|vs|presum\w*|apparent\w*|equivocal|favou?r\w*|"
        r"(?:felt|thought|believed) to|most consistent with)\b"
    ),
}
# Severity words by the level they state, so that "mildly" and "mild" agree.
SEVERITY_LEVEL = {
    "mild": "mild", "slight": "mild", "small": "mild",
    "minimal": "minimal", "trace": "minimal", "tiny": "minimal", "subtle": "minimal",
    "moderate": "moderate", "borderline": "borderline",
    "sever": "severe", "marked": "severe", "large": "severe", "extensive": "severe",
    "massive": "severe", "prominent": "prominent", "somewhat": "mild", "minor": "mild",
    "significant": "severe", "substantial": "severe",
}  # fmt: skip
IGNORED_FINDINGS = {"other_abnormality"}  # too broad to judge a statement by
# A global negative summary ("No acute cardiopulmonary disease.") names no finding: it is
# supported when the source states none of these acute findings as present or possible, and
# contradicted when it does. Chronic findings (granuloma, degeneration, scarring, a stable
# heart size) do not make it false, as radiologists write it.
ACUTE_FINDINGS = frozenset(
    {"airspace_disease", "consolidation", "edema", "pleural_effusion", "pneumonia", "pneumothorax"}
)
GLOBAL_NEGATIVE = re.compile(
    r"^\s*(?:there is )?(?:no|without|negative(?:\s+for)?)\s+(?:(?:radiographic|definite)\s+)?"
    r"(?:evidence\s+(?:of|for)\s+)?(?:(?:acute|active|significant)"
    r"(?:\s+or\s+(?:acute|active))?\s+)(?:(?:cardiopulmonary|cardiothoracic|intrathoracic|"
    r"thoracic|chest|pulmonary|lung|radiographic|cardiac)\s+){0,3}(?:disease|abnormalit\w*|process|"
    r"findings?|pathology)\.*\s*$|^\s*(?:normal|unremarkable|negative)\s+(?:chest|study|"
    r"examination|exam|radiographs?|x-?rays?|cxr)\.*\s*$",
    re.I,
)
# A numbered list's marker ("1.", "2)") is not a statement
LIST_MARKER = re.compile(r"^\s*\(?\d{1,2}[.)](?=\s|$)\s*")  # not "2.5 cm"


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass
class Statement:
    text: str
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    evidence: str = ""
    evidence_start: int | None = None
    evidence_end: int | None = None


@dataclass
class GroundingReport:
    statements: list[Statement]

    @property
    def flagged(self) -> list[Statement]:
        return [s for s in self.statements if s.verdict != "supported"]

    def to_dict(self) -> dict[str, Any]:
        counts = {v: sum(s.verdict == v for s in self.statements) for v in Verdict.__args__}  # type: ignore[attr-defined]
        return {"counts": counts, "statements": [asdict(s) for s in self.statements]}


def generated_text(output: str | dict[str, Any] | list[Any]) -> str:
    """Plain text of a generated output: strings as they are, JSON (a structured report)
    as its leaf values one per sentence, skipping empty and "Not mentioned." fields."""
    if isinstance(output, str):
        stripped = output.strip()
        if stripped[:1] in "{[":
            try:
                return generated_text(json.loads(stripped))
            except json.JSONDecodeError:
                return output
        return output
    values: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif node is not None and str(node).strip() and str(node).strip() != NOT_MENTIONED:
            text = str(node).strip()
            values.append(text if text.endswith((".", "!", "?")) else text + ".")

    walk(output)
    return " ".join(values)


def _numbers(text: str) -> set[float]:
    found = set()
    for value, unit in NUMBER.findall(text.lower()):
        v = float(value)
        found.add(v * 10 if unit.startswith("c") else v)
    for word, n in COUNT_WORDS.items():
        if n > 0 and re.search(rf"\b{word}\b", text.lower()):
            found.add(float(n))
    return found


def _severity(f: Finding) -> int | None:
    return SEVERITY_RANK.get(f.severity or "")


class GroundingGuard:
    """Checks generated text against a source report (and optional retrieved chunks)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.extractor = RuleExtractor()
        self.embedder = embedder

    def check(
        self, source: str, output: str | dict[str, Any], context: list[str] | None = None
    ) -> GroundingReport:
        text = generated_text(output)
        reference = "\n".join([source, *(context or [])])
        src_findings = [
            f for f in self.extractor.extract(reference) if f.finding not in IGNORED_FINDINGS
        ]
        src_numbers = _numbers(reference)
        src_sentences = [c.text.strip() for c in sentences(reference)]
        statements = [LIST_MARKER.sub("", c.text).strip() for c in sentences(text)]
        statements = [t for t in statements if re.search(r"[^\W\d_]", t)]
        similarity = self._similarity(statements, src_sentences)
        results = []
        for i, statement in enumerate(statements):
            results.append(
                self._judge(statement, src_findings, src_numbers, src_sentences, similarity[i])
            )
        return GroundingReport(results)

    def _similarity(self, statements: list[str], sources: list[str]) -> np.ndarray:
        if self.embedder is None or not statements or not sources:
            return np.full((len(statements), max(1, len(sources))), np.nan)
        a = self.embedder.encode(statements)
        b = self.embedder.encode(sources)
        return a @ b.T

    def _judge(
        self,
        statement: str,
        src_findings: list[Finding],
        src_numbers: set[float],
        src_sentences: list[str],
        sims: np.ndarray,
    ) -> Statement:
        reasons: list[str] = []
        verdict: Verdict = "supported"
        evidence: Finding | None = None
        if GLOBAL_NEGATIVE.match(statement):
            return _judge_global_negative(statement, src_findings, src_sentences)
        findings = [
            f for f in self.extractor.extract(statement) if f.finding not in IGNORED_FINDINGS
        ]
        for f in findings:
            same = [s for s in src_findings if s.finding == f.finding] or [
                s for s in src_findings if s.label == f.label and s.label != "Other"
            ]
            if not same:
                verdict = _worse(verdict, "unsupported")
                reasons.append(f"the source never mentions {f.finding.replace('_', ' ')}")
                continue
            problems = [(s, _conflicts(f, s)) for s in same]
            agreeing = [s for s, p in problems if not p and _specific_enough(f, s, same)]
            if agreeing:
                evidence = evidence or agreeing[0]
                continue
            best, issues = min(problems, key=lambda sp: len(sp[1]))
            evidence = best
            verdict = _worse(verdict, "contradicted")
            reasons += issues
        negated = _negated_in_source(statement, src_sentences)
        if negated:
            verdict = _worse(verdict, "contradicted")
            reasons.append(f'the source says the opposite: "{negated}"')
            return Statement(statement, verdict, reasons, negated)
        extra = {n for n in _numbers(statement) if n not in src_numbers}
        if extra:
            verdict = _worse(verdict, "contradicted" if src_numbers else "unsupported")
            shown = ", ".join(f"{n:g}" for n in sorted(extra))
            reasons.append(f"number(s) {shown} not in the source")
        if not np.isnan(sims).all() and len(src_sentences):
            j = int(np.nanargmax(sims))
            if sims[j] >= CLOSE_PARAPHRASE:
                changed = _modifier_changes(statement, src_sentences[j])
                if changed:
                    verdict = _worse(verdict, "contradicted")
                    reasons.append(
                        f"{' and '.join(changed)} differ from the closest source sentence"
                    )
                    return Statement(statement, verdict, reasons, src_sentences[j])
        if not findings and not np.isnan(sims).all() and len(src_sentences):
            j = int(np.nanargmax(sims))
            if sims[j] < SIMILARITY_THRESHOLD:
                verdict = _worse(verdict, "unsupported")
                reasons.append(f"no source sentence says this (closest similarity {sims[j]:.2f})")
            elif verdict == "supported":
                return Statement(statement, verdict, reasons, src_sentences[j])
        if evidence is not None:
            return Statement(
                statement, verdict, reasons, evidence.evidence, evidence.start, evidence.end
            )
        return Statement(statement, verdict, reasons)


def _judge_global_negative(
    statement: str, src_findings: list[Finding], src_sentences: list[str]
) -> Statement:
    """'No acute disease' holds when the source says so itself, or states no acute finding as
    present or possible; a source that does contradicts it."""
    said = _content(statement)
    if any(_content(s) == said for s in src_sentences):
        return Statement(statement, "supported", [])
    acute = [f for f in src_findings if f.finding in ACUTE_FINDINGS and f.presence != "absent"]
    if not acute:
        return Statement(statement, "supported", [])
    f = acute[0]
    reason = f"the source reports {f.finding.replace('_', ' ')} ({f.presence})"
    return Statement(statement, "contradicted", [reason], f.evidence, f.start, f.end)


_NEG_CUE = re.compile(r"\b(?:no|not|without|negative for|free of|absence of)\b", re.I)
_NEG_AFTER = re.compile(rf"\b(?:{ABSENCE_AFTER})\b", re.I)
_STOP = frozenset(
    "a an the is are was were there this that these those of in on at to with and or as be"
    " been seen noted identified present evidence any some".split()
)
# Words that only frame a claim as a claim ("Interval appearance of X", "Findings of X",
# "X persists", "X has developed", "X is now evident"): a claim framed so still says X is
# there. The second frozen set's misses gave the first five, the third set's the rest.
_FRAMING = frozenset(
    "interval appearance finding findings persists persist has have developed develops evident now"
    " newly".split()
)


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


def _negated_content(clause: str) -> set[str] | None:
    """What a clause says is absent: the words after a negation cue, or the whole clause
    when the absence comes after the finding ("the effusion has resolved"); None when the
    clause negates nothing."""
    m = _NEG_CUE.search(clause)
    if m:
        return _content(clause[m.end() :])
    if _NEG_AFTER.search(clause):
        return _content(_NEG_AFTER.sub(" ", clause))
    return None


def _negated_in_source(statement: str, src_sentences: list[str]) -> str:
    """A source sentence that negates what a positive statement claims ("There is active
    disease." against "No active disease."), whether or not the claim names a known finding;
    unless another source sentence affirms it. Empty when there is none."""
    if _negated_content(statement) is not None:  # a negative statement claims nothing
        return ""
    words = _content(statement) - _FRAMING
    if not words:
        return ""
    negating, affirmed = "", False
    for sentence in src_sentences:
        for clause in re.split(r"[,;]|\bbut\b|\bhowever\b", sentence):
            absent = _negated_content(clause)
            if absent is not None and words <= absent:
                negating = negating or sentence
            elif absent is None and words <= _content(clause):
                affirmed = True
    return "" if affirmed else negating


def _specific_enough(generated: Finding, source: Finding, mentions: list[Finding]) -> bool:
    """A side or severity the statement gives must be backed by a source mention that gives
    it, when the source states one for this finding at all ("left effusion" is not backed by
    "no effusion" when the source also says "right effusion")."""
    for attr in ("laterality", "severity"):
        value = getattr(generated, attr)
        stated = {getattr(m, attr) for m in mentions} - {None}
        if value and stated and getattr(source, attr) != value:
            return False
    return True


def _severity_levels(words: list[str]) -> Counter[str]:
    return Counter(
        next((level for stem, level in SEVERITY_LEVEL.items() if w.startswith(stem)), w)
        for w in words
    )


def _modifier_changes(statement: str, source_sentence: str) -> list[str]:
    """Which modifier kinds differ between a statement and the source sentence it
    paraphrases: a negation present in one and not the other, fewer certainty hedges than
    the source ("probably X, could be Y" -> "X, could be Y") or a hedge added, a side added,
    or a severity level added, changed or dropped ("mildly enlarged" -> "enlarged"; each
    qualifier counts, so dropping one of two is seen)."""
    a, b = statement.lower(), source_sentence.lower()
    changed = []
    for name, pattern in MODIFIERS.items():
        mine, theirs = pattern.findall(a), pattern.findall(b)
        if name == "negation":
            if bool(mine) != bool(theirs):
                changed.append(name)
        elif name == "certainty":  # fewer hedges than the source, or one it never had
            if len(mine) < len(theirs) or (mine and not theirs):
                changed.append(name)
        elif name == "severity":
            if _severity_levels(mine) != _severity_levels(theirs):
                changed.append(name)
        elif set(mine) - set(theirs):
            changed.append(name)
    return changed


def _conflicts(generated: Finding, source: Finding) -> list[str]:
    name = generated.finding.replace("_", " ")
    issues = []
    if generated.presence != source.presence:
        issues.append(f"{name}: {generated.presence} here, {source.presence} in the source")
    if generated.laterality and source.laterality and generated.laterality != source.laterality:
        issues.append(f"{name}: {generated.laterality} here, {source.laterality} in the source")
    g_sev, s_sev = _severity(generated), _severity(source)
    if g_sev is not None and s_sev is not None and g_sev != s_sev:
        issues.append(f"{name}: {generated.severity} here, {source.severity} in the source")
    elif g_sev is not None and s_sev is None and generated.presence == "present":
        issues.append(f"{name}: severity '{generated.severity}' not stated in the source")
    elif g_sev is None and s_sev is not None and source.presence == generated.presence == "present":
        issues.append(f"{name}: the source's '{source.severity}' was dropped (a change of meaning)")
    g_size, s_size = generated.size_mm, source.size_mm
    if g_size is not None and s_size is not None and abs(g_size - s_size) > 1e-6:
        issues.append(f"{name}: {generated.size_mm:g} mm here, {source.size_mm:g} mm in the source")
    return issues


def _worse(a: Verdict, b: Verdict) -> Verdict:
    order = {"supported": 0, "unsupported": 1, "contradicted": 2}
    return a if order[a] >= order[b] else b
