"""``radgen info PATH``: what radgen reads from an image file or series folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console


def info(
    path: Path = typer.Argument(..., help="DICOM file or series folder, NIfTI, PNG, npz."),
) -> None:
    """Print shape, spacing, modality, intensity range and the synthetic marker."""
    from radgen.io import is_synthetic, load_image

    image = load_image(path)
    a = image.array
    console = Console()
    console.print(f"path      {path}")
    console.print(f"modality  {image.modality}")
    console.print(f"shape     {tuple(a.shape)}")
    console.print(f"spacing   {tuple(round(s, 4) for s in image.spacing)} mm")
    console.print(f"origin    {tuple(round(float(v), 2) for v in image.origin)} (RAS mm)")
    console.print(f"range     {float(a.min()):.1f} .. {float(a.max()):.1f}")
    console.print(f"synthetic {is_synthetic(path)}")
