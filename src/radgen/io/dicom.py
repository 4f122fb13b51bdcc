"""DICOM reading (single files, multi-frame files, series folders) and series writing.

Geometry follows DICOM's patient coordinates (LPS) on disk and is held as a RAS+ affine in
memory, so DICOM and NIfTI round-trip through the same :class:`MedicalImage`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.misc import is_dicom
from pydicom.pixels import apply_modality_lut
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.valuerep import DS

from radgen.errors import RadgenError
from radgen.io.image import MedicalImage
from radgen.io.paths import check_finite, existing
from radgen.io.synthetic import SYNTHETIC_TAG, marker_text

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])
STORAGE_CLASSES = {
    "CT": pydicom.uid.CTImageStorage,
    "MR": pydicom.uid.MRImageStorage,
}


def _read_dataset(path: Path, stop_before_pixels: bool = False) -> Dataset:
    try:
        return pydicom.dcmread(str(path), stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as exc:
        raise RadgenError("not a DICOM file (no DICM header)", path) from exc
    except Exception as exc:
        raise RadgenError(f"corrupt DICOM file ({type(exc).__name__}: {exc})", path) from exc


def _pixels(ds: Dataset, path: Path) -> np.ndarray:
    """Stored pixels rescaled to modality units (Hounsfield units for CT)."""
    if "PixelData" not in ds:
        raise RadgenError("DICOM file has no pixel data", path)
    try:
        raw = ds.pixel_array
    except Exception as exc:
        syntax = ds.file_meta.get("TransferSyntaxUID", "unknown")
        name = getattr(syntax, "name", str(syntax))
        raise RadgenError(f"cannot decode pixel data ({name}): {exc}", path) from exc
    if int(ds.get("SamplesPerPixel", 1)) > 1:  # colour: keep luminance, radgen is greyscale
        raw = raw[..., :3] @ np.array([0.299, 0.587, 0.114])
        return raw.astype(np.float32)
    return np.asarray(apply_modality_lut(raw, ds), dtype=np.float32)


def _slice_affine(ds: Dataset, step: np.ndarray | None) -> np.ndarray:
    """RAS+ affine of one slice (or of a stack with the given LPS step between slices)."""
    iop = np.asarray(ds.get("ImageOrientationPatient", [1, 0, 0, 0, 1, 0]), dtype=float)
    ipp = np.asarray(ds.get("ImagePositionPatient", [0, 0, 0]), dtype=float)
    row_spacing, col_spacing = (float(v) for v in ds.get("PixelSpacing", [1.0, 1.0]))
    row_cos, col_cos = iop[:3], iop[3:]
    if step is None:
        thickness = float(ds.get("SpacingBetweenSlices", ds.get("SliceThickness", 1.0)) or 1.0)
        step = np.cross(row_cos, col_cos) * thickness
    lps = np.eye(4)
    lps[:3, 0] = row_cos * col_spacing
    lps[:3, 1] = col_cos * row_spacing
    lps[:3, 2] = step
    lps[:3, 3] = ipp
    return LPS_TO_RAS @ lps


def _meta(ds: Dataset) -> dict[str, str]:
    keys = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SeriesDescription")
    meta = {k: str(ds.get(k, "")) for k in keys}
    meta["ImageType"] = "\\".join(ds.get("ImageType", []))
    meta["ImageComments"] = str(ds.get("ImageComments", ""))
    return meta


def read_dicom_file(path: str | Path) -> MedicalImage:
    """Read one DICOM file; multi-frame files become a volume along the third axis."""
    p = existing(path)
    ds = _read_dataset(p)
    pixels = _pixels(ds, p)
    check_finite(pixels, p)
    array = pixels.T if pixels.ndim == 2 else np.transpose(pixels, (2, 1, 0))
    return MedicalImage(array, _slice_affine(ds, None), str(ds.get("Modality", "OT")), p, _meta(ds))


def _dicom_files(folder: Path) -> list[Path]:
    files = [f for f in sorted(folder.iterdir()) if f.is_file() and not f.name.startswith(".")]
    if not files:
        raise RadgenError("folder is empty: no DICOM, NIfTI or image files", folder)
    for f in files:
        if f.suffix.lower() == ".dcm" and not is_dicom(str(f)):
            raise RadgenError("corrupt DICOM file (no DICM header)", f)
    dicoms = [f for f in files if f.name != "DICOMDIR" and is_dicom(str(f))]
    if not dicoms:
        raise RadgenError("folder holds no DICOM files", folder)
    return dicoms


def read_dicom_series(folder: str | Path) -> MedicalImage:
    """Read a folder holding one DICOM series into a volume sorted by slice position."""
    root = existing(folder)
    datasets = [(f, _read_dataset(f)) for f in _dicom_files(root)]
    series = {str(ds.get("SeriesInstanceUID", "")) for _, ds in datasets}
    if len(series) > 1:
        raise RadgenError(
            f"mismatched series: the folder holds {len(series)} different series; "
            "give one series folder at a time",
            root,
        )
    first_path, first = datasets[0]
    shape = (first.Rows, first.Columns)
    iop = np.asarray(first.get("ImageOrientationPatient", [1, 0, 0, 0, 1, 0]), dtype=float)
    for f, ds in datasets[1:]:
        if (ds.Rows, ds.Columns) != shape:
            raise RadgenError(
                f"mismatched series: {ds.Rows}x{ds.Columns} slice beside "
                f"{shape[0]}x{shape[1]} in {first_path.name}",
                f,
            )
        other = np.asarray(ds.get("ImageOrientationPatient", iop), dtype=float)
        if not np.allclose(other, iop, atol=1e-3):
            raise RadgenError("mismatched series: slice orientation differs", f)
    normal = np.cross(iop[:3], iop[3:])
    positions = [
        float(np.dot(normal, np.asarray(ds.get("ImagePositionPatient", [0, 0, i]), dtype=float)))
        for i, (_, ds) in enumerate(datasets)
    ]
    order = np.argsort(positions)
    sorted_pos = np.asarray(positions)[order]
    if len(datasets) > 1 and np.any(np.diff(sorted_pos) < 1e-4):
        raise RadgenError("mismatched series: two slices share one position", root)
    ordered = [datasets[i] for i in order]
    volume = np.stack([_pixels(ds, f).T for f, ds in ordered], axis=-1)
    check_finite(volume, root)
    step = None
    if len(ordered) > 1:
        ipp0 = np.asarray(ordered[0][1].ImagePositionPatient, dtype=float)
        ipp1 = np.asarray(ordered[-1][1].ImagePositionPatient, dtype=float)
        step = (ipp1 - ipp0) / (len(ordered) - 1)
    meta = _meta(ordered[0][1])
    meta["n_files"] = str(len(ordered))
    modality = str(ordered[0][1].get("Modality", "OT"))
    return MedicalImage(volume, _slice_affine(ordered[0][1], step), modality, root, meta)


def _encode(array: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Store floats as uint16 with a rescale; integer data (HU) round-trips exactly."""
    lo, hi = float(array.min()), float(array.max())
    integral = np.allclose(array, np.round(array)) and hi - lo <= 65535
    slope = 1.0 if integral or hi == lo else (hi - lo) / 65535.0
    stored = np.round((array - lo) / slope).clip(0, 65535).astype(np.uint16)
    return stored, float(DS(slope, auto_format=True)), float(DS(lo, auto_format=True))


def _base_dataset(modality: str, reference: Dataset | None, series_uid: str) -> Dataset:
    """Patient/study level from ``reference`` when given (a translated scan stays in its study)."""
    ref = reference if reference is not None else Dataset()
    sop_class = STORAGE_CLASSES.get(modality, pydicom.uid.SecondaryCaptureImageStorage)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.Modality = modality
    ds.PatientName = ref.get("PatientName") or "SYNTHETIC^RADGEN"
    ds.PatientID = ref.get("PatientID") or "RADGEN-SYNTHETIC"
    ds.StudyInstanceUID = ref.get("StudyInstanceUID") or generate_uid()
    ds.FrameOfReferenceUID = ref.get("FrameOfReferenceUID") or generate_uid()
    today = dt.date.today().strftime("%Y%m%d")
    ds.StudyDate = ref.get("StudyDate") or today
    ds.SeriesDate = today
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = 9001
    return ds


def write_dicom_series(
    image: MedicalImage,
    folder: str | Path,
    *,
    synthetic: bool = True,
    note: str | None = None,
    reference: Dataset | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Write a 2D image or a volume as a DICOM series, one file per slice, geometry kept.

    Synthetic images get ImageType ``DERIVED\\SECONDARY\\SYNTHETIC``, a DerivationDescription
    and ImageComments saying so, whatever viewer opens them.
    """
    out = Path(folder).expanduser()
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RadgenError("already exists and is not empty; pass --overwrite to replace it", out)
    out.mkdir(parents=True, exist_ok=True)
    volume = image.array[..., None] if image.array.ndim == 2 else image.array
    if volume.ndim != 3:
        raise RadgenError(f"cannot write a {image.array.ndim}D array as a DICOM series", out)
    check_finite(volume, image.source)
    lps = np.linalg.inv(LPS_TO_RAS) @ image.affine
    spacing = np.linalg.norm(lps[:3, :3], axis=0)
    row_cos, col_cos = lps[:3, 0] / spacing[0], lps[:3, 1] / spacing[1]
    stored, slope, intercept = _encode(volume)
    series_uid = generate_uid()
    base = _base_dataset(image.modality, reference, series_uid)
    paths = []
    for k in range(volume.shape[2]):
        ds = Dataset()
        ds.update(base)
        ds.file_meta = FileMetaDataset(base.file_meta)
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = k + 1
        ds.ImageType = ["DERIVED", "SECONDARY", SYNTHETIC_TAG] if synthetic else ["DERIVED"]
        if synthetic:
            ds.DerivationDescription = marker_text(note)[:1024]
            ds.ImageComments = marker_text(note)[:10240]
            ds.SeriesDescription = f"radgen {SYNTHETIC_TAG}"
        ds.BurnedInAnnotation = "NO"
        ds.ImageOrientationPatient = [DS(v, auto_format=True) for v in (*row_cos, *col_cos)]
        ds.ImagePositionPatient = [DS(v, auto_format=True) for v in lps[:3, 3] + k * lps[:3, 2]]
        ds.PixelSpacing = [DS(spacing[1], auto_format=True), DS(spacing[0], auto_format=True)]
        ds.SliceThickness = DS(spacing[2], auto_format=True)
        ds.SpacingBetweenSlices = DS(spacing[2], auto_format=True)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = int(volume.shape[1]), int(volume.shape[0])
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation = 0
        ds.RescaleSlope, ds.RescaleIntercept = DS(slope), DS(intercept)
        if image.modality == "CT":
            ds.RescaleType = "HU"
        ds.PixelData = np.ascontiguousarray(stored[:, :, k].T).tobytes()
        path = out / f"slice_{k:04d}.dcm"
        ds.save_as(str(path), enforce_file_format=True)
        paths.append(path)
    return paths


def dicom_is_synthetic(path: str | Path) -> bool:
    """True when a DICOM file carries radgen's synthetic marker in ImageType."""
    ds = _read_dataset(existing(path))
    return SYNTHETIC_TAG in list(ds.get("ImageType", []))


def exam_title(path: str | Path) -> str:
    """The exam as the DICOM header names it (Modality, BodyPartExamined, StudyDescription,
    SeriesDescription), for choosing a report template; pixels are not read."""
    path = Path(path)
    if not path.is_file():
        raise RadgenError("DICOM file not found", path)
    ds = _read_dataset(path, stop_before_pixels=True)
    keys = ("Modality", "BodyPartExamined", "StudyDescription", "SeriesDescription")
    values = (str(ds.get(k, "")).strip() for k in keys)
    return " ".join(v for v in values if v)
