"""Retrieval-augmented generation: ingest, embed, index (dense + BM25), answer with citations."""

from __future__ import annotations

import os
from pathlib import Path

from radgen.text.rag.store import Hit, KnowledgeBase, starter_documents

__all__ = ["Hit", "KnowledgeBase", "default_kb_path", "open_kb", "starter_documents"]


def default_kb_path() -> Path:
    """$RADGEN_KB, else ``~/.cache/radgen/kb.sqlite``."""
    return Path(os.environ.get("RADGEN_KB", Path.home() / ".cache" / "radgen" / "kb.sqlite"))


def open_kb(path: str | Path | None = None, *, with_starter: bool = False) -> KnowledgeBase:
    """Open (creating) a knowledge base; ``with_starter`` adds the bundled pack if missing."""
    kb = KnowledgeBase(path or default_kb_path())
    if with_starter:
        for doc in starter_documents():
            kb.add_file(doc)
    return kb
