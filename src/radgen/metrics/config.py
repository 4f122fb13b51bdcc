"""``radgen image eval`` configuration: one pydantic object for the CLI and the Python API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EvalConfig(BaseModel):
    """What to compare, in which feature space, and where to write the report."""

    model_config = ConfigDict(extra="forbid")

    real: str = Field("pneumoniamnist", description="Dataset name, MedMNIST .npz or folder.")
    holdout: str | None = Field(None, description="Held-out real set (default: the val split).")
    synthetic: str = Field(description="Synthetic .npz (from radgen image sample) or folder.")
    labels: bool = Field(True, description="Use labels for per-class metrics and TSTR.")
    encoder: str | None = Field(None, description="TorchScript encoder; default: domain encoder.")
    inception_n: int = Field(200, ge=0, description="Images per set for Inception FID (0: off).")
    size: int = Field(32, ge=8, description="Resolution at which sets are compared.")
    max_n: int = Field(2000, ge=10, description="Cap on images per set for distribution metrics.")
    tstr_steps: int = Field(300, ge=1, description="Training steps of each TSTR classifier.")
    seed: int = Field(0, description="Seed for subsets and classifiers.")
    out: str = Field(description="Report folder.")
