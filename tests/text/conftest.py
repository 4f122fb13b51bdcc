"""Fixtures for the language tests: the real smallest model and the real embedder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_llm():
    """Qwen2.5-Coder-0.5B through llama.cpp: the smallest model that writes valid JSON."""
    from radgen.text.llm.llamacpp import LlamaCppBackend

    return LlamaCppBackend("qwen2.5-coder-0.5b", threads=1)


@pytest.fixture(scope="session")
def embedder():
    from radgen.text.rag.embeddings import SentenceEmbedder

    return SentenceEmbedder()
