"""RAG answers: retrieve, give the model numbered sources, resolve its [n] citations.

When retrieval finds nothing close enough, or the model says the sources do not hold the
answer, the result says so (``answered=False``) instead of letting the model guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from radgen.text.llm.base import LLMBackend, check_text
from radgen.text.prompts.builder import build_messages, load_prompt
from radgen.text.rag.store import Hit, KnowledgeBase

NOT_FOUND = "NOT IN SOURCES"
_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


@dataclass
class Citation:
    number: int
    source: str
    section: str
    page: int | None
    text: str


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)


def resolve_citations(text: str, hits: list[Hit]) -> tuple[list[Citation], list[int]]:
    """Map each [n] in ``text`` to the n-th retrieved chunk; numbers with no chunk are
    returned separately (an invented citation is itself a warning sign)."""
    numbers: list[int] = []
    for group in _CITATION.findall(text):
        numbers += [int(n) for n in group.split(",")]
    valid, invalid = [], []
    for n in dict.fromkeys(numbers):
        if 1 <= n <= len(hits):
            c = hits[n - 1].chunk
            valid.append(Citation(n, c.source, c.section, c.page, c.text))
        else:
            invalid.append(n)
    return valid, invalid


def answer_question(
    question: str,
    kb: KnowledgeBase,
    backend: LLMBackend,
    *,
    k: int = 4,
    max_tokens: int = 200,
) -> Answer:
    """Retrieve ``k`` chunks (hybrid), answer from them with citations."""
    question = check_text(question, "question")
    hits = kb.search(question, k)
    context = [h.chunk.prompt_text(f"({h.chunk.citation()}) ") for h in hits]
    messages = build_messages(load_prompt("rag_answer"), question, context=context, examples="none")
    text = backend.chat(messages, max_tokens=max_tokens).strip()
    if NOT_FOUND in text.upper() or not text:
        return Answer(question, NOT_FOUND, False, hits=hits)
    citations, invalid = resolve_citations(text, hits)
    return Answer(question, text, True, citations, invalid, hits)
