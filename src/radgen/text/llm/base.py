"""The backend interface every language model implements, and the checks they share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from radgen.errors import RadgenError

Message = dict[str, Any]  # {"role": ..., "content": str, "parts": [str, ...] (optional)}


def message(role: str, *parts: str) -> Message:
    """A chat message that remembers its parts: radgen's own text (``Trusted``) and the
    user's, so a remote backend can check that every user part was de-identified."""
    return {"role": role, "content": "".join(parts), "parts": list(parts)}


class LLMBackend(Protocol):
    """``is_remote`` is True when text leaves the machine: then only de-identified text goes.

    ``json_schema`` asks for output that matches a JSON schema: constrained decoding where
    the backend can (llama.cpp grammars, server ``response_format``), a plain request where
    it cannot; :func:`radgen.text.llm.structured.generate_json` validates and repairs either.
    """

    name: str
    is_remote: bool
    context_length: int

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        json_schema: dict[str, Any] | None = None,
    ) -> str: ...

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str: ...

    def stream(self, messages: list[Message], *, max_tokens: int = 256) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


def check_fits(backend: LLMBackend, messages: list[Message], max_tokens: int) -> int:
    """Prompt tokens, or a clear error when prompt + answer exceed the context window."""
    used = sum(backend.count_tokens(m["content"]) + 4 for m in messages)
    if used + max_tokens > backend.context_length:
        raise RadgenError(
            f"input too long: the prompt is {used} tokens and the answer may need {max_tokens},"
            f" but {backend.name} reads at most {backend.context_length}; split the text"
            " (for example one report section at a time) or use a longer-context model"
        )
    return used


def check_text(text: str, what: str = "report") -> str:
    """Refuse empty input with a message that says what was empty."""
    if not isinstance(text, str) or not text.strip():
        raise RadgenError(f"the {what} is empty")
    return text.strip()
