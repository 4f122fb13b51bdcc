"""NIfTI (.nii, .nii.gz) reading and writing with the affine kept."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from radgen.errors import RadgenError
from radgen.io.image import MedicalImage
from radgen.io.paths import check_finite, existing, writable
from radgen.io.synthetic import NIFTI_DESCRIP


def is_nifti(path: Path) -> bool:
    return path.name.lower().endswith((".nii", ".nii.gz"))


def read_nifti(path: str | Path) -> MedicalImage:
    """Read a NIfTI image as float32 with its RAS+ affine."""
    p = existing(path)
    try:
        img = nib.load(str(p))
        array = np.asarray(img.dataobj, dtype=np.float32)
    except Exception as exc:  # nibabel raises several types for damaged files
        raise RadgenError(f"not a readable NIfTI file ({exc})", p) from exc
    check_finite(array, p)
    descrip = img.header.get("descrip")
    meta = {"descrip": descrip.item().decode("latin-1").strip("\x00")} if descrip else {}
    return MedicalImage(array, np.asarray(img.affine, dtype=float), "OT", p, meta)


def write_nifti(
    image: MedicalImage, path: str | Path, *, synthetic: bool = True, overwrite: bool = False
) -> Path:
    """Write ``image`` as NIfTI; synthetic images carry the marker in ``descrip``."""
    p = writable(path, overwrite)
    nii = nib.Nifti1Image(np.asarray(image.array, dtype=np.float32), image.affine)
    nii.header.set_xyzt_units("mm")
    if synthetic:
        nii.header["descrip"] = NIFTI_DESCRIP.encode()
    nib.save(nii, str(p))
    return p


def nifti_is_synthetic(path: str | Path) -> bool:
    """True when a NIfTI file carries radgen's synthetic marker."""
    header = nib.load(str(existing(path))).header
    return b"SYNTHETIC" in header["descrip"].item()
