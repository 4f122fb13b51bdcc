"""Ingest documents as section-aware chunks with their source, section and page.

Markdown and text split at headings, then into paragraphs packed up to ``max_words``;
a chunk never crosses a section boundary. Report templates become one chunk per template.
PDFs are read page by page (pypdf) and chunked per page.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from radgen.errors import RadgenError
from radgen.io.text import read_text

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".json", ".pdf")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass
class Chunk:
    """One retrievable passage and where it came from."""

    text: str
    source: str
    section: str = ""
    page: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def chunk_id(self) -> str:
        key = f"{self.source}|{self.section}|{self.page}|{self.text}"
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    @property
    def bundled(self) -> bool:
        """From radgen's own starter pack (text radgen wrote or ships), not a user document."""
        from radgen.data.registry import bundled_asset

        try:
            return Path(self.source).resolve().is_relative_to(bundled_asset("").resolve())
        except (OSError, ValueError):
            return False

    def prompt_text(self, label: str = "") -> str:
        """The passage for a prompt: marked as radgen's own text when it is bundled, so a
        remote backend may receive it; a user's document stays plain (it must be
        de-identified first)."""
        from radgen.privacy.gate import trusted

        text = f"{label}{self.text}"
        return trusted(text) if self.bundled else text

    def citation(self) -> str:
        where = f", {self.section}" if self.section else ""
        page = f", p. {self.page}" if self.page else ""
        return f"{Path(self.source).name}{where}{page}"


def _pack(paragraphs: list[str], max_words: int) -> list[str]:
    """Greedy packing of paragraphs up to ``max_words``; long paragraphs split at sentences."""
    pieces: list[str] = []
    for para in paragraphs:
        words = para.split()
        if len(words) <= max_words:
            pieces.append(para)
            continue
        sentence_buf: list[str] = []
        for sentence in re.split(r"(?<=[.!?])\s+", para):
            if sentence_buf and len(" ".join([*sentence_buf, sentence]).split()) > max_words:
                pieces.append(" ".join(sentence_buf))
                sentence_buf = []
            sentence_buf.append(sentence)
        if sentence_buf:
            pieces.append(" ".join(sentence_buf))
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len((chunks[-1] + " " + piece).split()) <= max_words:
            chunks[-1] = chunks[-1] + "\n" + piece
        else:
            chunks.append(piece)
    return chunks


def chunk_markdown(text: str, source: str, max_words: int = 160) -> list[Chunk]:
    """Split at headings (the section is the heading path), then pack paragraphs."""
    chunks: list[Chunk] = []
    marks = [(m.start(), m.end(), len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    bounds = [(0, 0, 0, ""), *marks]
    path: list[str] = []
    for i, (_start, end, level, title) in enumerate(bounds):
        if level:
            path = [*path[: level - 1], title]
        stop = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
        body = text[end:stop]
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]
        section = " > ".join(path)
        for piece in _pack(paragraphs, max_words):
            chunks.append(Chunk(piece, source, section))
    return chunks


def chunk_templates(data: dict[str, Any], source: str) -> list[Chunk]:
    """One chunk per structured-report template: its name and its fields."""
    chunks = []
    for name, body in data.items():
        if not isinstance(body, dict):
            raise RadgenError(f"template '{name}' is not an object", Path(source))
        lines = [f"Structured report template {name.replace('_', ' ').lower()}."]
        for key, value in body.items():
            if isinstance(value, dict):
                lines.append(
                    f"{key}: " + "; ".join(f"{k.replace('_', ' ').lower()}" for k in value)
                )
            elif value:
                lines.append(f"{key}: {value}")
        chunks.append(Chunk("\n".join(lines), source, name, meta={"template": name}))
    return chunks


def chunk_pdf(path: Path, max_words: int = 160) -> list[Chunk]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as err:  # pragma: no cover - pypdf is a dependency
        raise RadgenError("PDF support needs pypdf") from err
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as err:
        raise RadgenError(f"unreadable PDF: {err}", path) from err
    chunks = []
    for number, text in enumerate(pages, start=1):
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
        for piece in _pack(paragraphs, max_words):
            chunks.append(Chunk(piece, str(path), page=number))
    return chunks


def chunk_file(path: str | Path, max_words: int = 160) -> list[Chunk]:
    """Chunks of one file, by type; unreadable or unsupported files are clear errors."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RadgenError(f"unsupported document type; radgen reads {SUPPORTED_SUFFIXES}", p)
    if suffix == ".pdf":
        chunks = chunk_pdf(p, max_words)
    elif suffix == ".json":
        try:
            data = json.loads(read_text(p))
        except json.JSONDecodeError as err:
            raise RadgenError(f"not valid JSON: {err}", p) from err
        if not isinstance(data, dict):
            raise RadgenError("JSON documents must be an object of templates", p)
        chunks = chunk_templates(data, str(p))
    else:
        chunks = chunk_markdown(read_text(p), str(p), max_words)
    if not chunks:
        raise RadgenError("no text found in the document", p)
    return chunks
