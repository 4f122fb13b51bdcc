"""Fixtures for the language tests: the real smallest model and the real embedder."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def small_llm():
    """Qwen2.5-Coder-0.5B through llama.cpp: the smallest model that writes valid JSON. Both
    cores: nothing else runs beside these tests, and decoding is a quarter faster."""
    from radgen.text.llm.llamacpp import LlamaCppBackend

    return LlamaCppBackend("qwen2.5-coder-0.5b", threads=2)


@pytest.fixture(scope="session")
def embedder():
    from radgen.text.rag.embeddings import SentenceEmbedder

    return SentenceEmbedder()
