"""Reading report text safely: clear errors for binary files, wrong encodings, empty columns."""

from __future__ import annotations

import csv
from pathlib import Path

from radgen.errors import RadgenError
from radgen.io.paths import existing


def read_text(path: str | Path) -> str:
    """A UTF-8 text file's content; binary files and other encodings are refused clearly."""
    p = existing(path)
    if p.is_dir():
        raise RadgenError("is a folder; give a text file", p)
    raw = p.read_bytes()
    if b"\x00" in raw[:8192]:
        raise RadgenError("binary file, not text (NUL bytes found)", p)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RadgenError(
            f"not UTF-8 text (byte {exc.start}); re-encode it, e.g. iconv -f latin1 -t utf-8", p
        ) from exc


def read_csv_column(path: str | Path, columns: list[str]) -> tuple[list[dict[str, str]], list[str]]:
    """All rows of a CSV and its field names, checking that each column exists and has text."""
    text = read_text(path)
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise RadgenError("CSV has no data rows", path)
    fields = list(rows[0].keys())
    for column in columns:
        if column not in fields:
            raise RadgenError(f"no column '{column}'; the CSV has {fields}", path)
        if not any((row.get(column) or "").strip() for row in rows):
            raise RadgenError(f"column '{column}' is empty in every row", path)
    return rows, fields
