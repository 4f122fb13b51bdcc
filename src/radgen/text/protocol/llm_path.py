"""The model-only protocol path (the model reads retrieved guidance and answers), kept for
comparison and for users who want it; its answer passes the same safety check, and an
answer that fails it is refused with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from radgen.text.protocol.advice import Advice, ProtocolAdvisor, Source
from radgen.text.protocol.guidance import ExamSpec
from radgen.text.protocol.safety import safety_violations

if TYPE_CHECKING:
    from radgen.text.llm.base import LLMBackend
    from radgen.text.tasks.config import LLMOptions


def llm_advice(
    request: str,
    advisor: ProtocolAdvisor,
    backend: LLMBackend,
    options: LLMOptions,
    conditions: tuple[str, ...] = (),
) -> Advice:
    from radgen.text.tasks.protocol import guidance_context, recommend_protocol

    facts = advisor.facts(request, conditions)
    out = recommend_protocol(request, backend, options, context=guidance_context(request, 3))
    if out.protocol is None:
        return Advice(
            request=request,
            imaging_indicated=None,
            abstained=True,
            facts=facts,
            reason="the model gave no valid answer",
            method="llm",
        )
    p = out.protocol
    contrast = "none" if not p.contrast else ("gadolinium" if p.modality == "MRI" else "iodinated")
    exam = ExamSpec(
        name=f"{p.modality} of the {p.body_region}",
        modality=p.modality,
        region=p.body_region,
        contrast=contrast,
        cite="",
    )
    match, matched_by = advisor.find_entry(request)  # the entry the safety check reads
    entry = None if matched_by == "none" else match.entry
    source = (
        None
        if entry is None
        else Source(entry=entry.id, title=entry.title, passage=entry.passage, sources=entry.sources)
    )
    problems = safety_violations(exam, facts, entry, request)
    if problems:
        return Advice(
            request=request,
            imaging_indicated=None,
            abstained=True,
            facts=facts,
            source=source,
            reason="refused by the safety check: " + "; ".join(problems),
            refused=[f"{exam.name}: {x}" for x in problems],
            method="llm",
        )
    return Advice(
        request=request,
        imaging_indicated=True,
        exam=exam,
        source=source,
        facts=facts,
        rationale=p.rationale,
        method="llm",
    )
