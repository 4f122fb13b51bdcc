"""The protocol commands' configurations (torch-free, so the CLI can build its options from
them at start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from radgen.fields import comma_list

MatcherChoice = Literal["rules", "learned"]
ProtocolMethod = Literal["rules", "llm"]


def _existing_files(cls: type, value: list[str]) -> list[str]:
    """Every examples file given must exist (one clear error, before any training)."""
    for path in value:
        if not Path(path).is_file():
            raise ValueError(f"no such examples file: {path}")
    return value


def _one_of(kind: str, value: object, choices: tuple[str, ...]) -> object:
    if isinstance(value, str) and value not in choices:
        raise ValueError(f"unknown {kind} '{value}'; choose one of {sorted(choices)}")
    return value


class ProtocolConfig(BaseModel):
    """One protocol question; ``radgen text protocol`` and ``protocol_advice`` both take
    this."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(description="Clinical question and patient details.")
    protocols: str | None = Field(
        None, description="Your protocol YAML: adds entries or replaces them by id."
    )
    conditions: list[str] = Field(
        default_factory=list,
        description="Conditions to add, comma-separated (pregnant, child, red_flags...).",
    )
    method: ProtocolMethod = Field(
        "rules", description="rules (the guidance decides) or llm (the model alone)."
    )
    matcher: MatcherChoice = Field(
        "learned",
        description="How the guidance entry is found: learned (rules, then the learned"
        " matcher) or rules (the rules alone).",
    )
    reader: bool = Field(
        True,
        description="Let the learned condition reader add safety facts the rules missed"
        " (pregnancy, contrast reaction, kidney failure, an implant), each shown to confirm.",
    )
    phrase: bool = Field(False, description="Let the language model word the rationale.")

    _split = field_validator("conditions", mode="before")(comma_list)

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, value: object) -> object:
        return _one_of("method", value, get_args(ProtocolMethod))

    @field_validator("matcher", mode="before")
    @classmethod
    def _matcher(cls, value: object) -> object:
        return _one_of("matcher", value, get_args(MatcherChoice))


class MatcherTrainConfig(BaseModel):
    """One entry-matcher training run; ``radgen text protocol-train`` and the benchmark both
    build this."""

    model_config = ConfigDict(extra="forbid")

    out: str = Field(description="Run directory (the weights are written into it).")
    examples: list[str] = Field(
        default_factory=list,
        description="Your example requests: JSONL files (comma-separated) of {request, entry}"
        " ('none' for a request no entry covers), added to the bundled ones.",
    )
    bundled_examples: bool = Field(True, description="Train on the bundled example requests.")
    protocols: str | None = Field(
        None, description="Your protocol YAML (its entries can be the examples' targets)."
    )
    seed: int = Field(0, description="Seed for initialisation and batches.")
    layers: int = Field(6, ge=1, le=6, description="MiniLM layers kept.")
    rank: int = Field(8, ge=1, le=128, description="LoRA rank.")
    alpha: float = Field(16.0, gt=0)
    dropout: float = Field(0.1, ge=0, lt=1)
    max_length: int = Field(96, ge=16, le=512, description="Word pieces per text.")
    batch_size: int = Field(32, ge=1)
    lr: float = Field(1e-3, gt=0)
    epochs: float = Field(8.0, gt=0, description="Passes over the examples.")
    steps: int | None = Field(None, ge=1, description="Training steps (default: from epochs).")
    minutes: float | None = Field(None, gt=0, description="Or a time budget instead.")
    checkpoint_every: int = Field(50, ge=1)
    device: str = Field("cpu", description="cpu, cuda or auto.")

    _split = field_validator("examples", mode="before")(comma_list)
    _exist = field_validator("examples")(_existing_files)


class ReaderTrainConfig(BaseModel):
    """How the shipped condition reader was made; ``radgen text protocol-reader-train`` with
    defaults rebuilds it."""

    model_config = ConfigDict(extra="forbid")

    out: str = Field(description="Run directory (the weights are written into it).")
    examples: list[str] = Field(
        default_factory=list,
        description="Your JSONL files of {request, conditions}, comma-separated; conditions"
        " lists the facts the text states (pregnant, contrast_reaction, kidney, mri_device).",
    )
    bundled_examples: bool = Field(True, description="Train on the bundled example requests.")
    phrases: bool = Field(
        False,
        description="Also train on the bundled phrases (worded by the local model), each"
        " inserted into example requests that state no fact (off: leave-one-batch-out tests"
        " found them to lower recall and add wrong facts; benchmarks/protocol_reader_cv.py).",
    )
    per_phrase: int = Field(3, ge=1, le=20, description="Requests each phrase is put into.")
    seed: int = Field(0, description="Seed of the first head (the others follow it).")
    heads: int = Field(3, ge=1, le=10, description="Heads trained from different seeds.")
    hidden: int = Field(64, ge=0, le=1024, description="Hidden units of each head.")
    window: int = Field(10, ge=2, le=64, description="Words per window.")
    stride: int = Field(3, ge=1, le=64, description="Words between window starts.")
    epochs: int = Field(300, ge=1, description="Full-batch passes per head.")
    lr: float = Field(1e-2, gt=0)
    weight_decay: float = Field(1e-3, ge=0)

    _split = field_validator("examples", mode="before")(comma_list)
    _exist = field_validator("examples")(_existing_files)
