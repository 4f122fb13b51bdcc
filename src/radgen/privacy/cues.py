"""Names in running prose, found by the words around them rather than by their shape.

A person named in a report is usually introduced by a cue: "discussed with", "called to",
"per", "the patient,", "his daughter,", or owns something ("Smith's previous films"). After a
cue, the following words are taken while they are not safe words (clinical vocabulary or a
common English word that is not also a name: the same safe list as the zones), so "discussed
with the patient" and "per protocol" stay, and "per Holly Reilly" does not.
"""

from __future__ import annotations

import re

from radgen.privacy.clinical_terms import EPONYMS
from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import capital_initials, is_safe_word

CUE = re.compile(
    r"(?i:\b(?:discussed with|d/w|called to|called|paged|"
    r"(?:tele)?phoned(?: through)? to|spoke (?:to|with)|spoken to|"
    r"informed|notified|given to|reported to|conveyed to|relayed to|reviewed with|per|"
    r"forward(?:ed)? (?:a copy )?to|copy to|cc|the patient,|patient|"
    r"(?:his|her|the patient's|their) (?:daughter|son|wife|husband|mother|father|sister|"
    r"brother|partner|carer),?|registrar|resident|fellow|nurse|radiographer|technologist|"
    r"sonographer|technician|physiotherapist|midwife|sister|matron|porter))[ \t]+"
)
NAME_TOKEN = re.compile(r"[^\W\d_][\w'’\-]*\.?|[A-Z]\.")
POSSESSIVE = re.compile(r"(?<![\w'’])((?:[A-Z][\w\-]+[ \t]+){0,2}[A-Z][\w\-]+)['’]s\b")


def _is_name_word(token: str) -> bool:
    word = token.rstrip(".").strip("'’")
    if len(word) == 1:
        return word.isupper()  # an initial
    if 2 <= len(word) <= 3 and word.isupper() and word.isalpha():
        return capital_initials(word)  # initials ("AH"), not "CT"
    return not is_safe_word(word, strict=True) and word.lower() not in EPONYMS


def cue_spans(text: str) -> list[Span]:
    """Words after a cue, and the owners of possessives, that are not safe words."""
    out: list[Span] = []
    for cue in CUE.finditer(text):
        pos, start, end = cue.end(), None, None
        for _ in range(3):
            m = NAME_TOKEN.match(text, pos)
            if m is None or not _is_name_word(m.group(0)):
                break
            start = m.start() if start is None else start
            end = m.end()
            sep = re.match(r",?[ \t]+", text[end:])
            if sep is None:
                break
            pos = end + sep.end()
        if start is not None and end is not None:
            out.append(Span(start, end, PHI.NAME, "zone"))
    for m in POSSESSIVE.finditer(text):
        tokens = m.group(1).split()
        if all(_is_name_word(t) for t in tokens):
            out.append(Span(m.start(1), m.end(1), PHI.NAME, "zone"))
    return out
