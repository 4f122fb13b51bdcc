"""``radgen image ...``: train and sample image models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from radgen.metrics.evaluate import EvalConfig

REVIEW = typer.Option(None, "--review", help="Also queue the output for expert review here.")
app = typer.Typer(help="Train, sample and evaluate image models.", no_args_is_help=True)
console = Console()


@app.command("train")
def train_cmd(
    ctx: typer.Context,
    model: str | None = typer.Option(
        None, "--model", help="vae, gan, cgan, ddpm, classifier or noisy-classifier."
    ),
    conditional: bool = typer.Option(False, help="Class-conditional model (vae, ddpm)."),
    dataset: str = typer.Option("pneumoniamnist", help="pneumoniamnist, mni152-t1t2 or folder."),
    data_path: Path | None = typer.Option(None, help="Folder for --dataset folder."),
    labels_csv: Path | None = typer.Option(None, help="filename,label CSV for a folder."),
    size: int = typer.Option(32, help="Training resolution in pixels."),
    batch_size: int = typer.Option(64, help="Images per step."),
    lr: float | None = typer.Option(None, help="Learning rate (default: per model)."),
    width: int | None = typer.Option(None, help="Base channel width (default: per model)."),
    steps: int | None = typer.Option(None, help="Stop after N steps."),
    minutes: float | None = typer.Option(None, help="Stop after N minutes of training."),
    checkpoint_every: int = typer.Option(200, help="Steps between checkpoints."),
    log_every: int = typer.Option(10, help="Steps between logged losses."),
    seed: int = typer.Option(0, help="Random seed."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    nproc: int = typer.Option(1, help="Data-parallel processes (gloo on CPU, NCCL on GPUs)."),
    out: Path = typer.Option(Path("runs/train"), help="Run directory."),
    config_file: Path | None = typer.Option(
        None, "--config", help="A TrainConfig YAML (every setting); options given here win."
    ),
    settings: list[str] = typer.Option(
        [], "--set", help="Any setting as key=value, nested with dots: diffusion.schedule=linear."
    ),
    resume: bool = typer.Option(False, help="Continue the run in --out from its checkpoint."),
    overwrite: bool = typer.Option(False, help="Replace an existing run directory."),
) -> None:
    """Train an image model; writes config, checkpoints, metrics and figures to --out.

    Every TrainConfig setting is reachable: the common ones as options, all of them from a
    --config file (a run's config.yaml works) or as --set key=value."""
    from radgen.image.config import TrainConfig, merged_config
    from radgen.image.train import train

    given = {
        name: value
        for name, value in ctx.params.items()
        if name in TrainConfig.model_fields
        and ctx.get_parameter_source(name).name in ("COMMANDLINE", "ENVIRONMENT")
    }
    defaults = {k: v for k, v in ctx.params.items() if k in TrainConfig.model_fields}
    config = merged_config(defaults, config_file, given, settings)
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
    evaluate: bool = typer.Option(
        False, "--eval", help="Evaluate the samples (npz) into OUT/eval."
    ),
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
    if evaluate:
        from radgen.image.config import TrainConfig
        from radgen.metrics.evaluate import EvalConfig
        from radgen.runs import RunDir

        if config.format != "npz":
            write_samples(images, labels, class_names, out / "npz", "npz", note, overwrite)
        trained = TrainConfig.model_validate(RunDir(run).read_config())
        samples = out / ("samples.npz" if config.format == "npz" else "npz/samples.npz")
        real = trained.data_path if trained.dataset == "folder" else trained.dataset
        eval_cfg = EvalConfig(
            real=real, synthetic=str(samples), size=trained.size, out=str(out / "eval")
        )
        _run_eval(eval_cfg, overwrite)


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    run: Path = typer.Option(..., "--run", help="A conditional ddpm run (gan-*: a gan run)."),
    input: Path = typer.Option(..., "--input", help="Image (PNG, DICOM, NIfTI) or folder."),
    method: str = typer.Option(
        "sdedit", help="sdedit, ddim-switch, inpaint, gan-invert or gan-direction."
    ),
    target: str | None = typer.Option(None, help="Target class name or index."),
    source: str | None = typer.Option(None, help="The image's own class (ddim-switch)."),
    strength: float = typer.Option(
        0.6, help="SDEdit noise level (0 keeps the input); gan-direction: class gaps."
    ),
    steps: int = typer.Option(50, help="DDIM steps."),
    guidance: float = typer.Option(3.0, help="Classifier-free guidance toward the target."),
    mask: Path | None = typer.Option(None, help="Inpainting mask image: nonzero = fill."),
    resample: int = typer.Option(5, help="RePaint resampling per step."),
    gan_steps: int = typer.Option(200, help="GAN inversion steps (tuning: half)."),
    seed: int = typer.Option(0, help="Seed of the noise."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    format: str = typer.Option("png", "--format", help="png, nifti or dicom."),
    out: Path = typer.Option(Path("runs/edits"), help="Output folder."),
) -> None:
    """Edit real images with a trained diffusion run (SDEdit, DDIM inversion and class
    switch, RePaint inpainting) or GAN run (inversion, latent direction); every output is
    marked SYNTHETIC."""
    from radgen.image.edit import EditConfig, run_edit

    given = {k: str(v) if isinstance(v, Path) else v for k, v in ctx.params.items()}
    config = EditConfig(**{k: v for k, v in given.items() if v is not None})
    root = run_edit(config)
    console.print(f"edited images ({config.method}) -> {root} (see edits.csv)")


@app.command("eval")
def eval_cmd(
    synthetic: Path = typer.Option(..., "--synthetic", help="Synthetic .npz or folder."),
    real: str = typer.Option("pneumoniamnist", help="Dataset name, MedMNIST .npz or folder."),
    holdout: str | None = typer.Option(None, help="Held-out real set (default: val split)."),
    labels: bool = typer.Option(True, help="Per-class metrics and TSTR from labels."),
    encoder: Path | None = typer.Option(None, help="TorchScript feature encoder."),
    inception_n: int = typer.Option(200, help="Images per set for Inception FID (0: off)."),
    tstr_steps: int = typer.Option(300, help="Training steps of each TSTR classifier."),
    size: int = typer.Option(32, help="Resolution at which sets are compared."),
    seed: int = typer.Option(0, help="Random seed."),
    out: Path = typer.Option(Path("runs/eval"), help="Report folder."),
    overwrite: bool = typer.Option(False, help="Replace an existing report folder."),
    review: Path | None = REVIEW,
) -> None:
    """Fidelity, diversity, utility (TSTR), memorization and outliers: report.md + metrics.json."""
    from radgen.metrics.evaluate import EvalConfig

    config = EvalConfig(
        real=real,
        holdout=holdout,
        synthetic=str(synthetic),
        labels=labels,
        encoder=str(encoder) if encoder else None,
        inception_n=inception_n,
        tstr_steps=tstr_steps,
        size=size,
        seed=seed,
        out=str(out),
    )
    _run_eval(config, overwrite, review)


def _run_eval(config: EvalConfig, overwrite: bool, review: Path | None = None) -> None:
    from radgen.metrics.evaluate import evaluate
    from radgen.metrics.report import write_report
    from radgen.runs import RunDir

    RunDir.create(config.out, overwrite=overwrite)
    result = evaluate(config)
    report = write_report(result, config.out)
    d = result["domain"]
    console.print(
        f"domain FID {d['fid']:.3g} (real floor {d['fid_real_floor']:.3g}), precision"
        f" {d['precision']:.3f}, recall {d['recall']:.3f}, near-copies"
        f" {result['memorization']['memorized_fraction']:.2%} -> {report}"
    )
    if review is not None:
        from radgen.review.add import add_eval
        from radgen.review.store import ReviewStore

        n = add_eval(ReviewStore(review, create=True), config.out)
        console.print(f"{n} synthetic images (flagged first) queued for review in {review}")


@app.command("encoder")
def encoder_cmd(
    dataset: str = typer.Option("pneumoniamnist", help="Dataset to learn features from."),
    data_path: Path | None = typer.Option(None, help="Folder for --dataset folder."),
    size: int = typer.Option(32, help="Input resolution."),
    steps: int = typer.Option(1500, help="Training steps."),
    out: Path = typer.Option(Path("runs/domain_encoder.pt"), help="TorchScript output file."),
    overwrite: bool = typer.Option(False, help="Replace an existing file."),
) -> None:
    """Train radgen's domain feature encoder on real images (for FID, PRDC, memorization)."""
    from radgen.data import load_dataset
    from radgen.io.paths import writable
    from radgen.metrics.domain_encoder import train_domain_encoder

    writable(out, overwrite)
    data = load_dataset(dataset, split="train", size=size, path=data_path)
    console.print(f"domain encoder -> {train_domain_encoder(data, out, steps=steps)}")


@app.command("train-translate")
def train_translate_cmd(
    model: str = typer.Option(..., "--model", help="pix2pix, cyclegan, stargan or diffusion."),
    pairs: Path = typer.Option(..., "--pairs", help="Folder: one aligned NIfTI per domain."),
    source: str | None = typer.Option(None, help="Source domain, e.g. sharp or t1."),
    target: str | None = typer.Option(None, help="Target domain, e.g. soft or t2."),
    domains: str | None = typer.Option(None, help="stargan: comma-separated domains."),
    holdout_slab: str | None = typer.Option(
        None, help="Hold out slices START:STOP (fractions, e.g. 0.45:0.60) for testing."
    ),
    crop: int = typer.Option(128, help="Training crop size."),
    batch_size: int = typer.Option(8, help="Slices per step."),
    width: int = typer.Option(16, help="Base channel width."),
    patch: int = typer.Option(2, help="Space-to-depth factor: 1 finest, 4 fastest."),
    linear_kernel: int = typer.Option(
        0, help="Learnable linear filter path (odd size, e.g. 21, for CT kernels; 0 = off)."
    ),
    lr: float | None = typer.Option(None, help="Learning rate (default: per model)."),
    steps: int | None = typer.Option(None, help="Stop after N steps."),
    minutes: float | None = typer.Option(None, help="Stop after N minutes of training."),
    checkpoint_every: int = typer.Option(100, help="Steps between checkpoints."),
    seed: int = typer.Option(0, help="Random seed."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    out: Path = typer.Option(Path("runs/translate"), help="Run directory."),
    resume: bool = typer.Option(False, help="Continue the run in --out from its checkpoint."),
    overwrite: bool = typer.Option(False, help="Replace an existing run directory."),
) -> None:
    """Train an image-to-image translation model (CT kernels, MRI sequences)."""
    from radgen.image.translate.config import TranslateConfig
    from radgen.image.translate.train import train_translation

    config = TranslateConfig(
        model=model,
        pairs=str(pairs),
        source=source,
        target=target,
        domains=[d.strip() for d in domains.split(",")] if domains else None,
        holdout_slab=holdout_slab,
        crop=crop,
        batch_size=batch_size,
        width=width,
        patch=patch,
        linear_kernel=linear_kernel,
        lr=lr,
        steps=steps,
        minutes=minutes,
        checkpoint_every=checkpoint_every,
        seed=seed,
        device=device,
        out=str(out),
    )
    summary = train_translation(config, resume=resume, overwrite=overwrite)
    console.print(f"trained {summary['steps']} steps in {summary['seconds']:.0f} s -> {out}")


@app.command("translate")
def translate_cmd(
    run: Path = typer.Option(..., "--run", help="Run directory of a translation model."),
    input: Path = typer.Option(..., "--input", help="NIfTI volume, DICOM folder or 2D image."),
    to: str = typer.Option(..., "--to", help="Target domain (kernel name, t2...)."),
    out: Path = typer.Option(..., "--out", help=".nii.gz file, or a folder for DICOM."),
    batch_size: int = typer.Option(8, help="Slices translated at once."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
    overwrite: bool = typer.Option(False, help="Replace an existing output."),
    review: Path | None = REVIEW,
) -> None:
    """Convert a whole volume slice by slice; geometry kept, output marked SYNTHETIC."""
    from rich.progress import Progress

    from radgen.image.translate.train import load_translator
    from radgen.image.translate.volume import translate_image
    from radgen.io import load_image, save_image
    from radgen.io.paths import writable

    if out.suffix:  # fail before the work, not after it
        writable(out, overwrite)
    image = load_image(input)
    _, task = load_translator(str(run), device)
    n = image.array.shape[2] if image.array.ndim == 3 else 1
    with Progress(console=console) as bar:
        job = bar.add_task(f"translating to {to}", total=n)
        result = translate_image(
            task, image, to, batch_size=batch_size, on_batch=lambda k: bar.advance(job, k)
        )
    note = f"radgen translate {input.name} -> {to} with {run}"
    path = save_image(result, out, synthetic=True, note=note, overwrite=overwrite)
    console.print(f"wrote {n} synthetic slice(s) ({to}) -> {path}")
    if review is not None:
        from radgen.review.add import add_translation
        from radgen.review.store import ReviewStore

        add_translation(ReviewStore(review, create=True), input, path, f"{input.name} -> {to}")
        console.print(f"queued for review in {review}")


findings_app = typer.Typer(help="Image-findings model: train, predict.", no_args_is_help=True)
app.add_typer(findings_app, name="findings")


@findings_app.command("train")
def findings_train_cmd(
    out: Path = typer.Option(..., "--out", help="Run directory."),
    dataset: str = typer.Option("pneumoniamnist", help="pneumoniamnist or folder."),
    data_path: Path | None = typer.Option(None, help="Folder for --dataset folder."),
    labels_csv: Path | None = typer.Option(None, help="filename,label CSV for a folder."),
    positive: str = typer.Option("pneumonia", help="The class that is the finding."),
    steps: int = typer.Option(1500, help="Training steps."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Train and calibrate the findings model (report.md with AUC, ECE, reliability plots)."""
    from radgen.image.findings.model import FindingsConfig, train_findings

    config = FindingsConfig(
        out=str(out),
        dataset=dataset,
        positive=positive,
        steps=steps,
        data_path=str(data_path) if data_path else None,
        labels_csv=str(labels_csv) if labels_csv else None,
    )
    r = train_findings(config, overwrite=overwrite)
    auc = f", validation AUC {r['val_auc']}, ECE {r['val_ece_after']}" if "val_auc" in r else ""
    console.print(f"findings model -> {out}{auc}")


@findings_app.command("predict")
def findings_predict_cmd(
    images: list[Path] = typer.Argument(..., help="PNG, DICOM or NIfTI images."),
    run: Path = typer.Option(..., "--run", help="A findings run."),
    out: Path = typer.Option(..., "--out", help="Folder for JSON and saliency maps."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
) -> None:
    """Calibrated probability, call and Grad-CAM saliency for each image."""
    from radgen.image.findings.report import predict_images

    for row in predict_images(images, run, out, overwrite):
        console.print(f"{row['image']}: {row['call']} (p = {row['probability']:.3f})")


@app.command("report")
def report_cmd(
    images: list[Path] = typer.Argument(..., help="Chest X-ray images (PNG, DICOM, NIfTI)."),
    run: Path = typer.Option(..., "--run", help="A findings run."),
    out: Path = typer.Option(..., "--out", help="Folder for drafts, findings and saliency."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
    review: Path | None = REVIEW,
    vlm_base_url: str | None = typer.Option(
        None, help="Bring your own vision-language server (OpenAI-compatible), for a 2nd draft."
    ),
    vlm_model: str = typer.Option("vlm", help="The VLM server's model name."),
    api_key: str | None = typer.Option(None, envvar="RADGEN_API_KEY", show_default=False),
) -> None:
    """A preliminary report per image, drafted only from the findings model and checked by
    the grounding guard; marked preliminary and machine-generated."""
    from radgen.image.findings.report import report_images

    vlm = None
    if vlm_base_url:
        from radgen.text.llm.openai_http import OpenAICompatibleBackend

        vlm = OpenAICompatibleBackend(vlm_base_url, vlm_model, api_key=api_key)
    for row in report_images(images, run, out, overwrite, review, vlm):
        console.print(f"{row['image']}: {row['call']} -> {row['draft']}")
