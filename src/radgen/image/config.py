"""Image configurations (train, sample, edit): pydantic objects shared by the CLI and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ModelName = Literal["classifier", "noisy-classifier", "vae", "gan", "cgan", "ddpm"]
DEFAULT_LR = {
    "classifier": 1e-3,
    "noisy-classifier": 1e-3,
    "vae": 1e-3,
    "gan": 2e-4,
    "cgan": 2e-4,
    "ddpm": 1e-3,
}
DEFAULT_WIDTH = {
    "classifier": 32,
    "noisy-classifier": 32,
    "vae": 32,
    "gan": 64,
    "cgan": 64,
    "ddpm": 32,
}


class DiffusionOptions(BaseModel):
    """Diffusion settings (also used by ``noisy-classifier``, which must share the schedule)."""

    model_config = ConfigDict(extra="forbid")

    schedule: Literal["linear", "cosine"] = Field("cosine", description="Noise schedule.")
    prediction: Literal["epsilon", "v"] = Field("v", description="What the network predicts.")
    timesteps: int = Field(1000, ge=10, description="Length of the forward chain.")
    cfg_dropout: float = Field(0.15, ge=0, le=1, description="Label dropout for CFG training.")
    min_snr_gamma: float | None = Field(5.0, description="Min-SNR loss weighting (None: off).")
    ema_decay: float = Field(0.999, ge=0, lt=1, description="EMA decay of the sampled weights.")
    mults: tuple[int, ...] = Field((1, 2, 4), description="Channel multipliers per UNet level.")
    patch: int = Field(2, ge=1, description="Space-to-depth factor before the UNet.")


class GANOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    z_dim: int = Field(128, ge=2, description="Latent size.")
    ema_decay: float = Field(0.999, ge=0, lt=1, description="EMA decay of the generator.")


class VAEOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latent_dim: int = Field(32, ge=2, description="Latent size.")
    beta: float = Field(1.0, ge=0, description="Weight of the KL term.")


FIXED_32 = ("gan", "cgan", "vae")  # 4x4 -> 32x32 generators and decoders


class TrainConfig(BaseModel):
    """Everything a training run needs; saved as ``config.yaml`` in the run directory."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: ModelName = Field(description="Which model to train.")
    conditional: bool = Field(False, description="Class-conditional (cgan always is).")
    dataset: str = Field("pneumoniamnist", description="Registered dataset name.")
    data_path: str | None = Field(None, description="Folder for the 'folder' dataset.")
    labels_csv: str | None = Field(None, description="filename,label CSV for 'folder'.")
    size: int = Field(32, ge=8, le=512, description="Training resolution (pixels, square).")
    batch_size: int = Field(64, ge=1, description="Images per optimisation step.")
    lr: float | None = Field(None, gt=0, description="Learning rate (None: the model's default).")
    width: int | None = Field(None, ge=4, description="Base channel width (None: default).")
    steps: int | None = Field(None, ge=1, description="Stop after this many steps.")
    minutes: float | None = Field(None, gt=0, description="Stop after this much training time.")
    checkpoint_every: int = Field(200, ge=1, description="Steps between checkpoints.")
    log_every: int = Field(10, ge=1, description="Steps between logged losses.")
    seed: int = Field(0, description="Seed for every RNG (MONAI set_determinism).")
    device: str = Field("auto", description="cpu, cuda or auto.")
    nproc: int = Field(
        1, ge=1, description="Data-parallel processes (gloo on CPU, NCCL on GPUs); 1: none."
    )
    out: str = Field(description="Run directory.")
    diffusion: DiffusionOptions = Field(default_factory=DiffusionOptions)
    gan: GANOptions = Field(default_factory=GANOptions)
    vae: VAEOptions = Field(default_factory=VAEOptions)

    @model_validator(mode="after")
    def _resolve(self) -> TrainConfig:
        if self.steps is None and self.minutes is None:
            raise ValueError("give steps or minutes")
        if self.model in FIXED_32 and self.size != 32:
            raise ValueError(
                f"the {self.model} networks are built for 32x32 images, not {self.size}; use"
                " --size 32, or ddpm (any multiple of 8)"
            )
        if self.model == "cgan":
            self.conditional = True
        if self.lr is None:
            self.lr = DEFAULT_LR[self.model]
        if self.width is None:
            self.width = DEFAULT_WIDTH[self.model]
        return self

    @property
    def needs_labels(self) -> bool:
        return self.conditional or self.model in ("classifier", "noisy-classifier")


class SampleConfig(BaseModel):
    """How many images to draw from which run, how, and where to write them."""

    model_config = ConfigDict(extra="forbid")

    run: str = Field(description="Run directory of a trained vae/gan/cgan/ddpm.")
    n: int = Field(500, ge=1, description="Number of images.")
    label: str | None = Field(None, description="Class name or index; default: balanced.")
    sampler: Literal["ddim", "ddpm"] = Field("ddim", description="Diffusion sampler.")
    steps: int = Field(50, ge=1, description="DDIM steps (DDPM always uses the full chain).")
    eta: float = Field(0.0, ge=0, le=1, description="DDIM noise: 0 deterministic, 1 DDPM-like.")
    guidance: float = Field(
        1.5,
        description="Classifier-free guidance scale (1: none). 1.5 gave the most faithful and"
        " diverse samples on the validation split (bench_fidelity); 3 favours the class asked for.",
    )
    classifier: str | None = Field(None, description="noisy-classifier run for guidance.")
    classifier_scale: float = Field(0.0, ge=0, description="Classifier guidance strength.")
    format: Literal["npz", "png", "nifti", "dicom"] = Field("npz", description="Output format.")
    batch_size: int = Field(250, ge=1, description="Images generated at once.")
    seed: int = Field(0, description="Seed of the starting noise.")
    device: str = Field("auto", description="cpu, cuda or auto.")
    out: str = Field(description="Output folder.")


EditMethod = Literal["sdedit", "ddim-switch", "inpaint", "gan-invert", "gan-direction"]
GAN_METHODS = ("gan-invert", "gan-direction")


class EditConfig(BaseModel):
    """What to edit, with which trained run and method, and where to write it."""

    model_config = ConfigDict(extra="forbid")

    run: str = Field(description="Run directory of a trained class-conditional ddpm.")
    input: str = Field(description="An image (PNG, DICOM, NIfTI) or a folder of them.")
    method: EditMethod = Field(
        "sdedit", description="sdedit, ddim-switch, inpaint, gan-invert or gan-direction."
    )
    target: str | None = Field(
        None, description="Target class name or index (sdedit, ddim-switch; inpaint: optional)."
    )
    source: str | None = Field(
        None,
        description="The image's own class: ddim-switch inverts with it (default: the"
        " target); sdedit --start inverted too (default: unconditional).",
    )
    strength: float = Field(
        0.6, ge=0, le=5, description="SDEdit noise level (0-1); gan-direction: class gaps."
    )
    steps: int = Field(50, ge=1, description="DDIM steps.")
    guidance: float | None = Field(
        None,
        description="Classifier-free guidance toward the target (default: 5 for sdedit, the"
        " setting chosen on tuning images in bench_editing; 3 for ddim-switch).",
    )
    start: Literal["random", "inverted"] = Field(
        "inverted",
        description="sdedit: start from the image's own DDIM-inverted noise (inverted with"
        " --source when given, which edits better, else unconditionally) or from random noise"
        " (the original SDEdit).",
    )
    mask: str | None = Field(None, description="Inpainting mask image: nonzero = fill.")
    resample: int = Field(5, ge=1, le=50, description="RePaint resampling per step.")

    def guidance_scale(self) -> float:
        """The guidance this method uses: the given one, else the method's default."""
        if self.guidance is not None:
            return self.guidance
        return 5.0 if self.method == "sdedit" else 3.0

    gan_steps: int = Field(
        200, ge=1, description="GAN inversion: latent steps (tuning half, encoder 3x as many)."
    )
    seed: int = Field(0)
    device: str = Field("auto", description="cpu, cuda or auto.")
    out: str = Field(description="Output folder.")
    format: Literal["png", "nifti", "dicom"] = Field("png", description="Output format.")


def merged_config(
    defaults: dict[str, Any],
    config_file: str | Path | None,
    given: dict[str, Any],
    settings: list[str],
) -> TrainConfig:
    """Command-line defaults, then a config file, then the options actually typed, then
    ``key=value`` settings (dotted keys reach nested options)."""
    from radgen.errors import RadgenError
    from radgen.runs.settings import merge_settings

    data = merge_settings(defaults, config_file, given, settings)
    if not data.get("model"):
        raise RadgenError("give --model (or model: in the --config file)")
    return TrainConfig(**data)
