"""Eponymous classifications, scores, signs, devices and operations of radiology reports and
templates ("Bosniak IIF", "Kellgren-Lawrence grade 2", "Hunt and Hess", "Dobhoff tube").

Every eponym is also somebody's surname, and some are places ("Glasgow", "Rotterdam"), so a
word of the lexicon is protected only in a context that makes it a term: a grade or a head
noun after it, another eponym joined to it, or a field whose label names a classification or
a device ("classification: Bosniak", "tube: Dobhoff"). "Mr Weber" and "Weber, Anna" stay
names. The lexicon was written from radiology knowledge (classification systems, scores,
devices, operations), not from any benchmark's errors.
"""

from __future__ import annotations

import itertools
import re

EPONYM_TERMS = frozenset(
    """
    agatston alvarado anderson ann arbor arlet austin balthazar barcelona bethesda billroth
    bismuth blakemore blalock bosniak breslow chamberlain charnley child clark cobb corlette
    cotrel couinaud courvoisier crowe debakey denis dobhoff dubousset edwards effendi evans
    fazekas ficat fisher fleischner fontan frankel frey garden glasgow gleason glenn graf
    greenfield greulich groshong gustilo hansen harrington hartmann hawkins heimlich hess
    hickman hunt ilizarov insall jatene kasai kellgren kirschner kommerell ladd lauge lawrence
    lenke levine lisfranc lugano luque magerl maisonneuve malecot marshall martin mayfield
    mcdonald mcgregor mcrae medtronic meyerding milan mirizzi modic moore mustard neer nissen
    norwood okuda outerbridge palmaz paprosky pellegrini penrose pfirrmann pleurx puestow pugh
    pyle quinton ranson rastelli risser rotterdam roux salem salvati sanders schatzker
    seldinger sengstaken senning shiley simpson sistrunk spetzler stanford starr steinmann
    stieda taussig thompson tillaux todani tonnis tscherne wackenheim wallstent weber wells
    wiberg
    """.split()
)

_WORD = r"[A-Z][A-Za-z'’]+"
_PART = r"[A-Z][A-Za-z'’]*"
# What follows an eponym used as a term: a grade ("III", "IIF", "B", "2", "3+4") or a head
# noun, perhaps after an acronym ("Marshall CT score")
_GRADE = re.compile(
    r"['’]?s?[ \t]*(?:[IV]{1,4}F?\b(?!\.)|[A-D]\d?\b(?!\.|\s+[A-Z][a-z])|\d{1,2}(?:\s*\+\s*\d)?"
    r"(?![\d/.:-])|(?:[A-Z]{2,5}\s+|(?:19|20)\d{2}\s+)?(?i:grade|grading|type|class|classification|category|"
    r"score|scale|stage|staging|criteria|index|ratio|angle|sign|system|changes|lines?|tubes?|"
    r"catheter|stent|valve|pins?|wires?|nails?|screws?|rods?|shunt|filter|sump|drains?|"
    r"procedure|operation|repair|technique|hemiarthroplasty|prosthesis|anastomosis|"
    r"circulation|loop|limb|segments?|coma|biplane|method|rule|fracture|injury|lesion|"
    r"disease|calcification|gallbladder)\b)"
)
# A field label naming what an eponym in its value would be ("classification:", "tube:")
_TERM_LABEL = re.compile(
    r"\b(?:classification|grade|grading|score|scale|staging|stage|system|criteria|category|"
    r"type|tube|line|catheter|stent|valve|filter|drain|fixation|prosthesis|implant|device|"
    r"pacemaker|procedure|operation|repair)s?\b",
    re.I,
)
_EPONYM = re.compile(rf"(?<![\w'’-]){_WORD}(?:-(?:en-)?{_PART})*")
_JOIN = re.compile(r"\s*(?:and|or|&|-|/)\s*$")
# An eponym as a field's value or an item of it: right after the colon or a list separator
_LIST_ITEM = re.compile(r"[:,/][ \t*]*$")


def _parts(token: str) -> list[str]:
    words = re.split(r"-", token.lower().replace("’", "'"))
    return [w.removesuffix("'s").strip("'") for w in words if w not in ("en", "y")]


def _is_eponym(token: str) -> bool:
    parts = _parts(token)
    return bool(parts) and all(p in EPONYM_TERMS for p in parts)


def _joined(text: str, a: re.Match[str], b: re.Match[str], names: frozenset[str]) -> str:
    """How two eponyms are written as one term: "term" for "Hunt and Hess grade", "Ficat &
    Arlet", "Tillaux or Lisfranc", or side by side when one of them is no person's name
    ("Kellgren Lawrence"; "Martin Weber" is a name); "people" for two people's names joined by
    a word with no grade or head after them ("Martin and Evans": a term only as a clinical
    field's value); "" when they are not joined."""
    between = text[a.end() : b.start()]
    people = all(p in names for p in _parts(a.group(0)) + _parts(b.group(0)))
    if _JOIN.match(between) and between.strip():
        if between.strip() in ("-", "/") or not people or _GRADE.match(text, b.end()):
            return "term"
        return "people"
    return "term" if between == " " and not people else ""


def _field_value(text: str, m: re.Match[str]) -> tuple[int, bool]:
    """(where the line's colon is, whether ``m`` is a field's value or list item under a
    label that is no PHI label)."""
    from radgen.privacy.zones import PHI_LABEL

    line_start = text.rfind("\n", 0, m.start()) + 1
    colon = text.find(":", line_start, m.start())
    value = (
        colon >= 0
        and PHI_LABEL.search(text, line_start, colon) is None
        and _LIST_ITEM.search(text, colon, m.start()) is not None
    )
    return colon, value


def eponym_spans(text: str) -> list[tuple[int, int]]:
    """Lexicon eponyms in a term's context, as (start, end) with any grade or head after them:
    a grade or a head ("Garden III", "Fisher grade"), another eponym joined to them ("Hunt and
    Hess", "Child-Pugh"), "modified" before them, or the value (or a list item) of a field not
    labelled as a person, when the label names a classification or a device ("classification:
    Bosniak") or the eponym is no person's name ("disc degeneration: Pfirrmann"). Never after
    a title ("Dr Hunt")."""
    from radgen.privacy.zones import HONORIFICS, person_names

    names = person_names()
    tokens = [m for m in _EPONYM.finditer(text) if _is_eponym(m.group(0))]
    joins = [_joined(text, a, b, names) for a, b in itertools.pairwise(tokens)]
    values = [_field_value(text, m) for m in tokens]
    spans: list[tuple[int, int]] = []
    for i, m in enumerate(tokens):
        line_start = text.rfind("\n", 0, m.start()) + 1
        titled = re.search(r"(\w+)\.?\s+$", text[line_start : m.start()])
        if titled and titled.group(1).lower() in HONORIFICS:
            continue  # "Dr Hunt", "Mr Weber": a person, whatever follows
        parts = _parts(m.group(0))
        colon, value = values[i]
        labelled = value and _TERM_LABEL.search(text, line_start, colon) is not None
        unnamed_value = value and not any(p in names for p in parts)
        joined = any(
            joins[k] == "term" or (joins[k] == "people" and (values[k][1] or values[k + 1][1]))
            for k in (i - 1, i)
            if 0 <= k < len(joins)
        )
        compound = len(parts) > 1 and not all(p in names for p in parts)
        modified = re.search(r"\b(?:modified|revised)\s+$", text[line_start : m.start()], re.I)
        grade = _GRADE.match(text, m.end())
        if grade or labelled or unnamed_value or joined or compound or modified:
            spans.append((m.start(), grade.end() if grade else m.end()))
    return spans
