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
) -> None:
    """Redact or pseudonymise PHI in reports (files, folders, CSV columns)."""
    from radgen.io.paths import existing, writable
    from radgen.io.text import read_csv_column, read_text
    from radgen.privacy.deid import Deidentifier
    from radgen.privacy.keystore import DEFAULT_PATH, KeyStore

    src = existing(src)
    keys = KeyStore(key_store or DEFAULT_PATH) if mode == "pseudonymize" else None
    deid = Deidentifier(mode, keys=keys, keep_year=keep_year)
    found = 0
    if src.suffix.lower() == ".csv":
        if not column:
            raise RadgenError("give --column NAME for the CSV text to de-identify", src)
        rows, fields = read_csv_column(src, column)
        out = writable(dst, overwrite)
        for row in track(rows, description="de-identifying"):
            scope = row.get(scope_column or "", "") or "corpus"
            for col in column:
                result = deid.deidentify(row.get(col) or "", scope)
                row[col] = str(result.text)
                found += len(result.spans)
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    else:
        pairs = _outputs(src, dst, (".txt", ".md"))
        for path, target in track(pairs, description="de-identifying"):
            result = deid.deidentify(read_text(path))
            writable(target, overwrite).write_text(str(result.text), encoding="utf-8")
            found += len(result.spans)
    console.print(f"{found} PHI spans replaced ({mode}) -> {dst}")
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
