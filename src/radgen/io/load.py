"""One entry point for reading and writing any supported format, chosen by path."""

from __future__ import annotations

from pathlib import Path

from pydicom.misc import is_dicom

from radgen.errors import RadgenError
from radgen.io.dicom import (
    dicom_is_synthetic,
    read_dicom_file,
    read_dicom_series,
    write_dicom_series,
)
from radgen.io.image import MedicalImage
from radgen.io.nifti import is_nifti, nifti_is_synthetic, read_nifti, write_nifti
from radgen.io.npz import npz_is_synthetic, read_npz_image
from radgen.io.paths import existing
from radgen.io.raster import RASTER_SUFFIXES, png_is_synthetic, read_raster, write_png

SUPPORTED = "DICOM file or series folder, NIfTI (.nii/.nii.gz), PNG/JPEG, MedMNIST .npz"


def load_image(path: str | Path) -> MedicalImage:
    """Read any supported image; a folder is read as one DICOM series."""
    p = existing(path)
    if p.is_dir():
        return read_dicom_series(p)
    suffix = p.suffix.lower()
    if is_nifti(p):
        return read_nifti(p)
    if suffix in RASTER_SUFFIXES:
        return read_raster(p)
    if suffix == ".npz":
        return read_npz_image(p)
    if suffix in (".dcm", ".dicom", ".ima") or is_dicom(str(p)):
        return read_dicom_file(p)
    raise RadgenError(f"unsupported file type; radgen reads {SUPPORTED}", p)


def save_image(
    image: MedicalImage,
    path: str | Path,
    *,
    synthetic: bool = True,
    note: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write by suffix: .nii/.nii.gz, .png, or a folder (no suffix) of DICOM slices."""
    p = Path(path)
    if is_nifti(p):
        return write_nifti(image, p, synthetic=synthetic, overwrite=overwrite)
    if p.suffix.lower() == ".png":
        return write_png(image, p, synthetic=synthetic, note=note, overwrite=overwrite)
    if p.suffix == "":
        write_dicom_series(image, p, synthetic=synthetic, note=note, overwrite=overwrite)
        return p
    raise RadgenError("unsupported output; use .nii.gz, .png or a folder for DICOM", p)


def is_image_file(path: Path) -> bool:
    """A file radgen reads as one image: PNG/JPEG, DICOM (.dcm) or NIfTI."""
    return path.is_file() and (is_nifti(path) or path.suffix.lower() in (*RASTER_SUFFIXES, ".dcm"))


def is_synthetic(path: str | Path) -> bool:
    """True when a file written by radgen carries the synthetic marker."""
    p = existing(path)
    if p.is_dir():
        return all(dicom_is_synthetic(f) for f in sorted(p.glob("*.dcm")))
    if is_nifti(p):
        return nifti_is_synthetic(p)
    if p.suffix.lower() == ".png":
        return png_is_synthetic(p)
    if p.suffix.lower() == ".npz":
        return npz_is_synthetic(p)
    return dicom_is_synthetic(p)
