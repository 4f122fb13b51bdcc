"""Named datasets: ``pneumoniamnist`` (bundled), ``mni152-t1t2`` (paired MRI), ``folder``."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np

from radgen.data.dataset import ImageDataset
from radgen.data.geometry import extract_slices, resize, slices_with_mask
from radgen.data.intensity import percentile_normalise
from radgen.errors import RadgenError
from radgen.io import load_image, read_npz_splits
from radgen.io.load import SUPPORTED, is_image_file

PNEUMONIA_CLASSES = ("normal", "pneumonia")
SPLITS = ("train", "val", "test")


def bundled_asset(name: str) -> Path:
    """Path of a file shipped inside the package (``radgen/assets``)."""
    path = Path(str(resources.files("radgen") / "assets" / name))
    if not path.exists():
        raise RadgenError("bundled asset missing; reinstall radgen", path)
    return path


def shared_data_dir() -> Path:
    """The developers' ``shared/data`` folder: $RADGEN_SHARED_DATA when set (and then only
    it), else ``../shared/data`` beside the working directory or the source checkout.

    A user's machine has none: nothing in radgen needs it except the benchmarks and the few
    tests marked ``needs_shared_data``.
    """
    env = os.environ.get("RADGEN_SHARED_DATA")
    if env is not None:
        candidates = [env]
    else:
        candidates = [str(Path.cwd().parent / "shared" / "data")]
        candidates += [str(Path(__file__).resolve().parents[3].parent / "shared" / "data")]
    for c in candidates:
        if c and Path(c).is_dir() and any(Path(c).iterdir()):
            return Path(c)
    raise RadgenError(
        "shared data not found (the developers' ../shared/data, which a user's machine does not"
        " have); set RADGEN_SHARED_DATA or pass --data-path"
    )


def shared_data_available(*parts: str) -> bool:
    """True when ``shared_data_dir()/parts`` exists (used to skip tests and benchmarks)."""
    try:
        return shared_data_dir().joinpath(*parts).exists()
    except RadgenError:
        return False


def load_pneumoniamnist(split: str = "train", size: int | None = None, **_: object) -> ImageDataset:
    """PneumoniaMNIST (MedMNIST v2, CC BY 4.0), bundled: 28x28 paediatric chest X-rays."""
    splits = read_npz_splits(bundled_asset("pneumoniamnist_trainval.npz"))
    if split not in splits:
        raise RadgenError(f"pneumoniamnist has splits {sorted(splits)}, not '{split}'")
    images, labels = splits[split]
    x = images.astype(np.float32) / 255.0
    if size is not None:
        x = resize(x, size)
    assert labels is not None
    return ImageDataset(
        "pneumoniamnist", x, labels.astype(np.int64), PNEUMONIA_CLASSES, meta={"split": split}
    )


def mni152_slab_split(n_slices: int, test_slab: tuple[float, float], guard: int) -> dict:
    """Indices of train and test slices: one contiguous test slab, a guard band, the rest train."""
    lo, hi = int(n_slices * test_slab[0]), int(n_slices * test_slab[1])
    idx = np.arange(n_slices)
    test = idx[(idx >= lo) & (idx < hi)]
    train = idx[(idx < lo - guard) | (idx >= hi + guard)]
    return {"train": train, "test": test, "val": test}


def load_mni152_t1t2(
    split: str = "train",
    size: int | None = None,
    path: str | Path | None = None,
    test_slab: tuple[float, float] = (0.45, 0.60),
    guard: int = 4,
    **_: object,
) -> ImageDataset:
    """Paired axial T1 (images) and T2 (targets) slices of the MNI ICBM152 2009c template.

    By default the 2 mm copy bundled in the package (96x114x96); ``path`` takes a folder
    with ``t1.nii.gz``, ``t2.nii.gz`` and ``brain_mask.nii.gz`` (the 1 mm originals).
    The split is by slab: the test slab never touches a training slice (guard band between).
    """
    root = Path(path) if path else bundled_asset("mni152")
    t1, t2 = load_image(root / "t1.nii.gz"), load_image(root / "t2.nii.gz")
    mask = load_image(root / "brain_mask.nii.gz").array
    if t1.array.shape != t2.array.shape or t1.array.shape != mask.shape:
        raise RadgenError("mismatched pair: T1, T2 and brain mask shapes differ", root)
    brain = slices_with_mask(mask, axis=2, min_fraction=0.05)
    chosen = brain[mni152_slab_split(len(brain), test_slab, guard)[_check_split(split)]]
    # Resizing blurs the brain's edge differently in each contrast; the resized mask keeps one
    # outline for both (a T2 voxel is never brain where its T1 voxel is background).
    inside = extract_slices((mask > 0).astype(np.float32), axis=2, indices=chosen)
    inside = (resize(inside, size) if size else inside) > 0.05
    pair = []
    for vol in (t1.array, t2.array):
        norm = percentile_normalise(vol, 0.5, 99.5, mask) * (mask > 0)
        stack = extract_slices(norm, axis=2, indices=chosen)
        pair.append((resize(stack, size) if size else stack) * inside)
    meta = {"split": split, "slices": chosen.tolist(), "affine": t1.affine.tolist()}
    return ImageDataset("mni152-t1t2", pair[0], targets=pair[1], meta=meta)


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise RadgenError(f"unknown split '{split}'; choose one of {list(SPLITS)}")
    return split


def _read_labels(csv_path: Path) -> dict[str, str]:
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or not {"filename", "label"} <= set(rows[0]):
        raise RadgenError("labels CSV needs 'filename' and 'label' columns", csv_path)
    return {r["filename"]: r["label"] for r in rows}


def load_folder(
    split: str = "train",
    size: int | None = 64,
    path: str | Path | None = None,
    labels_csv: str | Path | None = None,
    **_: object,
) -> ImageDataset:
    """A user folder of 2D images and volumes (all axial slices), resized to ``size``."""
    if path is None:
        raise RadgenError("the 'folder' dataset needs --data-path DIR")
    root = Path(path)
    if not root.is_dir():
        raise RadgenError("not a folder", root)
    files = [f for f in sorted(root.rglob("*")) if is_image_file(f)]
    if not files:
        raise RadgenError(f"folder is empty: no {SUPPORTED} files", root)
    labels = _read_labels(Path(labels_csv)) if labels_csv else None
    images, names = [], []
    for f in files:
        img = load_image(f)
        stack = img.array.T[None] if img.array.ndim == 2 else extract_slices(img.array)
        lo, hi = np.percentile(stack, [0.5, 99.5])
        stack = np.clip((stack - lo) / max(hi - lo, 1e-8), 0, 1)
        images.append(resize(stack, size or stack.shape[-1]))
        if labels is not None:
            key = str(f.relative_to(root))
            if key not in labels and f.name not in labels:
                raise RadgenError(f"no label for '{key}' in {labels_csv}", f)
            names += [labels.get(key, labels.get(f.name, ""))] * len(stack)
    classes = tuple(sorted(set(names)))
    label_ids = np.array([classes.index(n) for n in names], dtype=np.int64) if names else None
    return ImageDataset(
        "folder",
        np.concatenate(images),
        label_ids,
        classes,
        meta={"split": split, "root": str(root)},
    )


DATASETS: dict[str, Callable[..., ImageDataset]] = {
    "pneumoniamnist": load_pneumoniamnist,
    "mni152-t1t2": load_mni152_t1t2,
    "folder": load_folder,
}


def load_dataset(name: str, split: str = "train", **options: object) -> ImageDataset:
    """Load a registered dataset by name; unknown names list the valid ones."""
    if name not in DATASETS:
        raise RadgenError(f"unknown dataset '{name}'; choose one of {sorted(DATASETS)}")
    return DATASETS[name](split=split, **options)
