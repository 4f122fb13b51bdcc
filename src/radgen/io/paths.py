"""Path checks shared by readers and writers: clear errors, no silent overwrite."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from radgen.errors import RadgenError


def existing(path: str | Path) -> Path:
    """Return ``path`` as a Path, or raise a clear error when it does not exist."""
    p = Path(path).expanduser()
    if not p.exists():
        raise RadgenError("no such file or directory", p)
    return p


def writable(path: str | Path, overwrite: bool) -> Path:
    """Return ``path`` ready to write: parent created, refusing to replace without overwrite."""
    p = Path(path).expanduser()
    if p.exists() and not overwrite:
        raise RadgenError("already exists; pass --overwrite to replace it", p)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def check_finite(array: np.ndarray, path: Path | None) -> None:
    """Refuse arrays with NaN or infinity: they poison every later statistic."""
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    if bad:
        raise RadgenError(f"image holds {bad} NaN or infinite values out of {array.size}", path)
