"""Task ``extract``: findings with presence, laterality, location, size and severity.

``rules`` (the default) is the deterministic extractor: fast, schema-valid by construction,
and it cites the evidence span. ``llm`` asks the local model, constrained to the same finding
vocabulary, and is validated with pydantic (repaired or retried, never silently dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from radgen.errors import RadgenError
from radgen.text.extract.rules import RuleExtractor, load_rules, report_labels
from radgen.text.extract.schema import Finding, Laterality, Presence
from radgen.text.llm.base import LLMBackend, check_text
from radgen.text.llm.structured import generate_json
from radgen.text.prompts.builder import build_messages, load_prompt, with_reasoning
from radgen.text.tasks.config import LLMOptions

if TYPE_CHECKING:
    from radgen.text.extract.learned import LearnedLabeler

Method = Literal["rules", "llm"]


class LLMFinding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    finding: str
    presence: Presence
    laterality: Laterality | None = None
    location: str | None = None
    severity: str | None = None
    size_mm: float | None = Field(None, ge=0)


class LLMExtraction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    findings: list[LLMFinding]


class ReasonedExtraction(BaseModel):
    reasoning: str
    answer: LLMExtraction


@dataclass
class Extraction:
    """Findings plus how they were obtained (for the valid-JSON statistics)."""

    findings: list[Finding]
    method: str
    ok: bool = True
    valid_first_try: bool = True
    repaired: bool = False
    attempts: int = 0
    raw: str = ""
    errors: list[str] = field(default_factory=list)


def finding_names() -> list[str]:
    return [r.name for r in load_rules()]


def extraction_schema(cot: bool) -> dict[str, Any]:
    """The LLM's JSON schema, with the finding names as an enum (constrained decoding)."""
    schema = LLMExtraction.model_json_schema()
    item = schema["$defs"]["LLMFinding"]
    item["properties"]["finding"] = {"type": "string", "enum": finding_names()}
    item["required"] = ["finding", "presence", "laterality", "location", "severity", "size_mm"]
    # bounded: a constrained small model otherwise repeats one finding until max_tokens
    schema["properties"]["findings"].update({"maxItems": 2 * len(finding_names()),
                                             "uniqueItems": True})  # fmt: skip
    return with_reasoning(schema) if cot else schema


def extract_rules(text: str) -> Extraction:
    return Extraction(RuleExtractor().extract(check_text(text)), "rules")


def extract_llm(text: str, backend: LLMBackend, options: LLMOptions) -> Extraction:
    spec = load_prompt("extract")
    messages = build_messages(
        spec,
        check_text(text),
        examples=options.examples,
        n_examples=options.n_examples,
        cot=options.cot,
        variables={"finding_names": ", ".join(finding_names())},
    )
    model = ReasonedExtraction if options.cot else LLMExtraction
    result = generate_json(
        backend, messages, model, schema=extraction_schema(options.cot),
        max_tokens=options.max_tokens, retries=options.retries,
    )  # fmt: skip
    findings: list[Finding] = []
    if result.value is not None:
        answer = result.value.answer if options.cot else result.value
        labels = {r.name: r.label for r in load_rules()}
        for f in answer.findings:  # type: ignore[union-attr]
            if f.finding in labels:
                findings.append(Finding(label=labels[f.finding], **f.model_dump()))
    return Extraction(
        findings, f"llm:{backend.name}", result.ok, result.valid_first_try,
        result.repaired, result.attempts, result.raw, result.errors,
    )  # fmt: skip


EXTRACT_METHODS = ("rules", "learned", "ensemble", "llm")


def check_method(method: str) -> None:
    """One clear error for a method name that does not exist (before any report is read)."""
    if method not in EXTRACT_METHODS:
        raise RadgenError(f"unknown method '{method}'; choose one of {', '.join(EXTRACT_METHODS)}")


def learned_labels(
    text: str, labeler: LearnedLabeler, method: Literal["learned", "ensemble"]
) -> dict[str, Any]:
    """Labels from a trained labeler alone, or with the rules; the rules' findings are kept as
    the evidence of an ensemble (the model alone cites nothing)."""
    check_text(text)
    probs = labeler.probabilities([text])
    findings = RuleExtractor().extract(text) if method == "ensemble" else []
    if method == "learned":
        labels = labeler.predict(probs)[0]
    else:
        labels = labeler.ensemble(probs, [report_labels(findings)])[0]
    return {
        "method": method,
        "valid_json": True,
        "labels": sorted(labels),
        "probabilities": {
            k: round(float(v), 4) for k, v in zip(labeler.labels, probs[0], strict=True)
        },
        "findings": [f.model_dump(exclude_none=True) for f in findings],
    }


def extract(
    text: str,
    method: Method = "rules",
    backend: LLMBackend | None = None,
    options: LLMOptions | None = None,
) -> Extraction:
    """Extract findings with the rules (default) or the local LLM."""
    if method not in ("rules", "llm"):
        raise RadgenError(f"unknown method '{method}'; choose one of ['llm', 'rules']")
    if method == "rules":
        return extract_rules(text)
    if backend is None:
        raise ValueError("the llm method needs a backend")
    return extract_llm(text, backend, options or LLMOptions())
