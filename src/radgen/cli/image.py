"""``radgen image ...``: train and sample image models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from radgen.cli.options import config_options
from radgen.image.config import EditConfig, SampleConfig, TrainConfig
from radgen.image.findings.config import FindingsConfig
from radgen.image.translate.config import TranslateConfig
from radgen.metrics.config import EvalConfig

REVIEW = typer.Option(None, "--review", help="Also queue the output for expert review here.")
app = typer.Typer(help="Train, sample and evaluate image models.", no_args_is_help=True)
console = Console()


@app.command("train")
@config_options(TrainConfig, defaults={"model": None, "out": "runs/train"})
def train_cmd(
    fields: dict,
    ctx: typer.Context,
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
    from radgen.image.config import merged_config
    from radgen.image.train import train

    typed = ("COMMANDLINE", "ENVIRONMENT")
    given = {k: v for k, v in fields.items() if ctx.get_parameter_source(k).name in typed}
    config = merged_config(fields, config_file, given, settings)
    summary = train(config, resume=resume, overwrite=overwrite)
    console.print(f"trained {summary['steps']} steps in {summary['seconds']:.0f} s -> {config.out}")


@app.command("sample")
@config_options(SampleConfig, defaults={"out": "runs/samples"})
def sample_cmd(
    config: SampleConfig,
    overwrite: bool = typer.Option(False, help="Replace a non-empty output folder."),
    evaluate: bool = typer.Option(
        False, "--eval", help="Evaluate the samples (npz) into OUT/eval."
    ),
) -> None:
    """Generate images from a trained run; every file is marked SYNTHETIC."""
    from radgen.image.sample import generate, write_samples

    images, labels, class_names = generate(config)
    out = Path(config.out)
    note = f"radgen sample from {config.run} ({config.sampler}, guidance {config.guidance})"
    root = write_samples(images, labels, class_names, out, config.format, note, overwrite)
    console.print(f"wrote {len(images)} synthetic images ({config.format}) -> {root}")
    if evaluate:
        from radgen.runs import RunDir

        if config.format != "npz":
            write_samples(images, labels, class_names, out / "npz", "npz", note, overwrite)
        trained = TrainConfig.model_validate(RunDir(config.run).read_config())
        samples = out / ("samples.npz" if config.format == "npz" else "npz/samples.npz")
        real = trained.data_path if trained.dataset == "folder" else trained.dataset
        eval_cfg = EvalConfig(
            real=real, synthetic=str(samples), size=trained.size, out=str(out / "eval")
        )
        _run_eval(eval_cfg, overwrite)


@app.command("edit")
@config_options(EditConfig, defaults={"out": "runs/edits"})
def edit_cmd(config: EditConfig) -> None:
    """Edit real images with a trained diffusion run (SDEdit, DDIM inversion and class
    switch, RePaint inpainting) or GAN run (inversion, latent direction); every output is
    marked SYNTHETIC."""
    from radgen.image.edit import run_edit

    root = run_edit(config)
    console.print(f"edited images ({config.method}) -> {root} (see edits.csv)")


@app.command("eval")
@config_options(EvalConfig, defaults={"out": "runs/eval"})
def eval_cmd(
    config: EvalConfig,
    overwrite: bool = typer.Option(False, help="Replace an existing report folder."),
    review: Path | None = REVIEW,
) -> None:
    """Fidelity, diversity, utility (TSTR), memorization and outliers: report.md + metrics.json."""
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
@config_options(TranslateConfig, defaults={"out": "runs/translate"}, text=("domains",))
def train_translate_cmd(
    config: TranslateConfig,
    resume: bool = typer.Option(False, help="Continue the run in --out from its checkpoint."),
    overwrite: bool = typer.Option(False, help="Replace an existing run directory."),
) -> None:
    """Train an image-to-image translation model (CT kernels, MRI sequences)."""
    from radgen.image.translate.train import train_translation

    summary = train_translation(config, resume=resume, overwrite=overwrite)
    console.print(f"trained {summary['steps']} steps in {summary['seconds']:.0f} s -> {config.out}")


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
@config_options(FindingsConfig)
def findings_train_cmd(
    config: FindingsConfig,
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Train and calibrate the findings model (report.md with AUC, ECE, reliability plots)."""
    from radgen.image.findings.model import train_findings

    r = train_findings(config, overwrite=overwrite)
    auc = f", validation AUC {r['val_auc']}, ECE {r['val_ece_after']}" if "val_auc" in r else ""
    console.print(f"findings model -> {config.out}{auc}")


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
