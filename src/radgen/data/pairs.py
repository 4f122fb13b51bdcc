"""Aligned multi-domain volumes for image-to-image translation (CT kernels, MRI sequences).

A pairs folder holds one volume per domain, named by the domain (``soft.nii.gz``,
``sharp.nii.gz``, ``t1.nii.gz``, ``t2.nii.gz``...), all on the same voxel grid. Files whose
name contains ``mask`` or ``label`` are not domains: the first mask picks which slices to use.

Intensities are mapped to network units by a named, invertible rule:
- ``hu``: HU / 1000 (water 0, air -1), so CT outputs come back in Hounsfield units;
- ``percentile``: per-volume 0.5-99.5 percentile scaling to [0, 1] (MR has no units).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from radgen.data.geometry import extract_slices, slices_with_mask
from radgen.data.intensity import apply_window, percentile_normalise
from radgen.data.registry import mni152_slab_split
from radgen.errors import RadgenError
from radgen.io import MedicalImage, load_image
from radgen.io.nifti import is_nifti

Intensity = Literal["hu", "percentile"]
HU_SCALE = 1000.0


def guess_intensity(volume: np.ndarray) -> Intensity:
    """CT in HU has air near -1000; anything else is treated as unitless MR."""
    return "hu" if float(np.percentile(volume, 1)) < -500 else "percentile"


def to_network(volume: np.ndarray, intensity: Intensity) -> np.ndarray:
    """Scanner units -> network units (see the module docstring)."""
    if intensity == "hu":
        return (np.asarray(volume, dtype=np.float32) / HU_SCALE).astype(np.float32)
    return percentile_normalise(volume, 0.5, 99.5).astype(np.float32)


def from_network(values: np.ndarray, intensity: Intensity) -> np.ndarray:
    """Network units -> scanner units (HU for CT; [0, 1] for MR)."""
    return (values * HU_SCALE if intensity == "hu" else values).astype(np.float32)


def volume_to_slices(volume: np.ndarray) -> np.ndarray:
    """Axial slices (N, rows, cols) of an (i, j, k) volume."""
    return extract_slices(volume, axis=2)


def slices_to_volume(slices: np.ndarray) -> np.ndarray:
    """Inverse of :func:`volume_to_slices`."""
    return np.ascontiguousarray(np.swapaxes(slices, 1, 2).transpose(1, 2, 0))


@dataclass
class PairedSlices:
    """(N, D, H, W) aligned slices in network units, one channel per domain."""

    domains: tuple[str, ...]
    slices: np.ndarray
    intensity: Intensity
    indices: np.ndarray
    reference: MedicalImage
    mask: np.ndarray | None = None

    def domain(self, name: str) -> np.ndarray:
        """(N, H, W) slices of one domain."""
        return self.slices[:, self.index(name)]

    def index(self, name: str) -> int:
        if name not in self.domains:
            raise RadgenError(f"unknown domain '{name}'; this data has {list(self.domains)}")
        return self.domains.index(name)


def _volume_files(root: Path) -> tuple[dict[str, Path], Path | None]:
    if not root.is_dir():
        raise RadgenError("pairs must be a folder with one NIfTI volume per domain", root)
    files = sorted(f for f in root.iterdir() if f.is_file() and is_nifti(f))
    masks = [f for f in files if "mask" in f.name or "label" in f.name]
    domains = {f.name.split(".")[0]: f for f in files if f not in masks}
    if len(domains) < 2:
        raise RadgenError(f"need at least two domain volumes, found {sorted(domains)}", root)
    return domains, (masks[0] if masks else None)


def domain_names(path: str | Path) -> list[str]:
    """The domains (volume names) available in a pairs folder."""
    return sorted(_volume_files(Path(path))[0])


def parse_slab(slab: str) -> tuple[float, float]:
    """'0.45:0.60' -> (0.45, 0.60): the held-out slab as fractions of the slices."""
    try:
        lo, hi = (float(v) for v in slab.split(":"))
    except ValueError as err:
        raise RadgenError(f"slab must look like 0.45:0.60, got '{slab}'") from err
    if not 0 <= lo < hi <= 1:
        raise RadgenError(f"slab fractions must satisfy 0 <= start < stop <= 1, got '{slab}'")
    return lo, hi


def load_pairs(
    path: str | Path,
    domains: list[str] | None = None,
    *,
    intensity: Intensity | None = None,
    split: Literal["train", "test", "all"] = "all",
    slab: tuple[float, float] | None = None,
    guard: int = 4,
) -> PairedSlices:
    """Load aligned domain volumes; ``slab`` holds out a contiguous block of slices for
    ``split='test'`` (with a guard band of ``guard`` slices around it removed from train)."""
    root = Path(path)
    files, mask_file = _volume_files(root)
    names = domains or sorted(files)
    missing = [n for n in names if n not in files]
    if missing:
        raise RadgenError(f"no volume for domain(s) {missing}; found {sorted(files)}", root)
    volumes = {n: load_image(files[n]) for n in names}
    ref = volumes[names[0]]
    for n, v in volumes.items():
        if v.array.ndim != 3:
            raise RadgenError(f"domain '{n}' is {v.array.ndim}D; pairs must be volumes", files[n])
        if v.array.shape != ref.array.shape or not np.allclose(v.affine, ref.affine, atol=1e-3):
            raise RadgenError(
                f"mismatched pair: '{n}' is {v.array.shape} but '{names[0]}' is"
                f" {ref.array.shape} (or their affines differ); resample onto one grid first",
                files[n],
            )
    kind = intensity or guess_intensity(ref.array)
    idx = np.arange(ref.array.shape[2])
    mask = None
    if mask_file is not None:
        mask = load_image(mask_file).array
        if mask.shape != ref.array.shape:
            raise RadgenError(f"mask is {mask.shape}, volumes are {ref.array.shape}", mask_file)
        idx = slices_with_mask(mask, axis=2, min_fraction=0.05)
    if split != "all":
        if slab is None:
            raise RadgenError("a train/test split of one volume needs a held-out slab")
        idx = idx[mni152_slab_split(len(idx), slab, guard)[split]]
    stack = [volume_to_slices(to_network(volumes[n].array, kind))[idx] for n in names]
    mask_slices = None if mask is None else volume_to_slices(mask > 0)[idx]
    return PairedSlices(tuple(names), np.stack(stack, axis=1), kind, idx, ref, mask_slices)


def display(values: np.ndarray, intensity: Intensity) -> np.ndarray:
    """Network units -> [0, 1] for figures (CT in a mediastinal window, where noise shows)."""
    if intensity == "hu":
        return apply_window(values * HU_SCALE, "mediastinum")
    return np.clip(values, 0.0, 1.0)
