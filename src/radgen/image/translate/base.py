"""What every translation model shares: paired random crops, whole-slice inference, a preview."""

from __future__ import annotations

import time

import numpy as np
import torch

from radgen.data.pairs import Intensity, display
from radgen.image.translate.nets import pad_to_multiple
from radgen.io.raster import write_montage
from radgen.runs.loop import CheckpointedTask
from radgen.runs.rundir import RunDir


def random_crops(slices: torch.Tensor, size: int) -> torch.Tensor:
    """One random ``size`` crop per sample, the same window across its domain channels."""
    b, _, h, w = slices.shape
    if h <= size and w <= size:
        return slices
    size_h, size_w = min(size, h), min(size, w)
    ys = torch.randint(0, h - size_h + 1, (b,)).tolist()
    xs = torch.randint(0, w - size_w + 1, (b,)).tolist()
    return torch.stack(
        [s[:, y : y + size_h, x : x + size_w] for s, y, x in zip(slices, ys, xs, strict=True)]
    )


class TranslationTask(CheckpointedTask):
    """Base class: subclasses define ``train_step`` and ``_translate`` on padded batches."""

    multiple: int = 1
    preview_seconds: float = 60.0  # at most one preview per minute: diffusion previews cost

    def __init__(
        self,
        domains: tuple[str, ...],
        intensity: Intensity,
        crop: int,
        preview: torch.Tensor,
        device: torch.device | str,
    ) -> None:
        self.domains, self.intensity, self.crop = domains, intensity, crop
        self.preview, self.device = preview.to(device), device
        self._last_preview = float("-inf")

    def targets(self) -> tuple[str, ...]:
        """Domains this model can translate into."""
        return self.domains[1:]

    def _translate(self, x: torch.Tensor, target: int) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def translate(self, x: torch.Tensor, target: str) -> torch.Tensor:
        """(B, 1, H, W) source slices in network units -> the same in the ``target`` domain."""
        padded, (h, w) = pad_to_multiple(x.to(self.device), self.multiple)
        return self._translate(padded, self.domains.index(target))[..., :h, :w]

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        """Overwrite ``figures/preview.png``: source | output | target for each target domain
        (at most once per ``preview_seconds``; small datasets end an epoch every few steps)."""
        if time.monotonic() - self._last_preview < self.preview_seconds:
            return {}
        self._last_preview = time.monotonic()
        src = self.preview[:, :1]
        tiles = []
        for target in self.targets():
            out = self.translate(src, target)
            ref = self.preview[:, self.domains.index(target)][:, None]
            tiles += [src[0, 0], out[0, 0], ref[0, 0]]
        images = display(torch.stack(tiles).cpu().numpy(), self.intensity)
        write_montage(
            np.asarray(images), run.figures / "preview.png", ncols=3, scale=1,
            synthetic=True, overwrite=True,
        )  # fmt: skip
        return {}
