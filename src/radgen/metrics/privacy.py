"""Memorization audit and outlier flags: is a synthetic image a copy of a patient, or far
from anything real?

Both thresholds are calibrated on real held-out images, which the generator never saw:
- a synthetic image is a near-copy when it lies closer to its nearest training image than
  ``copy_margin`` times the 1st percentile of held-out -> training nearest-neighbour distances,
  in any of three spaces: encoder features, lightly pooled pixels, and pixels after the best
  flip, rotation, shift and intensity scaling (copies under augmentation);
- it is an outlier when its distance to the k-th nearest real image exceeds the 99th
  percentile of the same distance for held-out real images.

What the audit cannot see: copies of a patch or crop of a training image, heavy deformations,
and copies of patients who are not in the reference set.
"""

from __future__ import annotations

import numpy as np
from skimage.transform import downscale_local_mean

from radgen.metrics.alignment import aligned_nearest
from radgen.metrics.distribution import nearest, pairwise_distances
from radgen.metrics.diversity import ssim

BLIND_SPOTS = (
    "The audit cannot see copies of a patch or crop of a training image, heavy deformations,"
    " or copies of patients who are not in the reference set."
)


def pixel_vectors(images: np.ndarray) -> np.ndarray:
    """2x2-averaged pixels scaled so Euclidean distance is a per-pixel RMS difference.

    Averaging makes the distance robust to light noise, which a feature encoder may not be.
    """
    pooled = downscale_local_mean(images, (1, 2, 2))
    return pooled.reshape(len(images), -1) / np.sqrt(pooled[0].size)


def _nearest_excluding(
    query: np.ndarray, reference: np.ndarray, exclude: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    if exclude is None or not exclude.any():
        return nearest(query, reference)
    keep = np.flatnonzero(~exclude)
    idx, d = nearest(query, reference[keep])
    return keep[idx], d


def memorization_audit(
    train_feats: np.ndarray,
    holdout_feats: np.ndarray,
    synth_feats: np.ndarray,
    train_images: np.ndarray,
    holdout_images: np.ndarray,
    synth_images: np.ndarray,
    copy_margin: float = 0.5,
    quantile: float = 1.0,
    holdout_in_train: np.ndarray | None = None,
    aligned_quantile: float = 5.0,
) -> dict:
    """Nearest training image of every synthetic one (features, pixels, aligned pixels) and
    the copies, with the transform that matched.

    ``holdout_in_train`` (boolean per training image) marks training images that are the
    held-out ones (a folder split in two): calibration leaves them out, so a held-out image
    is never its own neighbour; synthetic images are searched against all of them.

    The aligned space calibrates on the 5th percentile (``aligned_quantile``): searching over
    transforms brings real neighbours closer, and near-duplicate pairs that real datasets hold
    (PneumoniaMNIST has some across its splits) would otherwise pull the 1st percentile to 0.
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
        _, hold_d = _nearest_excluding(hold, train, holdout_in_train)
        thresholds[name] = copy_margin * float(np.percentile(hold_d, quantile))
        idxs[name], dists[name] = nearest(synth, train)
        holdout_flags |= hold_d < thresholds[name]
    hold_a, _, _ = aligned_nearest(holdout_images, train_images, exclude=holdout_in_train)
    thresholds["aligned"] = copy_margin * float(np.percentile(hold_a, aligned_quantile))
    dists["aligned"], idxs["aligned"], transforms = aligned_nearest(synth_images, train_images)
    holdout_flags |= hold_a < thresholds["aligned"]
    by_space = {name: dists[name] < thresholds[name] for name in dists}
    flagged = by_space["feature"] | by_space["pixel"] | by_space["aligned"]
    # the matched training image: the aligned match when only alignment found the copy
    idx = np.where(by_space["aligned"] & ~by_space["pixel"], idxs["aligned"], idxs["pixel"])
    matched = [
        (t if by_space["aligned"][i] and not by_space["pixel"][i] else "identity")
        if flagged[i]
        else ""
        for i, t in enumerate(transforms)
    ]
    pixel_ssim = np.array(
        [ssim(s, train_images[i]) for s, i in zip(synth_images, idx, strict=True)]
    )
    return {
        "threshold": thresholds["feature"],
        "pixel_threshold": thresholds["pixel"],
        "aligned_threshold": thresholds["aligned"],
        "nn_index": idx,
        "nn_distance": dists["feature"],
        "nn_pixel_rmse": dists["pixel"],
        "nn_aligned_rmse": dists["aligned"],
        "nn_ssim": pixel_ssim,
        "flagged": flagged,
        "flagged_by": {name: int(v.sum()) for name, v in by_space.items()},
        "transform": matched,
        "memorized_fraction": float(flagged.mean()),
        "holdout_flagged_fraction": float(holdout_flags.mean()),
        "holdout_nn_distance_median": float(
            np.median(_nearest_excluding(holdout_feats, train_feats, holdout_in_train)[1])
        ),
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
