"""Atomic checkpoints: a crash mid-write never leaves a torn file behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from radgen.errors import RadgenError


def save_checkpoint(state: dict[str, Any], path: str | Path) -> Path:
    """Write to a temporary file, fsync, then rename over the old checkpoint."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    with tmp.open("wb") as fh:
        torch.save(state, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return p


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint`."""
    p = Path(path)
    if not p.is_file():
        raise RadgenError("no checkpoint here; was the run started with this directory?", p)
    try:
        return torch.load(p, map_location=map_location, weights_only=False)
    except Exception as exc:
        raise RadgenError(f"unreadable checkpoint ({exc})", p) from exc
