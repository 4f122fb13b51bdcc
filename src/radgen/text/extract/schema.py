"""The structured finding every extractor (rules or LLM) returns, validated by pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Presence = Literal["present", "absent", "uncertain"]
Laterality = Literal["left", "right", "bilateral"]


class Finding(BaseModel):
    """One finding of a report; ``evidence``/``start``/``end`` point at the supporting text."""

    model_config = ConfigDict(extra="forbid")

    finding: str = Field(description="Finding name, e.g. cardiomegaly, atelectasis.")
    label: str = Field("", description="Label vocabulary term (IU Problems), when mapped.")
    presence: Presence
    laterality: Laterality | None = None
    location: str | None = None
    severity: str | None = None
    size_mm: float | None = Field(None, ge=0)
    evidence: str = ""
    start: int | None = None
    end: int | None = None
