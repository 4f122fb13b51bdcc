"""In-process GGUF models through llama.cpp (llama-cpp-python): the embedded default.

JSON output is constrained by llama.cpp's JSON-schema grammar, so the model cannot produce
text that does not parse. Decoding is greedy (temperature 0) with a fixed seed: reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from radgen.errors import RadgenError
from radgen.text.llm.base import Message, check_fits
from radgen.text.llm.models import resolve_model


def default_threads() -> int:
    """Half the cores, at least one: decoding collapses when threads fight for a busy CPU."""
    return max(1, (os.cpu_count() or 2) // 2)


class LlamaCppBackend:
    """A local GGUF model; ``model`` is a registry name (``radgen models list``), a fine-tuned
    model's name (its base GGUF with its LoRA adapter), or a path."""

    is_remote = False

    def __init__(
        self,
        model: str = "qwen2.5-coder-0.5b",
        *,
        context_length: int = 4096,
        threads: int | None = None,
        seed: int = 0,
    ) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as err:  # pragma: no cover - depends on the install
            raise RadgenError(
                "llama-cpp-python is not installed; run `make test` or see README (LLM setup)"
            ) from err
        from radgen.text.finetune.registry import resolve_finetuned

        finetuned = resolve_finetuned(model)
        path, adapter = finetuned if finetuned is not None else (resolve_model(model), None)
        self.name = f"llama.cpp:{model}"
        self.context_length = context_length
        self.usage: dict[str, int] = {"prompt_tokens": 0, "completion_tokens": 0, "calls": 0}
        self._llm = Llama(
            model_path=str(path),
            n_ctx=context_length,
            n_threads=threads or default_threads(),
            seed=seed,
            lora_path=None if adapter is None else str(adapter),
            verbose=False,
        )

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        check_fits(self, messages, max_tokens)
        fmt = None if json_schema is None else {"type": "json_object", "schema": json_schema}
        out = self._llm.create_chat_completion(
            messages, response_format=fmt, max_tokens=max_tokens, temperature=0.0
        )
        for key in ("prompt_tokens", "completion_tokens"):
            self.usage[key] += int(out.get("usage", {}).get(key, 0))
        self.usage["calls"] += 1
        return out["choices"][0]["message"]["content"] or ""

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str:
        return self.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens)

    def stream(self, messages: list[Message], *, max_tokens: int = 256) -> Iterator[str]:
        check_fits(self, messages, max_tokens)
        chunks = self._llm.create_chat_completion(
            messages, max_tokens=max_tokens, temperature=0.0, stream=True
        )
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
