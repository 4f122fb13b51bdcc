"""Within-document propagation: PHI found once is redacted wherever it recurs.

A name is easiest to find where it is introduced (a header field, "Dr. ..." in a signature)
and hardest where it recurs bare ("discussed with Smith", "SMITH's prior film"). A name, a
place, an identifier or a phone number written once in a report is the same PHI everywhere
in it, so every other whole-word occurrence of a found name or place token (any case) and
every repeat of a found identifier or number is redacted too (the consistency step of MIST
and Philter-style pipelines). Only distinctive tokens travel: a token that is clinical
vocabulary or a frequent English word ("White", "Young", "Read") is never propagated, so a
false hit cannot spread. A surname that is also a clinical word ("Kidney", "Stone") spreads
only to capitalised occurrences: "the right kidney" in a sentence is anatomy, whoever is
called Kidney.
"""

from __future__ import annotations

import re

from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import HONORIFICS, clinical_word, is_safe_word

_NAME_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")
_CREDENTIALS = frozenset("md do phd rn np pa dds mbbs frcr frcp facr jr sr ii iii iv".split())
# particles of names and places ("Lien De Wit", "Freitas do Norte"): not distinctive, and "de"
# would spread into "de-identification"
_PARTICLES = frozenset("de da di do du dos das del della la le van von der den ter ten".split())
# identifiers and numbers: repeated verbatim (a digit, at least four characters)
_VERBATIM = (PHI.ID, PHI.PHONE, PHI.EMAIL, PHI.URL, PHI.IP)


def _name_tokens(value: str) -> set[str]:
    """Distinctive words of a found name: neither safe words, credentials nor honorifics."""
    out = set()
    for token in _NAME_TOKEN.findall(value):
        word = token.lower()
        if len(word) < 2 or word in _CREDENTIALS or word in HONORIFICS or word in _PARTICLES:
            continue
        if not is_safe_word(token, strict=False):
            out.add(word)
    return out


def propagate_spans(text: str, spans: list[Span]) -> list[Span]:
    """New spans for every other occurrence of PHI already found in ``text``."""
    words: dict[PHI, set[str]] = {PHI.NAME: set(), PHI.LOCATION: set()}
    verbatim: dict[str, PHI] = {}
    for span in spans:
        value = span.text(text)
        if span.category in words:
            words[span.category] |= _name_tokens(value)
        elif span.category in _VERBATIM:
            value = value.strip(" .,;:()")
            if len(value) >= 4 and any(c.isdigit() for c in value):
                verbatim.setdefault(value, span.category)
    out: list[Span] = []
    for category, tokens in words.items():
        if not tokens:
            continue
        alternatives = "|".join(re.escape(n) for n in sorted(tokens, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w'’-])(?:{alternatives})(?![\w])", re.I)
        out += [
            Span(m.start(), m.end(), category, "propagated")
            for m in pattern.finditer(text)
            if m.group(0)[0].isupper() or not clinical_word(m.group(0))
        ]
    for value, category in verbatim.items():
        pattern = re.compile(rf"(?<![\w]){re.escape(value)}(?![\w])")
        out += [Span(m.start(), m.end(), category, "propagated") for m in pattern.finditer(text)]
    return out
