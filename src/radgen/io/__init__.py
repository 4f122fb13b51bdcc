"""Medical image I/O: DICOM, NIfTI, PNG/JPEG and MedMNIST .npz, with the synthetic marker."""

from radgen.io.dicom import read_dicom_file, read_dicom_series, write_dicom_series
from radgen.io.image import MedicalImage
from radgen.io.load import is_synthetic, load_image, save_image
from radgen.io.nifti import read_nifti, write_nifti
from radgen.io.npz import read_npz_splits, write_npz_samples
from radgen.io.raster import read_raster, write_montage, write_png

__all__ = [
    "MedicalImage",
    "is_synthetic",
    "load_image",
    "read_dicom_file",
    "read_dicom_series",
    "read_nifti",
    "read_npz_splits",
    "read_raster",
    "save_image",
    "write_dicom_series",
    "write_montage",
    "write_nifti",
    "write_npz_samples",
    "write_png",
]
