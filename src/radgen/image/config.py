"""``radgen image train`` configuration: one pydantic object for the CLI and the Python API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ModelName = Literal["classifier"]


class TrainConfig(BaseModel):
    """Everything a training run needs; saved as ``config.yaml`` in the run directory."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: ModelName = Field(description="Which model to train.")
    dataset: str = Field("pneumoniamnist", description="Registered dataset name.")
    data_path: str | None = Field(None, description="Folder for the 'folder' dataset.")
    labels_csv: str | None = Field(None, description="filename,label CSV for 'folder'.")
    size: int = Field(32, ge=8, le=512, description="Training resolution (pixels, square).")
    batch_size: int = Field(64, ge=1, description="Images per optimisation step.")
    lr: float = Field(1e-3, gt=0, description="Learning rate.")
    width: int = Field(32, ge=4, description="Base channel width of the network.")
    steps: int | None = Field(None, ge=1, description="Stop after this many steps.")
    minutes: float | None = Field(None, gt=0, description="Stop after this much training time.")
    checkpoint_every: int = Field(200, ge=1, description="Steps between checkpoints.")
    seed: int = Field(0, description="Seed for every RNG (MONAI set_determinism).")
    device: str = Field("auto", description="cpu, cuda or auto.")
    out: str = Field(description="Run directory.")

    @model_validator(mode="after")
    def _stop_rule(self) -> TrainConfig:
        if self.steps is None and self.minutes is None:
            raise ValueError("give steps or minutes")
        return self
