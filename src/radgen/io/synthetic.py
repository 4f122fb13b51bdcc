"""The synthetic marker written into every image radgen generates or alters.

Marked images must never pass as real acquisitions: DICOM gets ImageType, a derivation
description and ImageComments; NIfTI gets ``descrip``; PNG gets a text chunk and a JSON
sidecar; NPZ gets a ``radgen_synthetic`` entry.
"""

from __future__ import annotations

from pathlib import Path

SYNTHETIC_TAG = "SYNTHETIC"
SYNTHETIC_TEXT = "SYNTHETIC image generated or altered by radgen; not an acquired patient image"
NIFTI_DESCRIP = "radgen SYNTHETIC - not an acquired image"  # NIfTI descrip holds 80 bytes
PNG_KEY = "radgen-synthetic"


def marker_text(note: str | None = None) -> str:
    """The human-readable marker, with an optional note on how the image was made."""
    return SYNTHETIC_TEXT if not note else f"{SYNTHETIC_TEXT} ({note})"


def sidecar_path(path: Path) -> Path:
    """Where the JSON sidecar of a raster image lives."""
    return path.with_name(path.name + ".synthetic.json")
