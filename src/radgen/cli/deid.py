"""``radgen deid text|dicom IN OUT``: de-identify reports and DICOM headers."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import track

from radgen.cli.options import config_options
from radgen.privacy.config import DeidTextConfig, TaggerTrainConfig

app = typer.Typer(help="De-identify report text and DICOM headers.", no_args_is_help=True)
console = Console()


@app.command("text")
@config_options(DeidTextConfig, text=("column",))
def text_cmd(
    fields: dict,
    src: Path = typer.Argument(..., help="A .txt report, a folder of them, or a CSV."),
    dst: Path = typer.Argument(..., help="Output file or folder."),
) -> None:
    """Redact or pseudonymise PHI in reports (files, folders, CSV columns)."""
    from radgen.privacy.deid_files import deidentify_reports

    config = DeidTextConfig(**fields, src=str(src), dst=str(dst))
    summary = deidentify_reports(config)
    console.print(f"{summary.spans} PHI spans replaced ({config.mode}) -> {dst}")
    if config.review is not None:
        console.print(f"queued for sign-off in {config.review}")
    if summary.key_store is not None:
        console.print(
            f"re-identification key: {summary.key_store} (keep it apart from the outputs)"
        )


@app.command("dicom")
def dicom_cmd(
    src: Path = typer.Argument(..., help="A DICOM file or a folder of them."),
    dst: Path = typer.Argument(..., help="Output file or folder."),
    key_store: Path | None = typer.Option(None, help="Key for consistent UIDs and date shifts."),
    keep_private: list[str] = typer.Option([], help="Private tag groups to keep, e.g. 0x0029."),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
) -> None:
    """Apply the PS3.15 Basic Profile (dates shifted, UIDs remapped); pixels untouched."""
    from radgen.io.paths import existing
    from radgen.privacy.deid_files import report_pairs
    from radgen.privacy.dicom_deid import DicomDeidentifier
    from radgen.privacy.keystore import DEFAULT_PATH, KeyStore

    src = existing(src)
    keys = KeyStore(key_store or DEFAULT_PATH)
    groups = frozenset(int(g, 16) for g in keep_private)
    deid = DicomDeidentifier(keys, groups)
    reports = []
    pairs = report_pairs(src, dst, ())
    for path, target in track(pairs, description="de-identifying DICOM"):
        reports.append(deid.deidentify_file(path, target, overwrite))
    flagged = [r for r in reports if r.pixel_review]
    summary = [{"file": str(r.output), "pixel_review": r.pixel_review} for r in flagged]
    if flagged:
        review = (dst if dst.is_dir() else dst.parent) / "pixel_review.json"
        review.write_text(json.dumps(summary, indent=2))
        console.print(f"{len(flagged)} files may carry burned-in text: see {review}")
    console.print(f"de-identified {len(reports)} DICOM files -> {dst}")
    keys.close()


@app.command("train")
@config_options(TaggerTrainConfig, defaults={"steps": None}, text=("extra",))
def train_cmd(
    config: TaggerTrainConfig,
    install: bool = typer.Option(False, help="Make the result the default tagger."),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Fine-tune the PHI tagger (MiniLM + LoRA) on synthetic PHI; reproducible from the seed."""
    from radgen.privacy.tagger_train import train_tagger

    summary = train_tagger(config, overwrite=overwrite, resume=resume, install=install)
    console.print(
        f"{summary['steps']} steps in {summary['seconds']:.0f} s; development F1"
        f" {summary['dev_f1']:.3f} -> {summary['weights']}"
    )
