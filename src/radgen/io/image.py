"""The in-memory image every reader returns and every writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class MedicalImage:
    """Pixel array plus the geometry needed to write it back where it came from.

    ``array`` is indexed like nibabel's voxel array: ``(i, j)`` for 2D and ``(i, j, k)``
    for volumes, where ``i`` runs along a DICOM row (columns) and ``j`` down the rows.
    ``affine`` maps voxel indices to RAS+ world millimetres, as in NIfTI.
    """

    array: np.ndarray
    affine: np.ndarray = field(default_factory=lambda: np.eye(4))
    modality: str = "OT"
    source: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def spacing(self) -> tuple[float, ...]:
        """Voxel size in mm along each array axis."""
        norms = np.linalg.norm(self.affine[:3, :3], axis=0)
        return tuple(float(s) for s in norms[: self.array.ndim])

    @property
    def direction(self) -> np.ndarray:
        """Unit direction cosines (3x3, columns per array axis) in RAS+."""
        cols = self.affine[:3, :3]
        return cols / np.linalg.norm(cols, axis=0, keepdims=True)

    @property
    def origin(self) -> np.ndarray:
        """World position (RAS+, mm) of voxel (0, 0, 0)."""
        return self.affine[:3, 3].copy()

    def with_array(self, array: np.ndarray) -> MedicalImage:
        """A copy with new pixels and the same geometry (for derived images)."""
        return MedicalImage(array, self.affine.copy(), self.modality, self.source, dict(self.meta))
