"""One pydantic config per fine-tuning command, shared by the CLI, the API and the benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SftTask = Literal["impression", "labels"]

# Every linear layer of a Llama/Qwen decoder block: the usual LoRA targets.
DEFAULT_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _existing_file(value: str, what: str) -> str:
    if not Path(value).is_file():
        raise ValueError(f"no such {what}: {value}")
    return value


class LoraOptions(BaseModel):
    """The adapter: rank, scale, dropout and which linear layers it wraps."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(8, ge=1, le=256, description="LoRA rank (r).")
    alpha: float = Field(16.0, gt=0, description="LoRA alpha; the update is scaled by alpha/r.")
    dropout: float = Field(0.05, ge=0, lt=1, description="Dropout on the adapter's input.")
    target_modules: list[str] = Field(
        list(DEFAULT_TARGETS), min_length=1, description="Names of the linear layers to adapt."
    )


class _TrainOptions(BaseModel):
    """What SFT and DPO share: the base model, the data split, the optimiser and the loop."""

    model_config = ConfigDict(extra="forbid")

    out: str = Field(description="Run directory (checkpoints, loss curve, adapter).")
    base: str = Field(
        "smollm2-135m",
        description="Base model: a registry name or a .gguf (converted once to a Hugging Face"
        " folder in the model cache); the exported adapter attaches to this GGUF.",
    )
    max_length: int = Field(192, ge=32, le=4096, description="Tokens per example (prompt+answer).")
    batch_size: int = Field(8, ge=1)
    lr: float = Field(2e-4, gt=0)
    epochs: float = Field(1.0, gt=0, description="Passes over the training examples.")
    steps: int | None = Field(None, ge=1, description="Training steps (default: from epochs).")
    minutes: float | None = Field(None, gt=0, description="Or a time budget instead.")
    checkpoint_every: int = Field(10, ge=1, description="Steps between (adapter-only) checkpoints.")
    seed: int = 0
    device: str = Field("cpu", description="cpu, cuda or auto.")
    threads: int | None = Field(None, ge=1, description="torch CPU threads (default: torch's).")


class FinetuneConfig(_TrainOptions):
    """``radgen text finetune``: LoRA supervised fine-tuning on instruction pairs."""

    task: SftTask = Field("impression", description="impression (findings -> impression) or"
                          " labels (report -> labels JSON).")  # fmt: skip
    csv: str = Field(description="Labelled reports (IU layout: uid, findings, impression...).")
    held_out: Literal["odd", "none"] = Field(
        "odd", description="odd: reports with an odd uid are never read (the reported split)."
    )
    n_train: int = Field(400, ge=1, description="Training examples drawn from the even split.")
    lora: LoraOptions = Field(default_factory=LoraOptions)
    eval_examples: int = Field(16, ge=0, description="Even-split rows held back for the loss"
                               " at each epoch's end (never trained on).")  # fmt: skip

    _csv_exists = field_validator("csv")(lambda value: _existing_file(value, "CSV file"))


class DpoConfig(_TrainOptions):
    """``radgen text dpo``: preference tuning of an SFT adapter (the reference is the SFT model
    itself with the new update switched off, so one model fits in memory)."""

    sft_run: str = Field(description="The SFT run directory whose adapter is the start.")
    pairs: str = Field(description="JSONL of preference pairs: prompt, chosen, rejected.")
    beta: float = Field(0.1, gt=0, description="DPO temperature: how far from the reference.")
    lr: float = Field(5e-5, gt=0)
    n_pairs: int = Field(200, ge=1, description="Pairs used (in file order).")

    _pairs_exist = field_validator("pairs")(lambda value: _existing_file(value, "pairs file"))
