"""PHI categories and detected spans."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PHI(StrEnum):
    """The PHI categories radiology text carries, each redacted as ``[NAME]``-style tags."""

    NAME = "NAME"
    DATE = "DATE"
    AGE = "AGE"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    ID = "ID"
    ADDRESS = "ADDRESS"
    LOCATION = "LOCATION"
    INSTITUTION = "INSTITUTION"
    URL = "URL"
    IP = "IP"
    DEVICE = "DEVICE"


@dataclass(frozen=True)
class Span:
    """A detected PHI span: character offsets into the text, category and detector."""

    start: int
    end: int
    category: PHI
    source: str

    def text(self, doc: str) -> str:
        return doc[self.start : self.end]


def merge_spans(spans: list[Span]) -> list[Span]:
    """Resolve overlaps: pattern spans (precise) before NER spans, then the longest span,
    then the earlier-listed detector."""
    ranked = sorted(
        enumerate(spans),
        key=lambda p: (p[1].source != "pattern", -(p[1].end - p[1].start), p[0]),
    )
    kept: list[Span] = []
    for _, span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
