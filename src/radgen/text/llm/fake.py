"""A scripted backend for unit tests of prompt assembly, retries and repair (not a model)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from radgen.text.llm.base import Message, check_fits


class FakeBackend:
    """Replies with ``replies`` in turn (the last one repeats) and records every request."""

    is_remote = False

    def __init__(self, replies: list[str], context_length: int = 4096) -> None:
        self.name = "fake"
        self.replies = list(replies)
        self.context_length = context_length
        self.calls: list[dict[str, Any]] = []

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        check_fits(self, messages, max_tokens)
        self.calls.append({"messages": messages, "json_schema": json_schema})
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str:
        return self.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens)

    def stream(self, messages: list[Message], *, max_tokens: int = 256) -> Iterator[str]:
        yield from re.findall(r"\S+\s*", self.chat(messages, max_tokens=max_tokens))

    def count_tokens(self, text: str) -> int:
        return len(text.split())
