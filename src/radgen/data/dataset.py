"""The in-memory 2D dataset every model trains on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from radgen.errors import RadgenError


@dataclass
class ImageDataset:
    """(N, H, W) float32 images in [0, 1], with optional class labels or paired targets."""

    name: str
    images: np.ndarray
    labels: np.ndarray | None = None
    class_names: tuple[str, ...] = ()
    targets: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.images.ndim != 3 or len(self.images) == 0:
            raise RadgenError(
                f"dataset '{self.name}' needs (N, H, W) images, got {self.images.shape}"
            )
        for name in ("labels", "targets"):
            other = getattr(self, name)
            if other is not None and len(other) != len(self.images):
                raise RadgenError(
                    f"dataset '{self.name}': {len(other)} {name} for {len(self.images)} images"
                )

    def __len__(self) -> int:
        return len(self.images)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def label_id(self, name_or_id: str | int) -> int:
        """Class index from a name (``pneumonia``) or an index, with a clear error."""
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            idx = int(name_or_id)
            if 0 <= idx < self.num_classes:
                return idx
        elif name_or_id in self.class_names:
            return self.class_names.index(name_or_id)
        raise RadgenError(f"unknown label '{name_or_id}'; choose one of {list(self.class_names)}")

    def summary(self) -> dict[str, Any]:
        """Counts and intensity statistics, for logs and ``radgen demo``."""
        info: dict[str, Any] = {
            "name": self.name,
            "n": len(self),
            "shape": list(self.images.shape[1:]),
            "mean": round(float(self.images.mean()), 4),
            "std": round(float(self.images.std()), 4),
        }
        if self.labels is not None and self.class_names:
            counts = np.bincount(self.labels, minlength=self.num_classes)
            info["classes"] = {n: int(c) for n, c in zip(self.class_names, counts, strict=True)}
        return info
