"""Task ``protocol``: clinical question and patient details -> modality, body region,
contrast and a one-line rationale, citing retrieved guidance when it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from radgen.text.llm.base import LLMBackend, check_text
from radgen.text.llm.structured import generate_json
from radgen.text.prompts.builder import build_messages, load_prompt, with_reasoning
from radgen.text.tasks.config import LLMOptions

Modality = Literal["CT", "MRI", "X-ray", "ultrasound", "nuclear medicine", "fluoroscopy"]


class Protocol(BaseModel):
    model_config = ConfigDict(extra="forbid")

    modality: Modality
    body_region: str = Field(min_length=2)
    contrast: bool
    rationale: str = Field(min_length=5)


class ReasonedProtocol(BaseModel):
    reasoning: str
    answer: Protocol


@dataclass
class ProtocolAdvice:
    protocol: Protocol | None
    sources: list[str]
    ok: bool
    valid_first_try: bool
    raw: str = ""
    errors: list[str] = field(default_factory=list)


def recommend_protocol(
    request: str,
    backend: LLMBackend,
    options: LLMOptions | None = None,
    *,
    context: list[str] | None = None,
) -> ProtocolAdvice:
    """Recommend an examination; ``context`` are guidance passages, cited as [n]."""
    options = options or LLMOptions()
    messages = build_messages(
        load_prompt("protocol"),
        check_text(request, "clinical request"),
        context=context,
        examples=options.examples,
        n_examples=min(options.n_examples, 1),
        cot=options.cot,
    )
    schema = Protocol.model_json_schema()
    model = ReasonedProtocol if options.cot else Protocol
    result = generate_json(
        backend, messages, model, schema=with_reasoning(schema) if options.cot else schema,
        max_tokens=options.max_tokens, retries=options.retries,
    )  # fmt: skip
    value = result.value.answer if options.cot and result.value else result.value
    return ProtocolAdvice(
        value, list(context or []), result.ok, result.valid_first_try, result.raw, result.errors
    )  # type: ignore[arg-type]


def guidance_context(request: str, k: int = 3, kb_path: str | None = None) -> list[str]:
    """The ``k`` guidance passages most relevant to ``request`` (hybrid search of the
    knowledge base, with the bundled starter pack added on first use)."""
    from radgen.text.rag import open_kb

    with open_kb(kb_path, with_starter=True) as kb:
        return [h.chunk.prompt_text(f"{h.chunk.citation()}: ") for h in kb.search(request, k)]
