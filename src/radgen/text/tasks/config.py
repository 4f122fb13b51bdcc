"""Options shared by every language task, one pydantic object for the CLI and the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class LLMOptions(BaseModel):
    """Which local model and how to prompt it."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = Field("qwen2.5-coder-0.5b", description="Registry name or .gguf path.")
    threads: int | None = Field(None, ge=1, description="llama.cpp threads (default: half).")
    context_length: int = Field(4096, ge=512, description="Context window in tokens.")
    examples: Literal["none", "fixed", "similar"] = Field(
        "fixed", description="Few-shot examples: none, the fixed ones, or the most similar."
    )
    n_examples: int = Field(2, ge=0, description="How many few-shot examples.")
    cot: bool = Field(False, description="Chain-of-thought (reasoning kept out of the output).")
    retries: int = Field(2, ge=0, le=5, description="Retries after invalid JSON.")
    max_tokens: int = Field(512, ge=16, description="Longest answer in tokens.")
