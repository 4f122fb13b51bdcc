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


PRIORITY = {"pattern": 0, "tagger": 1, "zone": 2, "ner": 3}


def merge_spans(spans: list[Span]) -> list[Span]:
    """Union of overlapping spans: nothing any detector found is let through. A merged span
    takes the category of its most precise detector (patterns, then the tagger, the zone
    policy, NER), then of its longest member."""
    merged: list[tuple[Span, Span]] = []  # (union range, representative span)
    for span in sorted(spans, key=lambda x: (x.start, -x.end)):
        if merged and span.start < merged[-1][0].end:
            union, rep = merged[-1]
            better = (PRIORITY.get(span.source, 9), -(span.end - span.start)) < (
                PRIORITY.get(rep.source, 9),
                -(rep.end - rep.start),
            )
            rep = span if better else rep
            merged[-1] = (
                Span(union.start, max(union.end, span.end), rep.category, rep.source),
                rep,
            )
        else:
            merged.append((span, span))
    return [union for union, _ in merged]
