"""``radgen data ...``: make training data (CT kernel pairs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import track

app = typer.Typer(help="Make training data from real scans.", no_args_is_help=True)
console = Console()


@app.command("ct-kernels")
def ct_kernels_cmd(
    input: Path = typer.Option(..., "--input", help="CT volume (NIfTI or DICOM series) in HU."),
    out: Path = typer.Option(..., "--out", help="Folder for one NIfTI per kernel."),
    kernels: str = typer.Option("soft,standard,sharp", help="Comma-separated kernel names."),
    dose: float = typer.Option(1e5, help="Incident photons per ray (0: noiseless)."),
    angles: int = typer.Option(360, help="Projection views over 180 degrees."),
    slices: str | None = typer.Option(None, help="Slice range START:STOP (default: all)."),
    seed: int = typer.Option(0, help="Noise seed."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
) -> None:
    """Simulate aligned reconstructions of one CT with several kernels (marked SYNTHETIC)."""
    from radgen.data.ct_kernels import simulate_kernels
    from radgen.errors import RadgenError
    from radgen.io import MedicalImage, load_image, write_nifti

    ct = load_image(input)
    if ct.array.ndim != 3:
        raise RadgenError(f"expected a CT volume, got a {ct.array.ndim}D image", input)
    if abs(ct.spacing[0] - ct.spacing[1]) > 1e-3 or ct.array.shape[0] != ct.array.shape[1]:
        raise RadgenError("kernel simulation needs square slices with square pixels", input)
    names = [k.strip() for k in kernels.split(",") if k.strip()]
    lo, hi = (int(v) for v in slices.split(":")) if slices else (0, ct.array.shape[2])
    affine = ct.affine.copy()
    affine[:3, 3] = (ct.affine @ np.array([0, 0, lo, 1]))[:3]
    stacks: dict[str, list[np.ndarray]] = {k: [] for k in names}
    for z in track(range(lo, hi), description="simulating kernels"):
        recon = simulate_kernels(ct.array[:, :, z], ct.spacing[0], names, angles=angles,
                                 dose=dose or None, seed=seed + z)  # fmt: skip
        for k, img in recon.items():
            stacks[k].append(img.astype(np.float32))
    for k, images in stacks.items():
        path = write_nifti(MedicalImage(np.stack(images, -1), affine, "CT"), out / f"{k}.nii.gz",
                           overwrite=overwrite)  # fmt: skip
        console.print(f"{k}: {path}")
