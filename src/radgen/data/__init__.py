"""Preprocessing and the dataset registry: io arrays in, normalised 2D datasets out."""

from radgen.data.dataset import ImageDataset
from radgen.data.geometry import center_crop_or_pad, extract_slices, resize, slices_with_mask
from radgen.data.intensity import CT_WINDOWS, apply_window, percentile_normalise
from radgen.data.registry import (
    DATASETS,
    bundled_asset,
    load_dataset,
    shared_data_available,
    shared_data_dir,
)

__all__ = [
    "CT_WINDOWS",
    "DATASETS",
    "ImageDataset",
    "apply_window",
    "bundled_asset",
    "center_crop_or_pad",
    "extract_slices",
    "load_dataset",
    "percentile_normalise",
    "resize",
    "shared_data_available",
    "shared_data_dir",
    "slices_with_mask",
]
