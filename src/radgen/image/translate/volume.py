"""Translate a whole 2D image or 3D volume slice by slice, keeping its geometry."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from radgen.data.pairs import from_network, slices_to_volume, to_network, volume_to_slices
from radgen.errors import RadgenError
from radgen.image.translate.base import TranslationTask
from radgen.io import MedicalImage


def translate_slices(
    task: TranslationTask,
    slices: np.ndarray,
    target: str,
    *,
    batch_size: int = 8,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """(N, H, W) slices in network units -> translated slices, ``batch_size`` at a time."""
    out = []
    for i in range(0, len(slices), batch_size):
        x = torch.as_tensor(slices[i : i + batch_size], dtype=torch.float32)[:, None]
        out.append(task.translate(x, target)[:, 0].cpu().numpy())
        if on_batch is not None:
            on_batch(len(x))
    return np.concatenate(out).astype(np.float32)


def translate_image(
    task: TranslationTask,
    image: MedicalImage,
    target: str,
    *,
    batch_size: int = 8,
    on_batch: Callable[[int], None] | None = None,
) -> MedicalImage:
    """Translate every axial slice of ``image`` into ``target``; same affine and spacing."""
    if target not in task.targets():
        raise RadgenError(f"this run translates into {list(task.targets())}, not '{target}'")
    arr = image.array
    if arr.ndim not in (2, 3):
        raise RadgenError(
            f"translation models work on 2D slices of a 2D or 3D image; got a {arr.ndim}D image"
            f" of shape {arr.shape} (split 4D series into 3D volumes first)",
            image.source,
        )
    volume = arr[:, :, None] if arr.ndim == 2 else arr
    slices = volume_to_slices(to_network(volume, task.intensity))
    out = translate_slices(task, slices, target, batch_size=batch_size, on_batch=on_batch)
    result = slices_to_volume(from_network(out, task.intensity))
    return image.with_array(result[:, :, 0] if arr.ndim == 2 else result)
