"""Pixel-space similarity: SSIM, a small-image MS-SSIM, and MS-SSIM diversity of a set."""

from __future__ import annotations

import numpy as np
from skimage.metrics import structural_similarity
from skimage.transform import downscale_local_mean

# Standard MS-SSIM weights for the finest three scales, renormalised: 28-64 px images
# cannot be halved five times.
SCALE_WEIGHTS = np.array([0.0448, 0.2856, 0.3001])
SCALE_WEIGHTS = SCALE_WEIGHTS / SCALE_WEIGHTS.sum()


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM of two 2D images in [0, 1]."""
    win = min(7, *(s - (1 - s % 2) for s in a.shape))
    return float(structural_similarity(a, b, data_range=1.0, win_size=win))


def ms_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Multi-scale SSIM over as many of three dyadic scales as the image size allows."""
    values, weights = [], []
    for w in SCALE_WEIGHTS:
        if min(a.shape) < 7:
            break
        values.append(max(ssim(a, b), 0.0))
        weights.append(w)
        a, b = downscale_local_mean(a, (2, 2)), downscale_local_mean(b, (2, 2))
    weights = np.asarray(weights) / np.sum(weights)
    return float(np.prod(np.asarray(values) ** weights))


def ms_ssim_diversity(images: np.ndarray, pairs: int = 500, seed: int = 0) -> float:
    """Mean MS-SSIM over random distinct pairs: higher means less diverse (1 = all identical)."""
    rng = np.random.default_rng(seed)
    n = len(images)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n
    return float(np.mean([ms_ssim(images[a], images[b]) for a, b in zip(i, j, strict=True)]))
