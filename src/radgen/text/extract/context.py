"""Sentence and clause splitting, and NegEx-style negation and uncertainty (Chapman et al.
2001; the CheXpert labeller's rules), applied to one mention inside its clause.

A trigger before the mention negates it until a scope terminator ("but", "however"...);
a trigger after it ("... is normal", "... has resolved") negates it within the clause.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|(?<=\s)(?=\d\.\s)")
_CLAUSE = re.compile(
    r"\b(?:but|however|although|though|whereas|otherwise|except|apart from|aside from)\b"
)

PSEUDO_NEGATION = re.compile(
    r"\b(?:no|without|not)\s+(?:\w+\s+){0,2}(?:change|changed|increase|increased|worsening|"
    r"progression)\b|\bnot only\b|\bno longer\s+(?=\w+\s+(?:stable|present))"
)
PRE_NEGATION = re.compile(
    r"\b(?:no|not|without|negative for|free of|clear of|absence of|absent|resolution of|"
    r"resolved|rule out|ruled out|nor|denies|neither|no evidence of|no longer|never)\b"
)
NORMAL_BEFORE = re.compile(r"\b(?:normal|unremarkable)\s+(?:[\w-]+\s+){0,3}$")
POST_NEGATION = re.compile(
    r"^\W*(?:(?:is|are|was|were|has|have|has been|have been)\s+)?"
    r"(?:(?:not|no longer)\s+(?:seen|identified|present|visualized|demonstrated|appreciated|"
    r"evident|noted)|resolved|absent|normal|unremarkable|within normal limits|negative|"
    r"ruled out|cleared|gone|removed)\b"
)
UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|probable|probably|may|might|could|likely|suspect\w*|suspicious|"
    r"question\w*|cannot (?:be )?(?:exclude\w*|ruled? out)|can not (?:be )?exclude\w*|"
    r"not (?:be )?excluded|difficult to exclude|versus|vs|concern\w* for|suggest\w*|"
    r"worrisome|equivocal|indeterminate|differential|consider\w*)\b|\?"
)
POST_UNCERTAIN = re.compile(
    r"^[^.;]{0,25}?\b(?:(?:is|are|was|were|be)\s+)?(?:possible|probable|suspected|questionable|"
    r"equivocal|not (?:be )?excluded|cannot be (?:excluded|ruled out)|versus|vs)\b|^\s*\?"
)
ALTERNATIVE_BEFORE = re.compile(r"\b(?:or|versus|vs)\s+(?:\w+\s+){0,2}$")
ALTERNATIVE_AFTER = re.compile(r"^\W*(?:and/)?(?:or|versus|vs)\b")
UNCERTAIN_WINDOW = 8  # words before the mention that an uncertainty cue reaches


@dataclass(frozen=True)
class Clause:
    text: str
    start: int  # offset in the report


def sentences(text: str) -> list[Clause]:
    """Sentences (and numbered list items) with their offsets."""
    out: list[Clause] = []
    pos = 0
    for sentence in _SENTENCE.split(text):
        start = text.find(sentence, pos) if sentence else pos
        pos = start + len(sentence)
        if sentence.strip():
            out.append(Clause(sentence, start))
    return out


def clauses(text: str) -> list[Clause]:
    """Sentences split further at contrastive conjunctions, with their offsets."""
    out: list[Clause] = []
    pos = 0
    for sentence in _SENTENCE.split(text):
        s_start = text.find(sentence, pos) if sentence else pos
        pos = s_start + len(sentence)
        cut = [0] + [m.start() for m in _CLAUSE.finditer(sentence.lower())] + [len(sentence)]
        for a, b in itertools.pairwise(cut):
            piece = sentence[a:b]
            if piece.strip():
                out.append(Clause(piece, s_start + a))
    return out


def assertion(clause: str, start: int, end: int) -> str:
    """present, absent or uncertain for the mention at [start, end) of a lowercase clause."""
    clause = PSEUDO_NEGATION.sub(lambda m: " " * len(m.group()), clause)
    before, after = clause[:start], clause[end:]
    mention = clause[start:end]
    if PRE_NEGATION.search(before) or re.search(r"\b(?:not|no)\b", mention):
        return "absent"
    if NORMAL_BEFORE.search(before):  # "normal heart size", "normal pulmonary interstitium"
        return "absent"
    if POST_NEGATION.search(after):
        return "absent"
    near_before = " ".join(before.split()[-UNCERTAIN_WINDOW:])
    if UNCERTAIN.search(near_before) or POST_UNCERTAIN.search(after):
        return "uncertain"
    if ALTERNATIVE_BEFORE.search(before) or ALTERNATIVE_AFTER.search(after):
        return "uncertain"
    return "present"
