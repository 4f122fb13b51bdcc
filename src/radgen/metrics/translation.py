"""Paired image-translation metrics inside a region: PSNR, SSIM and MAE."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from skimage.metrics import structural_similarity

from radgen.errors import RadgenError


def psnr_db(mse: float, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB from a mean squared error."""
    return float(10 * np.log10(data_range**2 / max(mse, 1e-12)))


def body_mask(hu: np.ndarray, threshold: float = -500.0) -> np.ndarray:
    """Per-slice body mask of (N, H, W) CT in HU: the largest connected region above
    ``threshold``, holes (lungs, airways) filled, so the table and outside air are excluded."""
    masks = []
    for s in np.asarray(hu):
        labels, n = ndimage.label(s > threshold)
        if n == 0:
            masks.append(np.zeros_like(s, dtype=bool))
            continue
        sizes = ndimage.sum(np.ones_like(s), labels, index=np.arange(1, n + 1))
        masks.append(ndimage.binary_fill_holes(labels == 1 + int(np.argmax(sizes))))
    return np.stack(masks)


def paired_scores(
    pred: np.ndarray, target: np.ndarray, mask: np.ndarray, data_range: float
) -> dict[str, float]:
    """PSNR (dB, from the MSE inside ``mask``), SSIM (mean of the SSIM map inside ``mask``)
    and MAE (inside ``mask``, in the images' units) of (N, H, W) stacks."""
    if pred.shape != target.shape or mask.shape != target.shape:
        raise RadgenError(f"shapes differ: {pred.shape}, {target.shape}, mask {mask.shape}")
    if not mask.any():
        raise RadgenError("the evaluation mask is empty")
    diff = (pred - target)[mask]
    mse = float(np.mean(diff**2))
    ssim_values = []
    for p, t, m in zip(pred, target, mask, strict=True):
        if m.any():
            _, smap = structural_similarity(t, p, data_range=data_range, full=True)
            ssim_values.append(smap[m])
    return {
        "psnr": psnr_db(mse, data_range),
        "ssim": float(np.mean(np.concatenate(ssim_values))),
        "mae": float(np.mean(np.abs(diff))),
    }
