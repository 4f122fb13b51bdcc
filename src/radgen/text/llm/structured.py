"""Schema-checked JSON from any backend: constrain, parse, repair, validate, retry (bounded).

Nothing is silently dropped: a result that still fails after the retries comes back with
``ok=False``, the last raw text and the error, for the caller to report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from radgen.privacy.gate import trusted
from radgen.text.llm.base import LLMBackend, Message, message

T = TypeVar("T", bound=BaseModel)


@dataclass
class StructuredResult(Generic[T]):
    """The validated object (or None), with how it was obtained."""

    value: T | None
    raw: str
    attempts: int
    repaired: bool = False
    valid_first_try: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.value is not None


def repair_json(text: str) -> str:
    """Common fixes for near-JSON: code fences, prose around the object, trailing commas,
    single quotes, Python literals, and unclosed brackets at the end of a cut-off answer."""
    s = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    start = min((i for i in (s.find("{"), s.find("[")) if i >= 0), default=-1)
    if start > 0:
        s = s[start:]
    end = max(s.rfind("}"), s.rfind("]"))
    if end >= 0 and _balanced(s[: end + 1]):
        s = s[: end + 1]
    s = re.sub(r",\s*([}\]])", r"\1", s)
    s = re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", s)))
    if '"' not in s:
        s = s.replace("'", '"')
    return _close_brackets(s)


def _balanced(s: str) -> bool:
    return s.count("{") == s.count("}") and s.count("[") == s.count("]")


def _close_brackets(s: str) -> str:
    stack: list[str] = []
    in_string = escaped = False
    for ch in s:
        if in_string:
            escaped = ch == "\\" and not escaped
            if ch == '"' and not escaped:
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    if in_string:
        s += '"'
    return s + "".join(reversed(stack))


def _validate(model: type[T], text: str) -> T:
    return model.model_validate(json.loads(text))


def generate_json(
    backend: LLMBackend,
    messages: list[Message],
    model: type[T],
    *,
    schema: dict[str, Any] | None = None,
    max_tokens: int = 512,
    retries: int = 2,
) -> StructuredResult[T]:
    """Ask for JSON matching ``model``; repair, then retry with the error, at most ``retries``
    more times."""
    schema = schema or model.model_json_schema()
    history = list(messages)
    errors: list[str] = []
    raw = ""
    for attempt in range(1, retries + 2):
        raw = backend.chat(history, max_tokens=max_tokens, json_schema=schema)
        try:
            return StructuredResult(
                _validate(model, raw), raw, attempt, False, attempt == 1, errors
            )
        except (json.JSONDecodeError, ValidationError) as err:
            errors.append(f"attempt {attempt}: {_short(err)}")
        try:
            return StructuredResult(
                _validate(model, repair_json(raw)), raw, attempt, True, False, errors
            )
        except (json.JSONDecodeError, ValidationError) as err:
            errors.append(f"attempt {attempt} after repair: {_short(err)}")
            problem = _short(err)
        # the model's own reply goes back to the same model: it holds nothing new
        history = [
            *messages,
            message("assistant", trusted(raw)),
            message(
                "user",
                trusted(
                    f"That was not valid JSON for the schema ({problem})."
                    " Answer again with only the JSON object."
                ),
            ),
        ]
    return StructuredResult(None, raw, retries + 1, False, False, errors)


def _short(err: Exception) -> str:
    return " ".join(str(err).split())[:300]
