"""Tasks ``impression`` (findings -> impression) and ``simplify`` (patient-friendly rewrite,
with its reading level measured), both free text from the local model."""

from __future__ import annotations

from dataclasses import dataclass

from radgen.text.llm.base import LLMBackend, check_text
from radgen.text.prompts.builder import build_messages, load_prompt
from radgen.text.tasks.config import LLMOptions
from radgen.text.tasks.readability import flesch_kincaid_grade


def impression(findings: str, backend: LLMBackend, options: LLMOptions | None = None) -> str:
    """A radiologist-style impression for a findings section."""
    options = options or LLMOptions()
    messages = build_messages(
        load_prompt("impression"),
        check_text(findings, "findings section"),
        examples=options.examples,
        n_examples=options.n_examples,
    )
    return backend.chat(messages, max_tokens=min(options.max_tokens, 160)).strip()


@dataclass
class Simplified:
    text: str
    grade: float  # Flesch-Kincaid grade of the rewrite
    source_grade: float
    target_grade: int


def simplify(
    report: str, backend: LLMBackend, options: LLMOptions | None = None, *, grade: int = 6
) -> Simplified:
    """Rewrite ``report`` for a patient at about school grade ``grade``."""
    options = options or LLMOptions()
    text = check_text(report)
    messages = build_messages(
        load_prompt("simplify"),
        text,
        examples=options.examples,
        n_examples=options.n_examples,
        variables={"grade": grade},
    )
    out = backend.chat(messages, max_tokens=options.max_tokens).strip()
    return Simplified(out, flesch_kincaid_grade(out), flesch_kincaid_grade(text), grade)
