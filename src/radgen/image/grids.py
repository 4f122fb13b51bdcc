"""Labelled sample grids of generated images, marked synthetic."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from radgen.io import write_montage


def write_class_grid(
    images: np.ndarray,
    labels: torch.Tensor | np.ndarray | None,
    class_names: Sequence[str],
    path: Path,
    ncols: int = 8,
) -> Path:
    """(N, H, W) images in [0, 1], captioned with their class, as a SYNTHETIC montage."""
    captions = None
    if labels is not None and len(class_names):
        captions = [class_names[int(i)] for i in np.asarray(torch.as_tensor(labels).cpu())]
    return write_montage(
        images, path, captions=captions, ncols=ncols, synthetic=True, overwrite=True
    )
