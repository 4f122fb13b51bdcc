"""Spatial preprocessing: resize, centre crop/pad, slice extraction, mask-based selection."""

from __future__ import annotations

import numpy as np
from skimage.transform import resize as _sk_resize

from radgen.errors import RadgenError


def resize(images: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    """Resize (H, W) or (N, H, W) images with anti-aliased linear interpolation."""
    hw = (size, size) if isinstance(size, int) else tuple(size)
    arr = np.asarray(images, dtype=np.float32)
    if arr.shape[-2:] == hw:
        return arr
    out_shape = (*arr.shape[:-2], *hw)
    return _sk_resize(arr, out_shape, order=1, anti_aliasing=True, preserve_range=True).astype(
        np.float32
    )


def center_crop_or_pad(images: np.ndarray, size: int, fill: float = 0.0) -> np.ndarray:
    """Crop or pad the last two axes to ``size`` around the centre (no resampling)."""
    arr = np.asarray(images)
    for axis in (-2, -1):
        n = arr.shape[axis]
        if n > size:
            start = (n - size) // 2
            arr = np.take(arr, range(start, start + size), axis=axis)
        elif n < size:
            before = (size - n) // 2
            pad = [(0, 0)] * arr.ndim
            pad[axis] = (before, size - n - before)
            arr = np.pad(arr, pad, constant_values=fill)
    return arr


def extract_slices(
    volume: np.ndarray, axis: int = 2, indices: np.ndarray | None = None
) -> np.ndarray:
    """2D slices of an (i, j, k) volume as (N, rows, cols) images in display orientation.

    radgen volumes are indexed (column, row, slice), so each slice is transposed to rows x cols.
    """
    if volume.ndim != 3:
        raise RadgenError(f"slice extraction needs a 3D volume, got {volume.ndim}D")
    idx = np.arange(volume.shape[axis]) if indices is None else np.asarray(indices)
    stack = np.moveaxis(np.take(volume, idx, axis=axis), axis, 0)
    return np.ascontiguousarray(np.swapaxes(stack, 1, 2))


def slices_with_mask(mask: np.ndarray, axis: int = 2, min_fraction: float = 0.0) -> np.ndarray:
    """Indices of slices whose mask covers more than ``min_fraction`` of the slice area."""
    if mask.ndim != 3:
        raise RadgenError(f"mask must be 3D, got {mask.ndim}D")
    other = tuple(a for a in range(3) if a != axis)
    coverage = (mask > 0).mean(axis=other)
    return np.flatnonzero(coverage > min_fraction)
