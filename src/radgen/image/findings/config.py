"""``radgen image findings train`` configuration, shared by the CLI and the Python API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FindingsConfig(BaseModel):
    """One config for `radgen image findings train`, shared by CLI and API."""

    model_config = ConfigDict(extra="forbid")

    out: str = Field(description="Run directory.")
    dataset: str = Field("pneumoniamnist", description="Registered dataset or 'folder'.")
    data_path: str | None = Field(None, description="Folder for the 'folder' dataset.")
    labels_csv: str | None = Field(None, description="filename,label CSV for 'folder'.")
    positive: str = Field("pneumonia", description="The class that is the finding.")
    finding: str = Field("LUNG_OPACITY", description="Template field the finding fills.")
    size: int = Field(32, ge=16, le=256, description="Training resolution in pixels.")
    steps: int | None = Field(1500, ge=1, description="Training steps.")
    minutes: float | None = Field(None, gt=0, description="Stop after this much training time.")
    calibration_fraction: float = Field(
        0.1, gt=0.02, lt=0.5, description="Share of training images held back to calibrate."
    )
    sensitivity: float = Field(0.95, gt=0.5, lt=1.0, description="Lower threshold's target.")
    specificity: float = Field(0.95, gt=0.5, lt=1.0, description="Upper threshold's target.")
    seed: int = Field(0, description="Random seed.")
    device: str = Field("cpu", description="cpu, cuda or auto.")
