"""Pixels for a vision-language model. A remote model may only receive pixels from a DICOM
file that radgen de-identified (PS3.15 profile applied, recorded in the file) and whose
burned-in-text check passed; anything else stays on this machine."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom

from radgen.errors import RadgenError
from radgen.privacy.dicom_deid import DicomDeidentifier

_MINT = object()


class DeidentifiedImage(bytes):
    """PNG bytes of a de-identified DICOM with no burned-in-text flag; any edit is plain bytes."""

    def __new__(cls, value: bytes, *, _token: object = None) -> DeidentifiedImage:
        if _token is not _MINT:
            raise TypeError("DeidentifiedImage is made by radgen.privacy.images.remote_image only")
        return super().__new__(cls, value)


def png_bytes(array: np.ndarray) -> bytes:
    """A 2D array windowed to its 0.5-99.5 percentiles as 8-bit PNG bytes (rows x columns)."""
    from PIL import Image

    lo, hi = np.percentile(array, [0.5, 99.5])
    pixels = (np.clip((array - lo) / max(hi - lo, 1e-8), 0, 1) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def local_image(path: str | Path) -> bytes:
    """Any image radgen reads, as PNG bytes, for a model on this machine."""
    from radgen.io import load_image

    image = load_image(path)
    arr = image.array if image.array.ndim == 2 else image.array[:, :, image.array.shape[2] // 2]
    return png_bytes(arr.T)


def remote_image(path: str | Path) -> DeidentifiedImage:
    """The image as PNG bytes that may leave the machine, or a clear refusal."""
    path = Path(path)
    try:
        ds = pydicom.dcmread(str(path))
    except Exception as exc:
        raise RadgenError(
            "only a DICOM file de-identified by `radgen deid dicom` can go to a remote model"
            f" ({exc})",
            path,
        ) from exc
    method = str(ds.get("DeidentificationMethod", ""))
    if str(ds.get("PatientIdentityRemoved", "")).upper() != "YES" or not method.startswith(
        "radgen:"
    ):
        raise RadgenError(
            "refused: this DICOM was not de-identified by radgen (run `radgen deid dicom` first)",
            path,
        )
    reasons = DicomDeidentifier.pixel_review_reasons(ds)
    if reasons:
        raise RadgenError(
            "refused: the pixels may carry burned-in text (" + "; ".join(reasons) + ")", path
        )
    arr = ds.pixel_array.astype(np.float32)
    if arr.ndim == 3:
        arr = arr[arr.shape[0] // 2]
    return DeidentifiedImage(png_bytes(arr), _token=_MINT)
