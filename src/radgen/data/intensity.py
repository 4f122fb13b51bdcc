"""Intensity preprocessing: CT windowing presets and MRI percentile normalisation."""

from __future__ import annotations

import numpy as np

from radgen.errors import RadgenError

# (level, width) in Hounsfield units, as read on a PACS.
CT_WINDOWS: dict[str, tuple[float, float]] = {
    "lung": (-600.0, 1500.0),
    "mediastinum": (40.0, 400.0),
    "brain": (40.0, 80.0),
    "bone": (400.0, 1800.0),
}


def window_bounds(preset: str) -> tuple[float, float]:
    """(low, high) HU of a named window; raises listing the valid names."""
    if preset not in CT_WINDOWS:
        raise RadgenError(f"unknown CT window '{preset}'; choose one of {sorted(CT_WINDOWS)}")
    level, width = CT_WINDOWS[preset]
    return level - width / 2, level + width / 2


def apply_window(
    hu: np.ndarray,
    preset: str | None = None,
    level: float | None = None,
    width: float | None = None,
) -> np.ndarray:
    """Map HU to [0, 1] through a named preset or an explicit level/width."""
    if preset is not None:
        low, high = window_bounds(preset)
    elif level is not None and width is not None and width > 0:
        low, high = level - width / 2, level + width / 2
    else:
        raise RadgenError("give a window preset, or a level and a positive width")
    return np.clip((np.asarray(hu, dtype=np.float32) - low) / (high - low), 0.0, 1.0)


def percentile_normalise(
    image: np.ndarray,
    lower: float = 1.0,
    upper: float = 99.0,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Scale MRI to [0, 1] between two percentiles (of the mask when given): MR has no units."""
    if not 0 <= lower < upper <= 100:
        raise RadgenError(
            f"percentiles must satisfy 0 <= lower < upper <= 100, got {lower}, {upper}"
        )
    values = np.asarray(image, dtype=np.float32)
    sample = values[mask > 0] if mask is not None else values
    if sample.size == 0:
        raise RadgenError("the normalisation mask is empty")
    lo, hi = np.percentile(sample, [lower, upper])
    return np.clip((values - lo) / max(float(hi - lo), 1e-8), 0.0, 1.0)
