"""MedMNIST-style ``.npz`` stacks: ``{split}_images`` (N, H, W) with ``{split}_labels``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from radgen.errors import RadgenError
from radgen.io.image import MedicalImage
from radgen.io.paths import check_finite, existing, writable
from radgen.io.synthetic import marker_text

SYNTHETIC_KEY = "radgen_synthetic"


def read_npz_splits(path: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Every split of a MedMNIST-style file as (images (N, H, W), labels (N,) or None)."""
    p = existing(path)
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception as exc:
        raise RadgenError(f"not a readable .npz file ({exc})", p) from exc
    splits = {}
    for key, images in arrays.items():
        if not key.endswith("images"):
            continue
        split = key[: -len("images")].rstrip("_") or "all"
        if images.ndim == 4 and images.shape[-1] in (1, 3):
            images = images.mean(axis=-1)
        if images.ndim != 3:
            raise RadgenError(f"'{key}' must be (N, H, W), got shape {images.shape}", p)
        check_finite(images.astype(np.float32), p)
        labels = arrays.get(key[: -len("images")] + "labels")
        splits[split] = (images, None if labels is None else labels.reshape(len(labels), -1)[:, 0])
    if not splits:
        raise RadgenError("no '*images' array: not a MedMNIST-style .npz", p)
    return splits


def read_npz_image(path: str | Path, split: str | None = None) -> MedicalImage:
    """One split of an ``.npz`` as a stack volume indexed (column, row, image)."""
    splits = read_npz_splits(path)
    name = split or next(iter(splits))
    if name not in splits:
        raise RadgenError(f"no split '{name}'; the file has {sorted(splits)}", path)
    images, labels = splits[name]
    meta = {"split": name, "labels": labels}
    return MedicalImage(np.transpose(images, (2, 1, 0)).astype(np.float32), meta=meta, source=path)


def write_npz_samples(
    path: str | Path,
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    class_names: Sequence[str] = (),
    note: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write generated (N, H, W) images MedMNIST-style, marked synthetic inside the file."""
    p = writable(path, overwrite)
    arrays: dict[str, np.ndarray] = {"images": np.asarray(images)}
    if labels is not None:
        arrays["labels"] = np.asarray(labels)
    if class_names:
        arrays["class_names"] = np.asarray(list(class_names))
    np.savez_compressed(p, **arrays, **{SYNTHETIC_KEY: np.asarray(marker_text(note))})
    return p


def npz_is_synthetic(path: str | Path) -> bool:
    with np.load(existing(path), allow_pickle=False) as data:
        return SYNTHETIC_KEY in data.files
