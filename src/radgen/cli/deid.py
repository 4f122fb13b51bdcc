"""``radgen deid text|dicom IN OUT``: de-identify reports and DICOM headers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import track

from radgen.errors import RadgenError

app = typer.Typer(help="De-identify report text and DICOM headers.", no_args_is_help=True)
console = Console()


def _outputs(src: Path, dst: Path, suffixes: tuple[str, ...]) -> list[tuple[Path, Path]]:
    if src.is_dir():
        files = sorted(
            p
            for p in src.rglob("*")
            if p.is_file() and (not suffixes or p.suffix.lower() in suffixes)
        )
        if not files:
            raise RadgenError("folder is empty: nothing to de-identify", src)
        return [(f, dst / f.relative_to(src)) for f in files]
    return [(src, dst)]


@app.command("text")
def text_cmd(
    src: Path = typer.Argument(..., help="A .txt report, a folder of them, or a CSV."),
    dst: Path = typer.Argument(..., help="Output file or folder."),
    column: list[str] = typer.Option([], "--column", help="CSV column(s) to de-identify."),
    mode: str = typer.Option("redact", help="redact ([NAME]) or pseudonymize (surrogates)."),
    key_store: Path | None = typer.Option(None, help="Re-identification key (SQLite), kept apart."),
    keep_year: bool = typer.Option(False, help="Replace dates by their year."),
    scope_column: str | None = typer.Option(
        None, help="CSV column naming the patient (date shift)."
    ),
    overwrite: bool = typer.Option(False, help="Replace existing outputs."),
    review: Path | None = typer.Option(
        None, "--review", help="Also queue each output for sign-off (the original is not stored)."
    ),
) -> None:
    """Redact or pseudonymise PHI in reports (files, folders, CSV columns)."""
    from radgen.io.paths import existing, writable
    from radgen.io.text import read_csv_column, read_text
    from radgen.privacy.deid import Deidentifier
    from radgen.privacy.keystore import DEFAULT_PATH, KeyStore

    src = existing(src)
    keys = KeyStore(key_store or DEFAULT_PATH) if mode == "pseudonymize" else None
    deid = Deidentifier(mode, keys=keys, keep_year=keep_year)
    queue = None
    if review is not None:
        from radgen.review.add import add_deid
        from radgen.review.store import ReviewStore

        store = ReviewStore(review, create=True)

        def queue(result, title: str) -> None:
            add_deid(store, result, title)

    found = 0
    if src.suffix.lower() == ".csv":
        if not column:
            raise RadgenError("give --column NAME for the CSV text to de-identify", src)
        rows, fields = read_csv_column(src, column)
        out = writable(dst, overwrite)
        for number, row in enumerate(track(rows, description="de-identifying"), start=1):
            scope = row.get(scope_column or "", "") or "corpus"
            for col in column:
                result = deid.deidentify(row.get(col) or "", scope)
                row[col] = str(result.text)
                found += len(result.spans)
                if queue is not None and result.spans:
                    queue(result, f"{src.name} row {number} {col}")
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    else:
        pairs = _outputs(src, dst, (".txt", ".md"))
        for path, target in track(pairs, description="de-identifying"):
            text = read_text(path)
            if not text.strip():
                raise RadgenError("the report is empty: nothing to de-identify", path)
            result = deid.deidentify(text)
            writable(target, overwrite).write_text(str(result.text), encoding="utf-8")
            found += len(result.spans)
            if queue is not None:
                queue(result, path.name)
    console.print(f"{found} PHI spans replaced ({mode}) -> {dst}")
    if review is not None:
        console.print(f"queued for sign-off in {review}")
    if keys is not None:
        console.print(f"re-identification key: {keys.path} (keep it apart from the outputs)")
        keys.close()


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
    from radgen.privacy.dicom_deid import DicomDeidentifier
    from radgen.privacy.keystore import DEFAULT_PATH, KeyStore

    src = existing(src)
    keys = KeyStore(key_store or DEFAULT_PATH)
    groups = frozenset(int(g, 16) for g in keep_private)
    deid = DicomDeidentifier(keys, groups)
    reports = []
    for path, target in track(_outputs(src, dst, ()), description="de-identifying DICOM"):
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
def train_cmd(
    out: Path = typer.Option(..., "--out", help="Run directory."),
    steps: int | None = typer.Option(None, help="Training steps (default 1000, as shipped)."),
    minutes: float | None = typer.Option(None, help="A time budget instead of steps."),
    seed: int = typer.Option(0, help="Seed for data, initialisation and batches."),
    device: str = typer.Option("cpu", help="cpu, cuda or auto."),
    install: bool = typer.Option(False, help="Make the result the default tagger."),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Fine-tune the PHI tagger (MiniLM + LoRA) on synthetic PHI; reproducible from the seed."""
    from radgen.privacy.tagger_train import TaggerTrainConfig, train_tagger

    update: dict[str, object] = {"seed": seed, "device": device, "out": str(out)}
    if steps is not None or minutes is not None:
        update |= {"steps": steps, "minutes": minutes}
    config = TaggerTrainConfig(**update)
    summary = train_tagger(config, overwrite=overwrite, resume=resume, install=install)
    console.print(
        f"{summary['steps']} steps in {summary['seconds']:.0f} s; development F1"
        f" {summary['dev_f1']:.3f} -> {summary['weights']}"
    )
