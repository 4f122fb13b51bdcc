"""``radgen image ...``: train and sample image models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="Train, sample and evaluate image models.", no_args_is_help=True)
console = Console()


@app.command("train")
def train_cmd(
    model: str = typer.Option(..., "--model", help="classifier"),
    dataset: str = typer.Option("pneumoniamnist", help="pneumoniamnist, mni152-t1t2 or folder."),
    data_path: Path | None = typer.Option(None, help="Folder for --dataset folder."),
    labels_csv: Path | None = typer.Option(None, help="filename,label CSV for a folder."),
    size: int = typer.Option(32, help="Training resolution in pixels."),
    batch_size: int = typer.Option(64, help="Images per step."),
    lr: float = typer.Option(1e-3, help="Learning rate."),
    width: int = typer.Option(32, help="Base channel width."),
    steps: int | None = typer.Option(None, help="Stop after N steps."),
    minutes: float | None = typer.Option(None, help="Stop after N minutes of training."),
    checkpoint_every: int = typer.Option(200, help="Steps between checkpoints."),
    seed: int = typer.Option(0, help="Random seed."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    out: Path = typer.Option(Path("runs/train"), help="Run directory."),
    resume: bool = typer.Option(False, help="Continue the run in --out from its checkpoint."),
    overwrite: bool = typer.Option(False, help="Replace an existing run directory."),
) -> None:
    """Train an image model; writes config, checkpoints, metrics and figures to --out."""
    from radgen.image.config import TrainConfig
    from radgen.image.train import train

    config = TrainConfig(
        model=model,
        dataset=dataset,
        data_path=str(data_path) if data_path else None,
        labels_csv=str(labels_csv) if labels_csv else None,
        size=size,
        batch_size=batch_size,
        lr=lr,
        width=width,
        steps=steps,
        minutes=minutes,
        checkpoint_every=checkpoint_every,
        seed=seed,
        device=device,
        out=str(out),
    )
    summary = train(config, resume=resume, overwrite=overwrite)
    console.print(f"trained {summary['steps']} steps in {summary['seconds']:.0f} s -> {out}")
