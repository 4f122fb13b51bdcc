"""Reading level of a text: Flesch-Kincaid grade and Flesch reading ease."""

from __future__ import annotations

import re

_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Vowel-group count with the usual silent-e and -le corrections (at least 1)."""
    w = word.lower().strip("'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(_VOWELS.findall(w)))


def _counts(text: str) -> tuple[int, int, int]:
    sentences = max(1, len([s for s in re.split(r"[.!?]+", text) if s.strip()]))
    words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", text)
    return sentences, max(1, len(words)), sum(syllables(w) for w in words)


def flesch_kincaid_grade(text: str) -> float:
    """US school grade: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    s, w, syl = _counts(text)
    return round(0.39 * w / s + 11.8 * syl / w - 15.59, 2)


def flesch_reading_ease(text: str) -> float:
    """0-100, higher is easier: 206.835 - 1.015 words/sentence - 84.6 syllables/word."""
    s, w, syl = _counts(text)
    return round(206.835 - 1.015 * w / s - 84.6 * syl / w, 2)
