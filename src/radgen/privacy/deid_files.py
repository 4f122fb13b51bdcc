"""``radgen deid text`` as a function: de-identify report files, folders and CSV columns, and
optionally queue each output for expert sign-off (the original is never stored)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rich.progress import track

from radgen.errors import RadgenError
from radgen.io.paths import existing, writable
from radgen.io.text import read_csv_column, read_text
from radgen.privacy.config import DeidTextConfig
from radgen.privacy.deid import Deidentifier, DeidResult
from radgen.privacy.keystore import DEFAULT_PATH, KeyStore


@dataclass
class DeidSummary:
    """What a run did: PHI spans replaced, outputs written, items queued for review."""

    spans: int
    outputs: int
    queued: int
    key_store: Path | None


def report_pairs(src: Path, dst: Path, suffixes: tuple[str, ...]) -> list[tuple[Path, Path]]:
    """(input, output) for a file, or for every matching file under a folder (same layout)."""
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


class _Queue:
    """Sign-off queue for de-identified outputs, or nothing when no review store is given."""

    def __init__(self, path: str | None) -> None:
        self.store, self.count = None, 0
        if path is not None:
            from radgen.review.store import ReviewStore

            self.store = ReviewStore(Path(path), create=True)

    def add(self, result: DeidResult, title: str) -> None:
        if self.store is not None:
            from radgen.review.add import add_deid

            add_deid(self.store, result, title)
            self.count += 1


def _csv(
    config: DeidTextConfig, src: Path, deid: Deidentifier, queue: _Queue, progress: bool
) -> tuple[int, int]:
    """De-identify the chosen CSV columns into one output CSV: (spans, outputs)."""
    if not config.column:
        raise RadgenError("give --column NAME for the CSV text to de-identify", src)
    rows, fields = read_csv_column(src, config.column)
    out = writable(config.dst, config.overwrite)
    found = 0
    rows_seen = track(rows, description="de-identifying", disable=not progress)
    for number, row in enumerate(rows_seen, start=1):
        scope = row.get(config.scope_column or "", "") or "corpus"
        for col in config.column:
            result = deid.deidentify(row.get(col) or "", scope)
            row[col] = str(result.text)
            found += len(result.spans)
            if result.spans:
                queue.add(result, f"{src.name} row {number} {col}")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return found, 1


def _files(
    config: DeidTextConfig, src: Path, deid: Deidentifier, queue: _Queue, progress: bool
) -> tuple[int, int]:
    """De-identify a report or every .txt/.md report under a folder: (spans, outputs)."""
    pairs = report_pairs(src, Path(config.dst), (".txt", ".md"))
    found = 0
    for path, target in track(pairs, description="de-identifying", disable=not progress):
        text = read_text(path)
        if not text.strip():
            raise RadgenError("the report is empty: nothing to de-identify", path)
        result = deid.deidentify(text)
        writable(target, config.overwrite).write_text(str(result.text), encoding="utf-8")
        found += len(result.spans)
        queue.add(result, path.name)
    return found, len(pairs)


def deidentify_reports(config: DeidTextConfig, progress: bool = True) -> DeidSummary:
    """De-identify ``config.src`` (a report, a folder of reports, or CSV columns)."""
    src = existing(config.src)
    keys = None
    if config.mode == "pseudonymize":
        keys = KeyStore(Path(config.key_store) if config.key_store else DEFAULT_PATH)
    deid = Deidentifier(config.mode, keys=keys, keep_year=config.keep_year)
    queue = _Queue(config.review)
    try:
        run = _csv if src.suffix.lower() == ".csv" else _files
        found, outputs = run(config, src, deid, queue, progress)
    finally:
        if keys is not None:
            keys.close()
    return DeidSummary(found, outputs, queue.count, None if keys is None else keys.path)
