"""``radgen image ...``: train and sample image models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="Train, sample and evaluate image models.", no_args_is_help=True)
console = Console()


@app.command("train")
def train_cmd(
    model: str = typer.Option(
        ..., "--model", help="vae, gan, cgan, ddpm, classifier or noisy-classifier."
    ),
    conditional: bool = typer.Option(False, help="Class-conditional model (vae, ddpm)."),
    dataset: str = typer.Option("pneumoniamnist", help="pneumoniamnist, mni152-t1t2 or folder."),
    data_path: Path | None = typer.Option(None, help="Folder for --dataset folder."),
    labels_csv: Path | None = typer.Option(None, help="filename,label CSV for a folder."),
    size: int = typer.Option(32, help="Training resolution in pixels."),
    batch_size: int = typer.Option(64, help="Images per step."),
    lr: float | None = typer.Option(None, help="Learning rate (default: per model)."),
    width: int | None = typer.Option(None, help="Base channel width (default: per model)."),
    schedule: str = typer.Option("cosine", help="Diffusion noise schedule: cosine or linear."),
    prediction: str = typer.Option("v", help="Diffusion target: v or epsilon."),
    steps: int | None = typer.Option(None, help="Stop after N steps."),
    minutes: float | None = typer.Option(None, help="Stop after N minutes of training."),
    checkpoint_every: int = typer.Option(200, help="Steps between checkpoints."),
    log_every: int = typer.Option(10, help="Steps between logged losses."),
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
        conditional=conditional,
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
        log_every=log_every,
        seed=seed,
        device=device,
        out=str(out),
        diffusion={"schedule": schedule, "prediction": prediction},
    )
    summary = train(config, resume=resume, overwrite=overwrite)
    console.print(f"trained {summary['steps']} steps in {summary['seconds']:.0f} s -> {out}")


@app.command("sample")
def sample_cmd(
    run: Path = typer.Option(..., "--run", help="Run directory of a trained model."),
    n: int = typer.Option(500, "--n", help="Number of images."),
    label: str | None = typer.Option(None, help="Class name or index (conditional runs)."),
    sampler: str = typer.Option("ddim", help="ddim or ddpm (diffusion runs)."),
    steps: int = typer.Option(50, help="DDIM steps."),
    eta: float = typer.Option(0.0, help="DDIM eta: 0 deterministic, 1 DDPM-like."),
    guidance: float = typer.Option(3.0, help="Classifier-free guidance scale; 1 = none."),
    classifier: Path | None = typer.Option(None, help="noisy-classifier run for guidance."),
    classifier_scale: float = typer.Option(0.0, help="Classifier guidance strength."),
    format: str = typer.Option("npz", "--format", help="npz, png, nifti or dicom."),
    batch_size: int = typer.Option(250, help="Images generated at once."),
    seed: int = typer.Option(0, help="Seed of the starting noise."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    out: Path = typer.Option(Path("runs/samples"), help="Output folder."),
    overwrite: bool = typer.Option(False, help="Replace a non-empty output folder."),
) -> None:
    """Generate images from a trained run; every file is marked SYNTHETIC."""
    from radgen.image.sample import SampleConfig, generate, write_samples

    config = SampleConfig(
        run=str(run),
        n=n,
        label=label,
        sampler=sampler,
        steps=steps,
        eta=eta,
        guidance=guidance,
        classifier=str(classifier) if classifier else None,
        classifier_scale=classifier_scale,
        format=format,
        batch_size=batch_size,
        seed=seed,
        device=device,
        out=str(out),
    )
    images, labels, class_names = generate(config)
    note = f"radgen sample from {run} ({config.sampler}, guidance {config.guidance})"
    root = write_samples(images, labels, class_names, out, config.format, note, overwrite)
    console.print(f"wrote {len(images)} synthetic images ({config.format}) -> {root}")
