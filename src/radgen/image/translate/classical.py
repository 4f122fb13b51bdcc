"""Classical kernel conversion, the baselines a learned model must beat: a Gaussian blur
(sharp -> soft) or an unsharp mask (soft -> sharp), each tuned on training slices."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import gaussian_filter

Filter = Callable[[np.ndarray], np.ndarray]


def gaussian_blur(sigma: float) -> Filter:
    return lambda x: np.stack([gaussian_filter(s, sigma) for s in x])


def unsharp_mask(sigma: float, amount: float) -> Filter:
    return lambda x: np.stack([s + amount * (s - gaussian_filter(s, sigma)) for s in x])


def tune_filter(
    source: np.ndarray,
    target: np.ndarray,
    mask: np.ndarray,
    candidates: dict[str, Filter],
) -> tuple[str, Filter]:
    """The candidate with the lowest MSE inside ``mask`` on the (training) slices."""
    errors = {
        name: float(np.mean((f(source) - target)[mask] ** 2)) for name, f in candidates.items()
    }
    best = min(errors, key=errors.__getitem__)
    return best, candidates[best]


def blur_candidates() -> dict[str, Filter]:
    return {
        f"gaussian sigma={s}": gaussian_blur(s) for s in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
    }


def sharpen_candidates() -> dict[str, Filter]:
    return {
        f"unsharp sigma={s} amount={a}": unsharp_mask(s, a)
        for s in (0.5, 1.0, 1.5, 2.0)
        for a in (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
    }


def fit_linear_filter(
    source: np.ndarray, target: np.ndarray, size: int = 21, samples: int = 100_000, seed: int = 0
) -> np.ndarray:
    """The ``size`` x ``size`` filter that best maps source to target slices in the
    least-squares sense (a Wiener-style fit on randomly sampled pixels)."""
    rng = np.random.default_rng(seed)
    r = size // 2
    per_slice = max(1, samples // len(source))
    rows, values = [], []
    for x, y in zip(source, target, strict=True):
        windows = sliding_window_view(np.pad(x, r, mode="edge"), (size, size))
        iy = rng.integers(0, y.shape[0], per_slice)
        ix = rng.integers(0, y.shape[1], per_slice)
        rows.append(windows[iy, ix].reshape(per_slice, -1))
        values.append(y[iy, ix])
    kernel, *_ = np.linalg.lstsq(np.concatenate(rows), np.concatenate(values), rcond=None)
    return kernel.reshape(size, size).astype(np.float32)


def linear_filter(kernel: np.ndarray) -> Filter:
    r = kernel.shape[0] // 2
    return lambda x: np.stack(
        [(sliding_window_view(np.pad(s, r, mode="edge"), kernel.shape) * kernel).sum((-1, -2))
         for s in x]
    )  # fmt: skip
