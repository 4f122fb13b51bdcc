"""The knowledge base: chunks, embeddings and BM25 tokens in one SQLite file.

Search is exact (a matrix product over all embeddings), which is fast below about 100,000
chunks on a CPU; radgen warns above ``EXACT_LIMIT``. Hybrid search fuses the dense and BM25
rankings with Reciprocal Rank Fusion: score = sum over rankings of 1 / (60 + rank), so a chunk
ranked well by both beats one ranked first by only one (Cormack et al. 2009).
Documents are added and deleted incrementally; re-adding an unchanged file is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from radgen.errors import RadgenError
from radgen.text.rag.bm25 import BM25, tokenize
from radgen.text.rag.chunking import Chunk, chunk_file
from radgen.text.rag.embeddings import SentenceEmbedder

SearchMode = Literal["dense", "bm25", "hybrid"]
RRF_K = 60
EXACT_LIMIT = 100_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, added_utc TEXT NOT NULL, chunks INTEGER
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL REFERENCES documents(source) ON DELETE CASCADE,
    section TEXT, page INTEGER, text TEXT NOT NULL, tokens TEXT NOT NULL,
    embedding BLOB NOT NULL, meta TEXT
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
"""


@dataclass
class Hit:
    """A retrieved chunk with its fused score and its rank in each ranking (1 = best)."""

    chunk: Chunk
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    row_id: int


def starter_documents() -> list[Path]:
    """The bundled starter pack: 61 report templates and the protocol guidance notes."""
    from radgen.data.registry import bundled_asset

    return [bundled_asset("report_templates.json"), bundled_asset("kb/protocol_guidance.md")]


def rrf_fuse(rankings: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal Rank Fusion of ranked id lists, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class KnowledgeBase:
    """A persistent, incrementally updated index at ``path`` (a SQLite file)."""

    def __init__(self, path: str | Path, embedder: SentenceEmbedder | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(_SCHEMA)
        self._embedder = embedder
        self._cache: tuple[list[int], np.ndarray, BM25] | None = None

    @property
    def embedder(self) -> SentenceEmbedder:
        if self._embedder is None:
            self._embedder = SentenceEmbedder()
        name = self._setting("embedder")
        if name is not None and name != self._embedder.name:
            raise RadgenError(
                f"this knowledge base was built with embedder '{name}', not"
                f" '{self._embedder.name}'; rebuild it or use the same model",
                self.path,
            )
        return self._embedder

    def _setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_file(self, path: str | Path, max_words: int = 160) -> int:
        """Index one document; returns its chunk count (0 when it is unchanged)."""
        p = Path(path)
        if not p.is_file():
            raise RadgenError("no such document", p)
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        source = str(p.resolve())
        row = self.db.execute("SELECT sha256 FROM documents WHERE source = ?", (source,)).fetchone()
        if row is not None and row[0] == sha:
            return 0
        chunks = chunk_file(p, max_words)
        for c in chunks:
            c.source = source
        self._store(source, sha, chunks)
        return len(chunks)

    def _store(self, source: str, sha: str, chunks: list[Chunk]) -> None:
        vectors = self.embedder.encode([f"{c.section}\n{c.text}" for c in chunks])
        with self.db:  # one transaction: a crash leaves the old version, never half a file
            self.db.execute("DELETE FROM documents WHERE source = ?", (source,))
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?)",
                (source, sha, datetime.now(UTC).isoformat(timespec="seconds"), len(chunks)),
            )
            self.db.executemany(
                "INSERT INTO chunks (source, section, page, text, tokens, embedding, meta)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (source, c.section, c.page, c.text,
                     json.dumps(tokenize(f"{c.section} {c.text}")),
                     v.astype(np.float32).tobytes(), json.dumps(c.meta))
                    for c, v in zip(chunks, vectors, strict=True)
                ],
            )  # fmt: skip
            self.db.execute(
                "INSERT OR REPLACE INTO settings VALUES ('embedder', ?)", (self.embedder.name,)
            )
        self._cache = None

    def delete(self, path: str | Path) -> int:
        """Remove a document and its chunks; returns how many chunks went."""
        source = str(Path(path).resolve())
        with self.db:
            n = self.db.execute("SELECT COUNT(*) FROM chunks WHERE source = ?", (source,))
            count = n.fetchone()[0]
            self.db.execute("DELETE FROM documents WHERE source = ?", (source,))
        self._cache = None
        return int(count)

    def stats(self) -> dict[str, object]:
        docs = self.db.execute("SELECT source, chunks, added_utc FROM documents").fetchall()
        return {
            "path": str(self.path),
            "documents": len(docs),
            "chunks": sum(d[1] for d in docs),
            "embedder": self._setting("embedder"),
            "sources": [{"source": d[0], "chunks": d[1], "added_utc": d[2]} for d in docs],
            "search": "exact dense + BM25, fused by reciprocal rank (k=60)",
        }

    def _load(self) -> tuple[list[int], np.ndarray, BM25]:
        if self._cache is None:
            rows = self.db.execute(
                "SELECT id, tokens, embedding FROM chunks ORDER BY id"
            ).fetchall()
            if len(rows) > EXACT_LIMIT:
                warnings.warn(f"{len(rows)} chunks: exact search will be slow", stacklevel=2)
            ids = [r[0] for r in rows]
            dim = len(rows[0][2]) // 4 if rows else 0
            matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32)
            self._cache = (
                ids,
                matrix.reshape(len(rows), dim),
                BM25([json.loads(r[1]) for r in rows]),
            )
        return self._cache

    def chunk(self, row_id: int) -> Chunk:
        row = self.db.execute(
            "SELECT text, source, section, page, meta FROM chunks WHERE id = ?", (row_id,)
        ).fetchone()
        if row is None:
            raise RadgenError(f"no chunk {row_id} in the knowledge base", self.path)
        return Chunk(row[0], row[1], row[2] or "", row[3], json.loads(row[4] or "{}"))

    def search(self, query: str, k: int = 5, mode: SearchMode = "hybrid") -> list[Hit]:
        """The ``k`` best chunks for ``query`` by dense, BM25 or hybrid (RRF) ranking."""
        if not query.strip():
            raise RadgenError("the query is empty")
        ids, matrix, bm25 = self._load()
        if not ids:
            raise RadgenError("the knowledge base is empty; add documents with `radgen kb add`")
        depth = min(len(ids), max(50, 4 * k))
        dense_order: list[int] = []
        bm25_order: list[int] = []
        if mode in ("dense", "hybrid"):
            sims = matrix @ self.embedder.encode([query])[0]
            dense_order = [ids[i] for i in np.argsort(-sims, kind="stable")[:depth]]
        if mode in ("bm25", "hybrid"):
            scores = bm25.scores(tokenize(query))
            bm25_order = [
                ids[i] for i in np.argsort(-scores, kind="stable")[:depth] if scores[i] > 0
            ]
        if mode == "dense":
            ranked = [(i, 1.0 / (RRF_K + r)) for r, i in enumerate(dense_order, start=1)]
        elif mode == "bm25":
            ranked = [(i, 1.0 / (RRF_K + r)) for r, i in enumerate(bm25_order, start=1)]
        else:
            ranked = rrf_fuse([dense_order, bm25_order])
        d_rank = {i: r for r, i in enumerate(dense_order, start=1)}
        b_rank = {i: r for r, i in enumerate(bm25_order, start=1)}
        return [
            Hit(self.chunk(i), score, d_rank.get(i), b_rank.get(i), i) for i, score in ranked[:k]
        ]
