"""The re-identification key: a local SQLite file kept apart from de-identified outputs.

It holds the secret that makes surrogates consistent (the same name always maps to the same
fake name, across a corpus and across runs) and a surrogate -> original table. Normal use
never reads the table; only ``lookup`` does, for an authorised re-identification.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from pathlib import Path

DEFAULT_PATH = Path(os.environ.get("RADGEN_KEY_STORE", Path.home() / ".radgen" / "reid_key.sqlite"))

SCHEMA = """
CREATE TABLE IF NOT EXISTS secret (id INTEGER PRIMARY KEY CHECK (id = 1), value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS mapping (
    category TEXT NOT NULL, surrogate TEXT NOT NULL, original TEXT NOT NULL,
    PRIMARY KEY (category, surrogate, original)
);
"""


class KeyStore:
    """Secret + mapping in one SQLite file (created with owner-only permissions)."""

    def __init__(self, path: str | Path = DEFAULT_PATH) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        self.db = sqlite3.connect(self.path)
        if new:
            os.chmod(self.path, 0o600)
        self.db.executescript(SCHEMA)
        row = self.db.execute("SELECT value FROM secret WHERE id = 1").fetchone()
        if row is None:
            self.db.execute("INSERT INTO secret VALUES (1, ?)", (secrets.token_bytes(32),))
            self.db.commit()
            row = self.db.execute("SELECT value FROM secret WHERE id = 1").fetchone()
        self._secret = bytes(row[0])

    def digest(self, *parts: str) -> bytes:
        """Keyed hash: deterministic per key store, unguessable without it."""
        return hmac.new(self._secret, "\x1f".join(parts).encode(), hashlib.sha256).digest()

    def seed(self, *parts: str) -> int:
        return int.from_bytes(self.digest(*parts)[:8], "big")

    def remember(self, category: str, surrogate: str, original: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO mapping VALUES (?, ?, ?)", (category, surrogate, original)
        )

    def commit(self) -> None:
        self.db.commit()

    def lookup(self, surrogate: str) -> list[tuple[str, str]]:
        """(category, original) pairs behind a surrogate: re-identification, on purpose only."""
        rows = self.db.execute(
            "SELECT category, original FROM mapping WHERE surrogate = ?", (surrogate,)
        )
        return list(rows)

    def close(self) -> None:
        self.db.commit()
        self.db.close()
