"""Memorization audit and outlier flags: is a synthetic image a copy of a patient, or far
from anything real?

Both thresholds are calibrated on real held-out images, which the generator never saw:
- a synthetic image is a near-copy when it lies closer to its nearest training image (in
  encoder features or in lightly pooled pixels) than ``copy_margin`` times the 1st percentile
  of held-out -> training nearest-neighbour distances in that space;
- it is an outlier when its distance to the k-th nearest real image exceeds the 99th
  percentile of the same distance for held-out real images.
"""

from __future__ import annotations

import numpy as np
from skimage.transform import downscale_local_mean

from radgen.metrics.distribution import nearest, pairwise_distances
from radgen.metrics.diversity import ssim


def pixel_vectors(images: np.ndarray) -> np.ndarray:
    """2x2-averaged pixels scaled so Euclidean distance is a per-pixel RMS difference.

    Averaging makes the distance robust to light noise, which a feature encoder may not be.
    """
    pooled = downscale_local_mean(images, (1, 2, 2))
    return pooled.reshape(len(images), -1) / np.sqrt(pooled[0].size)


def memorization_audit(
    train_feats: np.ndarray,
    holdout_feats: np.ndarray,
    synth_feats: np.ndarray,
    train_images: np.ndarray,
    holdout_images: np.ndarray,
    synth_images: np.ndarray,
    copy_margin: float = 0.5,
    quantile: float = 1.0,
) -> dict:
    """Nearest training image of every synthetic one (features and pixels) and the copies.

    A synthetic image is a near-copy when, in either space, it is closer to its nearest
    training image than ``copy_margin`` x the ``quantile``-th percentile of the same distance
    for held-out real images.
    """
    thresholds, dists, idxs = {}, {}, {}
    spaces = {
        "feature": (train_feats, holdout_feats, synth_feats),
        "pixel": (
            pixel_vectors(train_images),
            pixel_vectors(holdout_images),
            pixel_vectors(synth_images),
        ),
    }
    holdout_flags = np.zeros(len(holdout_feats), bool)
    for name, (train, hold, synth) in spaces.items():
        _, hold_d = nearest(hold, train)
        thresholds[name] = copy_margin * float(np.percentile(hold_d, quantile))
        idxs[name], dists[name] = nearest(synth, train)
        holdout_flags |= hold_d < thresholds[name]
    flagged = (dists["feature"] < thresholds["feature"]) | (dists["pixel"] < thresholds["pixel"])
    idx = idxs["pixel"]
    pixel_ssim = np.array(
        [ssim(s, train_images[i]) for s, i in zip(synth_images, idx, strict=True)]
    )
    return {
        "threshold": thresholds["feature"],
        "pixel_threshold": thresholds["pixel"],
        "nn_index": idx,
        "nn_distance": dists["feature"],
        "nn_pixel_rmse": dists["pixel"],
        "nn_ssim": pixel_ssim,
        "flagged": flagged,
        "memorized_fraction": float(flagged.mean()),
        "holdout_flagged_fraction": float(holdout_flags.mean()),
        "holdout_nn_distance_median": float(np.median(nearest(holdout_feats, train_feats)[1])),
    }


def outlier_flags(
    real_feats: np.ndarray,
    holdout_feats: np.ndarray,
    synth_feats: np.ndarray,
    k: int = 5,
    quantile: float = 99.0,
) -> dict:
    """Anomaly score = distance to the k-th nearest real image; flagged above held-out's q99."""

    def score(x: np.ndarray) -> np.ndarray:
        return np.sort(pairwise_distances(x, real_feats), axis=1)[:, k - 1]

    threshold = float(np.percentile(score(holdout_feats), quantile))
    scores = score(synth_feats)
    flagged = scores > threshold
    return {
        "threshold": threshold,
        "scores": scores,
        "flagged": flagged,
        "outlier_fraction": float(flagged.mean()),
    }
