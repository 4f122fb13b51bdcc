"""Append-only SQLite audit log of every remote language-model call: when, which backend,
and a SHA-256 of the payload, never the text itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from pathlib import Path


def default_path() -> Path:
    """$RADGEN_AUDIT_LOG, else ``~/.radgen/audit.sqlite`` (read when a log is opened)."""
    return Path(os.environ.get("RADGEN_AUDIT_LOG", Path.home() / ".radgen" / "audit.sqlite"))


SCHEMA = """
CREATE TABLE IF NOT EXISTS remote_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time_utc TEXT NOT NULL,
    backend TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    payload_chars INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS remote_calls_no_update BEFORE UPDATE ON remote_calls
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS remote_calls_no_delete BEFORE DELETE ON remote_calls
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditLog:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def record(self, backend: str, endpoint: str, payload: str) -> None:
        """One row per remote call, written before the call is made."""
        digest = hashlib.sha256(payload.encode()).hexdigest()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO remote_calls (time_utc, backend, endpoint, payload_sha256,"
                " payload_chars) VALUES (?, ?, ?, ?, ?)",
                (now, backend, endpoint, digest, len(payload)),
            )

    def rows(self) -> list[tuple]:
        with self._connect() as db:
            return list(db.execute("SELECT * FROM remote_calls ORDER BY id"))
