"""Configs of the ``radgen deid`` commands, shared by the CLI and the Python API (torch-free,
so the CLI starts fast)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from radgen.fields import comma_list

DeidMode = Literal["redact", "pseudonymize"]


class DeidTextConfig(BaseModel):
    """``radgen deid text``: what to de-identify, how, and where to write it."""

    model_config = ConfigDict(extra="forbid")

    src: str = Field(description="A .txt report, a folder of them, or a CSV.")
    dst: str = Field(description="Output file or folder.")
    column: list[str] = Field(
        default_factory=list, description="CSV column(s) to de-identify, comma-separated."
    )
    mode: DeidMode = Field("redact", description="redact ([NAME]) or pseudonymize (surrogates).")
    key_store: str | None = Field(
        None, description="Re-identification key (SQLite), kept apart from the outputs."
    )
    keep_year: bool = Field(False, description="Replace dates by their year.")
    scope_column: str | None = Field(
        None, description="CSV column naming the patient (one date shift per patient)."
    )
    overwrite: bool = Field(False, description="Replace existing outputs.")
    review: str | None = Field(
        None, description="Also queue each output for sign-off (the original is not stored)."
    )

    _columns = field_validator("column", mode="before")(comma_list)


SHIPPED_TAGGER_STEPS = 1500  # the shipped tagger's training budget


class TaggerTrainConfig(BaseModel):
    """How the shipped tagger was made: from the repository, ``radgen deid train --extra
    benchmarks/data/phi_tagger_extra.jsonl`` with the other defaults rebuilds it."""

    model_config = ConfigDict(extra="forbid")

    out: str = Field(description="Run directory.")
    docs: int = Field(2400, ge=10, description="Synthetic training documents.")
    dev_docs: int = Field(150, ge=5, description="Synthetic development documents (other seed).")
    seed: int = Field(0, description="Seed for data, initialisation and batches.")
    layers: int = Field(
        2,
        ge=1,
        le=6,
        description="MiniLM layers kept: 2 reads 20 reports/s on 2 cores, 4 about 11.",
    )
    rank: int = Field(16, ge=1, le=128, description="LoRA rank.")
    alpha: float = Field(32.0, gt=0, description="LoRA alpha.")
    dropout: float = Field(0.1, ge=0, lt=1)
    max_length: int = Field(128, ge=32, le=512, description="Word pieces per training window.")
    batch_size: int = Field(16, ge=1)
    lr: float = Field(1e-3, gt=0)
    steps: int | None = Field(
        SHIPPED_TAGGER_STEPS,
        ge=1,
        description=f"Training steps (the shipped tagger: {SHIPPED_TAGGER_STEPS}; also when"
        " neither steps nor minutes is given).",
    )
    minutes: float | None = Field(None, gt=0, description="Or a time budget instead of steps.")
    checkpoint_every: int = Field(100, ge=1)
    device: str = Field("cpu", description="cpu, cuda or auto.")
    extra: list[str] = Field(
        default_factory=list,
        description="JSONL files of labelled documents added to the synthetic ones"
        " (comma-separated): per line an object with 'text', 'spans' (lists of start, end,"
        " category) and optionally 'ignore' (lists of start, end: no loss there).",
    )
    threshold: float = Field(
        0.6,
        gt=0,
        lt=1,
        description="PHI probability above which a word piece is PHI, saved with the weights"
        " (the shipped tagger's 0.6 was chosen on development sets after training).",
    )

    _extra = field_validator("extra", mode="before")(comma_list)

    @model_validator(mode="after")
    def _some_budget(self) -> TaggerTrainConfig:
        if self.steps is None and self.minutes is None:
            self.steps = SHIPPED_TAGGER_STEPS
        return self
