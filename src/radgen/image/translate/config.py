"""``radgen image train-translate`` configuration, shared by the CLI and the Python API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from radgen.fields import comma_list_or_none

TranslateModel = Literal["pix2pix", "cyclegan", "stargan", "diffusion"]


class TranslateConfig(BaseModel):
    """Everything a translation run needs; saved as ``config.yaml`` in the run directory."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: TranslateModel = Field(description="pix2pix, cyclegan, stargan or diffusion.")
    pairs: str = Field(description="Folder with one aligned NIfTI volume per domain.")
    source: str | None = Field(None, description="Source domain (not stargan).")
    target: str | None = Field(None, description="Target domain (not stargan).")
    domains: list[str] | None = Field(None, description="stargan domains (default: all).")
    intensity: Literal["hu", "percentile"] | None = Field(
        None, description="Intensity mapping (default: guessed; hu for CT)."
    )
    holdout_slab: str | None = Field(
        None, description="Hold out slices START:STOP (fractions) of the volume for testing."
    )
    crop: int = Field(128, ge=16, description="Training crop size in pixels.")
    batch_size: int = Field(8, ge=1, description="Slices per step.")
    width: int = Field(16, ge=4, description="Base channel width.")
    depth: int = Field(4, ge=1, le=7, description="U-Net levels (generators).")
    patch: int = Field(2, ge=1, le=8, description="Space-to-depth factor (speed vs detail).")
    linear_kernel: int = Field(
        0, ge=0, le=63, description="Learnable linear filter path size (odd; 0 = off; CT kernels)."
    )
    lr: float | None = Field(None, gt=0, description="Learning rate (default: per model).")
    lambda_l1: float | None = Field(
        None, ge=0, description="L1 to the paired target (pix2pix 100, stargan 100)."
    )
    lambda_cycle: float = Field(10.0, ge=0, description="CycleGAN cycle-consistency weight.")
    lambda_identity: float = Field(5.0, ge=0, description="CycleGAN identity weight.")
    lambda_cls: float = Field(1.0, ge=0, description="StarGAN domain-classification weight.")
    lambda_rec: float = Field(10.0, ge=0, description="StarGAN reconstruction weight.")
    timesteps: int = Field(1000, ge=10, description="Diffusion chain length.")
    sample_steps: int = Field(25, ge=1, description="DDIM steps when translating (diffusion).")
    steps: int | None = Field(None, ge=1, description="Stop after this many steps.")
    minutes: float | None = Field(None, gt=0, description="Stop after this much training time.")
    checkpoint_every: int = Field(100, ge=1, description="Steps between checkpoints.")
    log_every: int = Field(10, ge=1, description="Steps between logged losses.")
    seed: int = Field(0, description="Seed for every RNG.")
    device: str = Field("auto", description="cpu, cuda or auto.")
    out: str = Field(description="Run directory.")

    # the command line gives domains as one comma-separated string
    _split_domains = field_validator("domains", mode="before")(comma_list_or_none)

    @model_validator(mode="after")
    def _resolve(self) -> TranslateConfig:
        if self.steps is None and self.minutes is None:
            raise ValueError("give steps or minutes")
        if self.model == "stargan":
            if self.source or self.target:
                raise ValueError("stargan converts among --domains; do not give source/target")
        elif not (self.source and self.target) or self.source == self.target:
            raise ValueError(f"{self.model} needs two different domains: source and target")
        if self.lr is None:
            self.lr = 1e-3 if self.model == "diffusion" else 2e-4
        if self.lambda_l1 is None:
            self.lambda_l1 = 100.0
        return self

    def domain_list(self, available: list[str]) -> list[str]:
        """The domains this model uses, in channel order (source first for two-domain models)."""
        if self.model == "stargan":
            return self.domains or available
        return [self.source, self.target]  # type: ignore[list-item]
