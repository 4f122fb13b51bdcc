"""Classical kernel conversion, the baselines a learned model must beat: a Gaussian blur
(sharp -> soft) or an unsharp mask (soft -> sharp), each tuned on training slices."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
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
