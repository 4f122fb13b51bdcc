"""The review project's SQLite store: items to review, reviewers, and an append-only log of
their decisions (triggers refuse UPDATE and DELETE). The schema is versioned and migrated.

Every decision is committed (WAL, synchronous FULL) before the server answers, so a server
killed mid-load loses no decision it has acknowledged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any, Literal

from radgen.errors import RadgenError

Queue = Literal["synthetic", "edit", "text", "deid"]
QUEUES: tuple[str, ...] = ("synthetic", "edit", "text", "deid")
Decision = Literal["accept", "reject", "edit"]
DB_NAME = "review.sqlite"

# Each migration takes the schema from version i to i + 1; never edit one that has shipped.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        queue TEXT NOT NULL CHECK (queue IN ('synthetic', 'edit', 'text', 'deid')),
        title TEXT NOT NULL,
        payload TEXT NOT NULL,
        flags TEXT NOT NULL DEFAULT '[]',
        source TEXT NOT NULL DEFAULT '',
        created_utc TEXT NOT NULL
    );
    CREATE TABLE reviewers (name TEXT PRIMARY KEY, created_utc TEXT NOT NULL);
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id INTEGER NOT NULL REFERENCES items(id),
        reviewer TEXT NOT NULL REFERENCES reviewers(name),
        decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'edit')),
        reason TEXT NOT NULL,
        edited_text TEXT,
        created_utc TEXT NOT NULL
    );
    CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
    CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
    """,
    """
    CREATE INDEX decisions_item ON decisions(item_id, id);
    CREATE INDEX items_queue ON items(queue, id);
    """,
    # an item's latest decision, kept by a trigger on the log so listings read one table
    """
    ALTER TABLE items ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
    UPDATE items SET status = COALESCE(
        (SELECT decision FROM decisions WHERE id =
            (SELECT MAX(id) FROM decisions WHERE item_id = items.id)), 'pending');
    CREATE TRIGGER decisions_set_status AFTER INSERT ON decisions
    BEGIN UPDATE items SET status = NEW.decision WHERE id = NEW.item_id; END;
    """,
]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class ReviewStore:
    """One project's database; safe to share between the server's threads."""

    def __init__(self, project: str | Path, *, create: bool = False) -> None:
        self.root = Path(project)
        self.path = self.root / DB_NAME
        if not self.path.exists():
            if not create:
                raise RadgenError(
                    "not a review project (no review.sqlite); create one with `radgen review add`",
                    self.root,
                )
            self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise RadgenError(
                f"the review database is corrupt or not SQLite ({err})", self.path
            ) from err

    # schema ------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > len(MIGRATIONS):
                raise RadgenError(
                    f"the project was written by a newer radgen (schema {current}, this one"
                    f" knows {len(MIGRATIONS)}); upgrade radgen",
                    self.path,
                )
            for i in range(current, len(MIGRATIONS)):  # each step is one transaction
                self.db.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[i]}\nPRAGMA user_version = {i + 1};\nCOMMIT;"
                )

    # token --------------------------------------------------------------------------------
    def ensure_token(self) -> str | None:
        """Make the access token at first start: returns it once, then only its hash is kept."""
        with self._lock:
            row = self.db.execute("SELECT value FROM meta WHERE key='token_sha256'").fetchone()
            if row is not None:
                return None
            token = secrets.token_urlsafe(24)
            digest = hashlib.sha256(token.encode()).hexdigest()
            self.db.execute("INSERT INTO meta VALUES ('token_sha256', ?)", (digest,))
            return token

    def reset_token(self) -> str:
        with self._lock:
            self.db.execute("DELETE FROM meta WHERE key='token_sha256'")
        token = self.ensure_token()
        assert token is not None
        return token

    def check_token(self, token: str | None) -> bool:
        if not token:
            return False
        row = self.db.execute("SELECT value FROM meta WHERE key='token_sha256'").fetchone()
        digest = hashlib.sha256(token.encode()).hexdigest()
        return row is not None and secrets.compare_digest(row[0], digest)

    # items ---------------------------------------------------------------------------------
    def add_item(
        self,
        queue: Queue,
        title: str,
        payload: dict[str, Any],
        flags: list[str] | None = None,
        source: str = "",
    ) -> int:
        if queue not in QUEUES:
            raise RadgenError(f"unknown queue '{queue}'; choose one of {list(QUEUES)}")
        with self._lock:
            cur = self.db.execute(
                "INSERT INTO items (queue, title, payload, flags, source, created_utc)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (queue, title, json.dumps(payload), json.dumps(flags or []), source, _now()),
            )
            return int(cur.lastrowid)

    _SELECT = (
        "SELECT i.id, i.queue, i.title, i.payload, i.flags, i.source, i.created_utc,"
        " d.decision, d.reviewer, d.reason, d.edited_text, d.created_utc FROM items i"
        " LEFT JOIN decisions d ON d.id = (SELECT MAX(id) FROM decisions WHERE item_id = i.id)"
    )

    @staticmethod
    def _item(row: tuple) -> dict[str, Any]:
        item_id, queue, title, payload, flags, source, created = row[:7]
        decision = row[7:]
        return {
            "id": item_id, "queue": queue, "title": title, "payload": json.loads(payload),
            "flags": json.loads(flags), "source": source, "created_utc": created,
            "status": decision[0] or "pending",
            "last_decision": None if decision[0] is None else dict(zip(
                ("decision", "reviewer", "reason", "edited_text", "created_utc"), decision,
                strict=True,
            )),
        }  # fmt: skip

    def items(
        self, queue: str | None = None, flag: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Items with their latest decision, in one query."""
        sql, args = self._SELECT, []
        if queue:
            sql, args = sql + " WHERE i.queue = ?", [queue]
        out = [self._item(r) for r in self.db.execute(sql + " ORDER BY i.id", args)]
        if flag:
            out = [i for i in out if any(flag in f for f in i["flags"])]
        if status:
            out = [i for i in out if i["status"] == status]
        return out

    def summaries_json(
        self, queue: str | None = None, flag: str | None = None, status: str | None = None
    ) -> str:
        """What a queue's list shows (id, queue, title, flags, status) as a JSON array, built
        by SQLite from the status column: no payload is parsed, so listing a queue of hundreds
        stays cheap while reviewers decide."""
        where, args = [], []
        if queue:
            where.append("queue = ?")
            args.append(queue)
        if status:
            where.append("status = ?")
            args.append(status)
        if flag:
            where.append("EXISTS (SELECT 1 FROM json_each(items.flags) WHERE instr(value, ?))")
            args.append(flag)
        sql = (
            "SELECT json_object('id', id, 'queue', queue, 'title', title, 'flags', json(flags),"
            " 'status', status) FROM items"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id"
        )
        return "[" + ",".join(r[0] for r in self.db.execute(sql, args)) + "]"

    def summaries(
        self, queue: str | None = None, flag: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        return json.loads(self.summaries_json(queue, flag, status))

    def counts(self) -> dict[str, Any]:
        """Items per queue, pending items and every flag in use: the page's header."""
        per_queue = dict.fromkeys(QUEUES, 0)
        pending = 0
        for queue, status, n in self.db.execute(
            "SELECT queue, status, COUNT(*) FROM items GROUP BY queue, status"
        ):
            per_queue[queue] += n
            pending += n if status == "pending" else 0
        flags = [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT j.value FROM items, json_each(items.flags) j ORDER BY 1"
            )
        ]
        return {"queues": per_queue, "pending": pending, "flags": flags}

    def item(self, item_id: int) -> dict[str, Any]:
        row = self.db.execute(self._SELECT + " WHERE i.id = ?", (item_id,)).fetchone()
        if row is None:
            raise RadgenError(f"no item {item_id}")
        return self._item(row)

    # decisions -----------------------------------------------------------------------------
    def add_reviewer(self, name: str) -> None:
        name = name.strip()
        if not name or len(name) > 80:
            raise RadgenError("a reviewer needs a name (1 to 80 characters)")
        with self._lock:
            self.db.execute("INSERT OR IGNORE INTO reviewers VALUES (?, ?)", (name, _now()))

    def reviewers(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM reviewers ORDER BY name")]

    def decide(
        self,
        item_id: int,
        reviewer: str,
        decision: Decision,
        reason: str,
        edited_text: str | None = None,
    ) -> int:
        """Append one decision; committed to disk before this returns."""
        if decision not in ("accept", "reject", "edit"):
            raise RadgenError(f"unknown decision '{decision}'; choose accept, reject or edit")
        if not reason or not reason.strip():
            raise RadgenError("every decision needs a reason")
        if decision == "edit" and not (edited_text or "").strip():
            raise RadgenError("an edit needs the edited text")
        name = reviewer.strip()
        if not name or len(name) > 80:
            raise RadgenError("a reviewer needs a name (1 to 80 characters)")
        with self._lock:  # one transaction, one write to disk
            if self.db.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone() is None:
                raise RadgenError(f"no item {item_id}")
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("INSERT OR IGNORE INTO reviewers VALUES (?, ?)", (name, _now()))
                cur = self.db.execute(
                    "INSERT INTO decisions (item_id, reviewer, decision, reason, edited_text,"
                    " created_utc) VALUES (?, ?, ?, ?, ?, ?)",
                    (item_id, name, decision, reason.strip(), edited_text, _now()),
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return int(cur.lastrowid)

    def decisions(self) -> list[dict[str, Any]]:
        cols = ("id", "item_id", "reviewer", "decision", "reason", "edited_text", "created_utc")
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM decisions ORDER BY id")
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def accepted(self) -> list[dict[str, Any]]:
        """Items whose latest decision is accept or edit (with the edited text)."""
        return [i for i in self.items() if i["status"] in ("accept", "edit")]

    def close(self) -> None:
        self.db.close()
