"""Guidance entries as validated data: the bundled ``assets/protocol/guidance.yaml`` and any
user file that adds or overrides entries by id."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from radgen.errors import RadgenError

Modality = Literal[
    "CT", "MRI", "X-ray", "ultrasound", "nuclear medicine", "fluoroscopy", "mammography"
]
Contrast = Literal["none", "iodinated", "gadolinium"]
IONISING = frozenset({"CT", "X-ray", "nuclear medicine", "fluoroscopy", "mammography"})
CONDITIONS = frozenset(
    {
        "pregnant",
        "child",
        "infant",
        "elderly",
        "iodinated_contraindicated",
        "gadolinium_contraindicated",
        "mri_contraindicated",
        "red_flags",
        "low_pretest",
        "high_pretest",
        "rule_negative",
        "anticoagulated",
        "xray_negative",
    }
)


NEGATION = re.compile(
    r"\b(?:no|not|non|without|denies|denied|negative for|never|nil|(?<!\bto )normal)\b"
    r"(?:(?:[\s-]+[\w/]+){0,5}(?:\s+(?:or|nor)(?:[\s-]+[\w/]+){0,3})+|(?:[\s-]+[\w/]+){0,3})"
    r"[\s-]*$",
    re.I,
)  # "no leg weakness or saddle numbness" negates both; before an "or" the first item may run
# to five words ("no swelling around the eye or change in vision"). "Back to normal after a
# first fit" is a recovery, not a negation: "normal" after "to" negates nothing


# A finding negated after it is named ("neurological examination normal", "fever absent")
POST_NEGATION = re.compile(
    r"^\w*(?:\s+(?:exam\w*|findings?|assessment|status|signs?|tests?))?\s+"
    r"(?:is\s+|was\s+|are\s+|were\s+)?"
    r"(?:normal|unremarkable|intact|absent|negative|not (?:present|seen|found))\b",
    re.I,
)
CLAUSE_BREAK = r"[.;,:()]|\bbut\b|\bwith\b|\s[-\u2013\u2022*]\s"  # " - " separates a list's bullets


# A comma list closed by "or"/"nor" ("without any loss of consciousness, vomiting, memory loss,
# headache, or blood thinners") shares the negation before its first item. A list closed by
# "and" does not: "no fever, cough and crackles" is read as cough and crackles present.
LIST_NEGATION = re.compile(r"\b(?:no|not|without|denies|denied|negative for|nil)\b", re.I)
LIST_ITEM_BREAK = re.compile(r"[.;:()]|\bbut\b|\bwith\b|\band\b", re.I)
OR_LIST_TAIL = re.compile(r"^(?:\s*,\s*[\w/-]+(?:\s+[\w/-]+){0,3})*\s*,?\s+(?:or|nor)\b", re.I)


def _in_negated_or_list(text: str, m: re.Match[str]) -> bool:
    items = text[: m.start()].split(",")
    tail = re.sub(r"^\w*", "", text[m.end() :])  # from the end of the matched word ("vomit|ing")
    closed = OR_LIST_TAIL.match(tail) or re.search(r"\b(?:or|nor)\s*$", items[-1])
    if not closed or len(items) < 2:
        return False
    for item in reversed(items[:-1][-6:]):  # the items before this one, nearest first
        words = re.split(LIST_ITEM_BREAK, item)[-1].split()
        if LIST_NEGATION.search(" ".join(words[-6:])):  # the list's first item may follow
            return True  # a longer clause: "walked into a door frame without any loss of ..."
        if LIST_ITEM_BREAK.search(item) or len(words) > 6:
            return False
    return False


# An open list of three or more short bare items after a negation, to the end of its sentence
# ("no leg weakness, numbness, fever, bladder trouble"), is read as one negated list, as
# "denies fever, chills, night sweats" is. Two items ("no fever, vomiting") and items with a
# number ("vomiting x2") stay as written.
OPEN_LIST_END = re.compile(r"[.;:()!?]|\s[-\u2013\u2022*]\s")


def _in_negated_open_list(text: str, m: re.Match[str]) -> bool:
    negations = list(LIST_NEGATION.finditer(text, 0, m.start()))
    if not negations:
        return False
    start = negations[-1].start()  # the nearest negation before the match
    end = OPEN_LIST_END.search(text, m.end())
    items = [i.strip() for i in text[start : end.start() if end else len(text)].split(",")]
    if len(items) < 3 or OPEN_LIST_END.search(text, start, m.start()):
        return False
    return all(
        0 < len(item.split()) <= (4 if k == 0 else 3)
        and not re.search(r"\d|\b(?:and|but|with|now|then|since)\b", item, re.I)
        for k, item in enumerate(items)
    )


def _negated(text: str, m: re.Match[str], open_lists: bool = True) -> bool:
    before = re.split(CLAUSE_BREAK, text[: m.start()])[-1]
    after = re.split(CLAUSE_BREAK, text[m.end() :])[0]
    return bool(
        NEGATION.search(before[-40:])
        or POST_NEGATION.search(after[:40])
        or _in_negated_or_list(text, m)
        or (open_lists and _in_negated_open_list(text, m))
    )


def find_unnegated(
    pattern: str,
    text: str,
    negatable: bool = True,
    unless: str | None = None,
    open_lists: bool = True,
    skip: Callable[[str, re.Match[str]], bool] | None = None,
) -> re.Match[str] | None:
    """The first match of ``pattern`` that its own clause does not negate ("no locking",
    "not pregnant", "without red flags" do not count) and that holds no match of ``unless``
    (a reaction to MRI contrast is no iodinated allergy; a later match still counts).
    ``open_lists=False`` keeps a match inside an open list after a negation: a safety fact in
    "no wind, gout, acute kidney injury" is read, since missing it is the harmful error.
    ``skip`` drops a match for another reason (somebody else's, or a past one)."""
    for m in re.finditer(pattern, text, re.I):
        if negatable and _negated(text, m, open_lists):
            continue
        if unless and re.search(unless, m.group(0), re.I):
            continue
        if skip is not None and skip(text, m):
            continue
        return m
    return None


def unnegated_spans(pattern: str, text: str) -> list[tuple[int, int]]:
    """Every match of ``pattern`` that its clause does not negate, as (start, end)."""
    return [m.span() for m in re.finditer(pattern, text, re.I) if not _negated(text, m)]


def count_negated(pattern: str, text: str) -> int:
    """How many distinct matches of ``pattern`` the request explicitly negates ("no
    vomiting, no amnesia" negates two risk factors)."""
    return len({m.group(0).lower() for m in re.finditer(pattern, text, re.I) if _negated(text, m)})


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


class ExamSpec(BaseModel):
    """One examination, with the phrase of the guidance passage that names it (``cite``)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    modality: Modality
    region: str
    contrast: Contrast = "none"
    cite: str

    @property
    def ionising(self) -> bool:
        return self.modality in IONISING


class Option(BaseModel):
    """An answer and when it applies: ``when`` all hold, ``when_any`` one holds, ``unless``
    none holds. Either an examination or ``no_imaging`` (the reason)."""

    model_config = ConfigDict(extra="forbid")

    when: list[str] = Field(default_factory=list)
    when_any: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    exam: ExamSpec | None = None
    no_imaging: str | None = None
    alternatives: list[ExamSpec] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_answer(self) -> Option:
        if (self.exam is None) == (self.no_imaging is None):
            raise ValueError("an option has exactly one of 'exam' and 'no_imaging'")
        return self

    def applies(self, conditions: set[str]) -> bool:
        return (
            all(c in conditions for c in self.when)
            and (not self.when_any or any(c in conditions for c in self.when_any))
            and not any(c in conditions for c in self.unless)
        )


class AgeBand(BaseModel):
    """An age range that sets a condition when the request states the age: ``below`` is
    exclusive, ``at_least`` inclusive (knee osteoarthritis is diagnosed without imaging only
    from 45)."""

    model_config = ConfigDict(extra="forbid")

    below: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> AgeBand:
        if self.below is None and self.at_least is None:
            raise ValueError("an age band needs 'below', 'at_least' or both")
        return self

    def holds(self, age: float) -> bool:
        return (self.below is None or age < self.below) and (
            self.at_least is None or age >= self.at_least
        )


class Entry(BaseModel):
    """An indication: synonyms to find it, the passage to cite, options in order."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    synonyms: list[str] = Field(min_length=1)
    passage: str = Field(min_length=20)
    sources: str
    flags: dict[str, str] = Field(default_factory=dict)
    ages: dict[str, AgeBand] = Field(
        default_factory=dict,
        description="Conditions set by the stated age, which the request's wording cannot"
        " reliably carry ('38F', '38 yr old', 'aged 38')",
    )
    options: list[Option] = Field(min_length=1)
    yields_to: list[str] = Field(
        default_factory=list,
        description="Entries that take precedence when the request names them too (blood in"
        " the urine with loin-to-groin pain is renal colic, not unexplained haematuria).",
    )

    @model_validator(mode="after")
    def _check(self) -> Entry:
        known = CONDITIONS | set(self.flags) | {f"no_{f}" for f in self.flags} | set(self.ages)
        passage = _norm(self.passage)
        for opt in self.options:
            for c in [*opt.when, *opt.when_any, *opt.unless]:
                if c not in known:
                    raise ValueError(
                        f"unknown condition '{c}'; known: {sorted(known)} (or define it in flags)"
                    )
            for exam in [opt.exam, *opt.alternatives]:
                if exam is not None and _norm(exam.cite) not in passage:
                    raise ValueError(
                        f"exam '{exam.name}': cite '{exam.cite}' is not in the passage"
                    )
        for name, pattern in self.flags.items():
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"flag '{name}': bad regular expression: {err}") from err
        for syn in self.synonyms:
            if syn.startswith("re:"):
                try:
                    re.compile(syn[3:])
                except re.error as err:
                    raise ValueError(f"synonym '{syn}': bad regular expression: {err}") from err
        return self

    @property
    def text(self) -> str:
        """What an encoder reads of the entry: its title and plain (not regex) synonyms."""
        plain = (s for s in self.synonyms if not s.startswith("re:"))
        return f"{self.title}. {', '.join(plain)}"

    def flag_conditions(self, request: str, age: float | None = None) -> set[str]:
        """Each flag the request states, and ``no_<flag>`` for a flag it explicitly rules
        out and never states ("no vomiting, no amnesia": ``no_risk_factor``); each age band
        the stated ``age`` falls in."""
        out = {name for name, band in self.ages.items() if age is not None and band.holds(age)}
        for name, pat in self.flags.items():
            if find_unnegated(pat, request):
                out.add(name)
            elif count_negated(pat, request) >= 1:
                out.add(f"no_{name}")
        return out


class GuidanceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    entries: list[Entry]


def _read(path: Path) -> list[Entry]:
    if not path.is_file():
        raise RadgenError("protocol file not found", path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return GuidanceFile.model_validate(data).entries
    except yaml.YAMLError as err:
        raise RadgenError(f"not valid YAML: {err}", path) from err
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise RadgenError(f"invalid protocol file at {where}: {first['msg']}", path) from err
    except UnicodeDecodeError as err:
        raise RadgenError("not UTF-8 text", path) from err


@cache
def bundled_guidance() -> tuple[Entry, ...]:
    from radgen.data.registry import bundled_asset

    return tuple(_read(bundled_asset("protocol") / "guidance.yaml"))


def load_guidance(extra: str | Path | None = None) -> dict[str, Entry]:
    """The bundled entries, with a user file's entries added (or replacing the same id)."""
    entries = {e.id: e for e in bundled_guidance()}
    if extra is not None:
        for e in _read(Path(extra)):
            entries[e.id] = e
    for e in entries.values():
        if unknown := sorted(set(e.yields_to) - set(entries)):
            raise RadgenError(f"entry '{e.id}' yields to entries that do not exist: {unknown}")
    return entries
