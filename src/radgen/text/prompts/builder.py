"""Prompts with explicit parts: role, task, output format, context, few-shot examples and
chain-of-thought. Each task's prompt is a versioned YAML file in ``prompts/library``.

With chain-of-thought on, the model is asked for ``{"reasoning": ..., "answer": ...}``;
callers keep only the answer, so the reasoning never reaches the final JSON.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from radgen.errors import RadgenError
from radgen.privacy.gate import trusted
from radgen.text.llm.base import Message, message

ExampleMode = Literal["none", "fixed", "similar"]


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str
    output: Any
    reasoning: str = ""


class PromptSpec(BaseModel):
    """One task's prompt, as stored in ``library/<name>.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    version: int
    role: str
    task: str
    output_format: str
    cot: str = Field("", description="Chain-of-thought instruction used when cot=True.")
    input_label: str = "Report"
    examples: list[Example] = Field(default_factory=list)


def available_prompts() -> list[str]:
    root = resources.files("radgen") / "text" / "prompts" / "library"
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=32)
def load_prompt(name: str) -> PromptSpec:
    """The packaged prompt for task ``name``."""
    if name not in available_prompts():
        raise RadgenError(f"no prompt named '{name}'; choose one of {available_prompts()}")
    path = resources.files("radgen") / "text" / "prompts" / "library" / f"{name}.yaml"
    return PromptSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _bag(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z]+", text.lower()))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def select_examples(pool: list[Example], text: str, mode: ExampleMode, k: int) -> list[Example]:
    """``fixed``: the first k; ``similar``: the k most similar inputs (bag-of-words cosine)."""
    if mode == "none" or k <= 0:
        return []
    if mode == "fixed":
        return pool[:k]
    query = _bag(text)
    return sorted(pool, key=lambda e: -_cosine(query, _bag(e.input)))[:k]


def _render_output(example: Example, cot: bool) -> str:
    if cot:
        return json.dumps({"reasoning": example.reasoning, "answer": example.output})
    return example.output if isinstance(example.output, str) else json.dumps(example.output)


def build_messages(
    spec: PromptSpec,
    text: str,
    *,
    context: list[str] | None = None,
    examples: ExampleMode = "fixed",
    n_examples: int = 2,
    cot: bool = False,
    extra: str = "",
    variables: dict[str, Any] | None = None,
) -> list[Message]:
    """System (role, task, format, CoT) -> few-shot turns -> context + input.

    ``variables`` fill the ``{placeholders}`` of the prompt file (``{{`` is a literal brace).
    """
    try:
        parts = [spec.role, spec.task, spec.output_format]
        system = [p.format(**(variables or {})).strip() for p in parts]
    except KeyError as err:
        raise RadgenError(f"prompt '{spec.name}' needs the variable {err}") from err
    if extra:
        system.append(extra.strip())
    if cot and spec.cot:
        system.append(spec.cot.strip())
    messages: list[Message] = [message("system", trusted("\n\n".join(system)))]
    for ex in select_examples(spec.examples, text, examples, n_examples):
        messages.append(message("user", trusted(f"{spec.input_label}:\n{ex.input}")))
        messages.append(message("assistant", trusted(_render_output(ex, cot))))
    parts: list[str] = []
    if context:
        parts.append(trusted("Sources:\n"))
        for i, c in enumerate(context, start=1):
            parts += [trusted(f"[{i}] "), c.strip(), trusted("\n")]
        parts.append(trusted("\n"))
    parts += [trusted(f"{spec.input_label}:\n"), text.strip()]
    messages.append(message("user", *parts))
    return messages


def with_reasoning(schema: dict[str, Any]) -> dict[str, Any]:
    """Wrap an answer schema as {"reasoning": str, "answer": <schema>} for chain-of-thought."""
    defs = schema.pop("$defs", None)
    wrapped: dict[str, Any] = {
        "type": "object",
        "properties": {"reasoning": {"type": "string"}, "answer": schema},
        "required": ["reasoning", "answer"],
    }
    if defs:
        wrapped["$defs"] = defs
    return wrapped


def render(messages: list[Message]) -> str:
    """Messages as readable text (``radgen text prompt show``)."""
    return "\n\n".join(f"--- {m['role']} ---\n{m['content']}" for m in messages)
