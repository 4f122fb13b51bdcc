"""One contract for every trained image model: ``sample`` draws images, and models with a
latent also ``encode`` an image into it and ``decode`` it back. Sampling and editing call these
methods, so no caller needs to know which model a run holds.

Images cross the contract as (N, 1, H, W) tensors in [-1, 1] on the model's device.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from radgen.errors import RadgenError
from radgen.runs.loop import CheckpointedTask


def class_index(name: str, class_names: tuple[str, ...], what: str = "label") -> int:
    """A class given by name or index, as users type it on the command line."""
    if name in class_names:
        return class_names.index(name)
    if name.isdigit() and int(name) < len(class_names):
        return int(name)
    raise RadgenError(f"unknown {what} '{name}'; choose one of {list(class_names)}")


@dataclass(frozen=True)
class SampleOptions:
    """How to draw: what only diffusion uses is ignored by the others."""

    sampler: str = "ddim"
    steps: int = 50
    eta: float = 0.0
    guidance: float = 3.0
    classifier: torch.nn.Module | None = None
    classifier_scale: float = 0.0


class ImageTask(CheckpointedTask):
    """A trainable image model. Generative tasks override ``sample`` (and ``encode``/``decode``
    when they have a latent); the others refuse with a clear error."""

    kind = "model"

    def sample(
        self,
        n: int,
        labels: torch.Tensor | None,
        generator: torch.Generator,
        options: SampleOptions = SampleOptions(),
    ) -> torch.Tensor:
        raise RadgenError(
            f"a {self.kind} run cannot draw images; sample from a vae, gan, cgan or ddpm run"
        )

    def encode(
        self, images: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        raise RadgenError(f"a {self.kind} run has no latent to encode into")

    def decode(
        self, latent: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        raise RadgenError(f"a {self.kind} run has no latent to decode from")
