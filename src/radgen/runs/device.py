"""``--device cpu|cuda|auto`` resolved once, with a clear error when CUDA is absent."""

from __future__ import annotations

import torch

from radgen.errors import RadgenError

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str = "auto") -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` on a machine without it is an error."""
    if name not in DEVICES and not name.startswith("cuda:"):
        raise RadgenError(f"unknown device '{name}'; choose one of {list(DEVICES)}")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RadgenError("--device cuda asked for, but no CUDA GPU is available")
    return torch.device(name)
