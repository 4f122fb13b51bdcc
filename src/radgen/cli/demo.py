"""``radgen demo``: the main story on the bundled data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table


def demo(
    out: Path = typer.Option(Path("runs/demo"), help="Where the demo writes its outputs."),
    overwrite: bool = typer.Option(False, help="Replace an existing demo folder."),
    seed: int = typer.Option(0, help="Random seed."),
) -> None:
    """Load the bundled PneumoniaMNIST, summarise it and write a labelled montage."""
    from radgen.data import load_dataset
    from radgen.io import write_montage
    from radgen.runs import RunDir

    console = Console()
    run = RunDir.create(out, overwrite=overwrite)
    table = Table(title="Bundled PneumoniaMNIST (MedMNIST v2, CC BY 4.0)")
    for col in ("split", "images", "size", "normal", "pneumonia", "mean", "std"):
        table.add_column(col)
    rng = np.random.default_rng(seed)
    picks, captions = [], []
    for split in ("train", "val"):
        data = load_dataset("pneumoniamnist", split=split)
        s = data.summary()
        table.add_row(
            split,
            str(s["n"]),
            "x".join(map(str, s["shape"])),
            str(s["classes"]["normal"]),
            str(s["classes"]["pneumonia"]),
            f"{s['mean']:.3f}",
            f"{s['std']:.3f}",
        )
        if split == "train":
            for label, name in enumerate(data.class_names):
                idx = rng.choice(np.flatnonzero(data.labels == label), 8, replace=False)
                picks.append(data.images[idx])
                captions += [name] * 8
    console.print(table)
    montage = write_montage(
        np.concatenate(picks), run.figures / "real_montage.png", captions=captions, ncols=8
    )
    console.print(f"montage of real training images -> {montage}")
