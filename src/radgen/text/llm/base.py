"""The backend interface every language model implements."""

from __future__ import annotations

from typing import Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class LLMBackend(Protocol):
    """``is_remote`` is True when text leaves the machine: then only de-identified text goes."""

    name: str
    is_remote: bool

    def chat(self, messages: list[Message], *, max_tokens: int = 256) -> str: ...

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str: ...
