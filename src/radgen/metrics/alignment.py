"""Copies under augmentation: the distance between two images after the best flip, small
rotation, shift and intensity scaling that aligns them, and which transform that was.

Training pipelines flip, shift, rotate and rescale intensities, so a generator that memorised
a patient can return that patient flipped or shifted. Plain nearest-neighbour distances miss
those copies. Here each query image is tried under every transform of a small grid against
the few training images a coarse, transform-tolerant descriptor proposes; every crop is
standardised (zero mean, unit variance), so intensity scaling and offsets cancel.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import gaussian_filter, rotate

FLIPS = ("none", "hflip", "vflip")
ROTATIONS = (-10.0, -7.5, -5.0, -2.5, 0.0, 2.5, 5.0, 7.5, 10.0)


def _standardise(x: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance along the last axis (intensity scale and offset removed)."""
    x = x - x.mean(-1, keepdims=True)
    return x / np.maximum(x.std(-1, keepdims=True), 1e-6)


def _flip(img: np.ndarray, flip: str) -> np.ndarray:
    """Flip one image (H, W) or a stack (N, H, W) left-right or up-down."""
    return img[..., ::-1] if flip == "hflip" else img[..., ::-1, :] if flip == "vflip" else img


def _turn(stack: np.ndarray, angle: float, order: int = 3) -> np.ndarray:
    if angle == 0:
        return stack
    return rotate(stack, angle, axes=(1, 2), reshape=False, order=order, mode="nearest")


def descriptors(images: np.ndarray, size: int = 8) -> np.ndarray:
    """Blurred, standardised thumbnails: tolerant of small shifts and turns."""
    f = images.shape[-1] // size
    blurred = gaussian_filter(images.astype(np.float32), (0, f / 2, f / 2))
    h, w = (images.shape[1] // f) * f, (images.shape[2] // f) * f
    thumbs = blurred[:, :h, :w].reshape(len(images), h // f, f, w // f, f).mean((2, 4))
    return _standardise(thumbs.reshape(len(images), -1)) / np.sqrt(thumbs[0].size)


def spectra(images: np.ndarray, n: int = 12) -> np.ndarray:
    """Log magnitudes of the lowest spatial frequencies (Hann-windowed): unchanged by shifts,
    so a shifted copy stays near its original."""
    h, w = images.shape[1:]
    window = np.outer(np.hanning(h), np.hanning(w))
    x = images - images.mean((1, 2), keepdims=True)
    f = np.fft.fftshift(np.abs(np.fft.fft2(x * window)), axes=(1, 2))
    n = min(n, h // 2, w // 2)
    f = np.log1p(f[:, h // 2 - n : h // 2 + n, w // 2 - n : w // 2 + n]).reshape(len(x), -1)
    return _standardise(f) / np.sqrt(f.shape[1])


def candidates(
    query: np.ndarray, reference: np.ndarray, k: int = 8, k_shift: int = 16
) -> np.ndarray:
    """For each query, the reference images worth aligning: the ``k`` closest by thumbnail
    and the ``k_shift`` closest by spectrum, under any flip and (spectra) a few small turns."""
    picks = []
    searches = ((descriptors, k, (0.0,)), (spectra, k_shift, (-8.0, -4.0, 0.0, 4.0, 8.0)))
    for describe, kk, angles in searches:
        ref = describe(reference)
        best = np.full((len(query), len(reference)), np.inf, np.float32)
        for flip in FLIPS:
            for angle in angles:
                q = describe(_turn(_flip(query, flip), angle, order=1))
                best = np.minimum(best, 2 - 2 * (q @ ref.T))  # squared distance, unit vectors
        kk = min(kk, len(reference))
        picks.append(np.argpartition(best, kk - 1, axis=1)[:, :kk])
    return np.concatenate(picks, axis=1)


def _variants(stack: np.ndarray) -> tuple[np.ndarray, list[tuple[str, float]]]:
    """Every flip and rotation of a stack: (N, V, H, W) and the V (flip, angle) names."""
    out, names = [], []
    for flip in FLIPS:
        flipped = _flip(stack, flip)
        for angle in ROTATIONS:
            out.append(_turn(flipped, angle))
            names.append((flip, angle))
    return np.stack(out, axis=1).astype(np.float32), names


def aligned_nearest(
    query: np.ndarray,
    reference: np.ndarray,
    max_shift: int = 3,
    k: int = 8,
    exclude: np.ndarray | None = None,
    chunk: int = 128,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """For each query image: the smallest RMS difference of standardised central crops over
    flips, rotations (±10°) and shifts (±``max_shift`` px), the reference index it matched and
    the transform, e.g. ``"hflip, rot 5°, shift (2, -1)"``.

    ``exclude`` (boolean, per reference image) leaves images out of the search, e.g. held-out
    images that are part of the training folder when calibrating on them.
    """
    query = np.asarray(query, np.float32)
    reference = np.asarray(reference, np.float32)
    ref_pool = np.arange(len(reference)) if exclude is None else np.flatnonzero(~exclude)
    cand = ref_pool[candidates(query, reference[ref_pool], k)]
    m = max_shift
    h, w = query.shape[1] - 2 * m, query.shape[2] - 2 * m
    targets = _standardise(reference[:, m : m + h, m : m + w].reshape(len(reference), -1))
    dist = np.empty(len(query))
    index = np.empty(len(query), np.int64)
    names: list[str] = []
    for c0 in range(0, len(query), chunk):
        variants, meta = _variants(query[c0 : c0 + chunk])
        for b, vs in enumerate(variants):
            i = c0 + b
            windows = sliding_window_view(vs, (h, w), axis=(1, 2))  # (V, 2m+1, 2m+1, h, w)
            crops = _standardise(windows.reshape(-1, h * w))
            sq = 2 - 2 * (crops @ targets[cand[i]].T) / (h * w)  # mean squared difference
            flat = int(np.argmin(sq))
            v, rest = divmod(flat, sq.shape[1] * (2 * m + 1) ** 2)
            s, j = divmod(rest, sq.shape[1])
            dy, dx = divmod(s, 2 * m + 1)
            dist[i] = float(np.sqrt(max(sq.flat[flat], 0.0)))
            index[i] = cand[i][j]
            flip, angle = meta[v]
            parts = [
                flip if flip != "none" else "",
                f"rot {angle:g}°" if angle else "",
                f"shift ({dy - m}, {dx - m})" if (dy, dx) != (m, m) else "",
            ]
            names.append(", ".join(p for p in parts if p) or "identity")
    return dist, index, names
