"""Extractive-first answers: the sentence of the retrieved passages that answers the question,
quoted with its citation; a model may rephrase it, but a rephrasing that changes negation,
modality, order ("first", "before") or numbers is dropped; and an abstention when no
sentence scores above a threshold chosen on development questions.

A wrong answer with a citation is worse than no answer, so every answer sentence is either a
verbatim sentence of the cited passage or checked against it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from radgen.privacy.gate import trusted
from radgen.text.llm.base import check_text, message
from radgen.text.rag.store import Hit, KnowledgeBase

if TYPE_CHECKING:
    from radgen.text.llm.base import LLMBackend

# Midway between the best sentence score of an unanswerable development question and the
# worst score of an answered one (benchmarks/bench_rag_answers.py --split dev prints them).
ABSTAIN_THRESHOLD = 0.99
NOT_ANSWERED = "The sources do not answer this."
STOP = frozenset(
    "a an the of for in on at to is are was were be been what which who whom when where why how"
    " does do did with without and or if than then that this these those it its as by from should"
    " can could would will there any first".split()
)
MODALITY = re.compile(
    r"\b(?:CT\w*|MRI|MRCP|MR|ultrasound|sonograph\w*|X-rays?|radiograph\w*|V/Q|nuclear medicine|"
    r"PET\w*|mammograph\w*|angiograph\w*|echocardiograph\w*|scintigraph\w*|HIDA|doppler|"
    r"contrast|gadolinium|iodinated)\b",
    re.I,
)
ORDER = re.compile(r"\b(?:first|before|after|then|follows?|next|last|second|instead)\b", re.I)
NEGATION = re.compile(r"\b(?:no|not|never|without|does not|do not|need not|none)\b", re.I)
NUMBER = re.compile(r"\d+(?:\.\d+)?")
TEST_QUESTION = re.compile(
    r"\b(?:which|what)\b.*\b(?:test|imaging|scan|examination|exam|modality|study|used|done|"
    r"replaces?)\b|\bhow (?:is|are)\b.*\bimaged\b",
    re.I,
)
NEED_QUESTION = re.compile(r"^\s*(?:does|do|is|are)\b.*\b(?:need\w*|required|necessary)\b", re.I)
POPULATIONS = {
    "child": r"\b(?:child\w*|paediatric|pediatric|infant\w*|baby|babies|young child)\b",
    "pregnant": r"(?<!non-)\bpregnan\w*",
    "adult": r"\badults?\b",
    "elderly": r"\b(?:elderly|older)\b",
    "young": r"\bunder (?:30|40)\b|\byoung\b",
}
# What kind of answer the question asks for, and how a sentence that holds one looks.
ANSWER_TYPES = [
    ("a person", r"^\s*who\b|\bwhom\b|\bwhose\b", r"\b(?:Dr|Professor|invent\w*)\b"),
    (
        "an amount of money",
        r"\bhow much\b|\bcost\w*|\bprice\w*|\bsalar\w*|\bearns?\b|\bfees?\b",
        r"[$£€]|\b\d[\d,.]*\s?(?:dollars?|pounds?|euros?)\b",
    ),
    (
        "a dose",
        r"\bdos(?:e|age)\w*\b|\bhow many (?:mg|milligrams)\b",
        r"\b\d+(?:\.\d+)?\s?(?:mg|g|ml|mcg|units?)\b",
    ),
    (
        "a duration",
        r"\bhow long\b",
        r"\b\d+\s?(?:minutes?|hours?|days?|weeks?|months?)\b|\bsix hours\b",
    ),
    (
        "a number",
        r"\bhow many\b",
        r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b",
    ),
    (
        "a treatment",
        r"\btreat\w*|\btherap\w*|\bantibiotic\w*|\bdrugs?\b|\bmedication\w*|"
        r"\bstatins?\b|\bmedicines?\b|\bcure\b",
        r"\btreat\w*|\btherap\w*|\bantibiotic|\bdrug|"
        r"\bmedication|\bsurg\w*|\bthromb(?:olysis|ectomy)\b",
    ),
]
CONDITION_Q = re.compile(r"\b(?:when|if|in case|once)\b(.+)$", re.I)
CONDITION_S = re.compile(r"^(?:if|when|once|in|for|after|with)\b([^,:;]+)", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n+")
TEMPLATE_LINE = re.compile(r"^[A-Z][A-Z0-9_ /-]{2,}\s*:")


class Quote(BaseModel):
    """A cited sentence: where it comes from and how well it answers."""

    number: int = Field(description="The [n] the answer uses.")
    source: str
    section: str
    sentence: str
    score: float
    passage: str = Field(description="The whole retrieved chunk the sentence comes from.")
    bundled: bool = Field(False, description="From radgen's starter pack, not a user document.")


class RagAnswer(BaseModel):
    """An answer and its evidence, or an abstention with the reason."""

    question: str
    answered: bool
    answer: str
    citations: list[Quote] = Field(default_factory=list)
    reason: str = ""
    best_score: float = 0.0
    rephrased: bool = False
    dropped: list[str] = Field(default_factory=list, description="Rephrasings refused, and why")


def _words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[a-z0-9/]+", text.lower()):
        if w in STOP or len(w) < 2:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 3 else w)
    return out


def split_sentences(text: str) -> list[str]:
    """Whole sentences (a semicolon does not end one), whitespace normalised."""
    return [" ".join(p.split()) for p in SENTENCE_END.split(text) if p.strip()]


def _candidates(hits: list[Hit]) -> list[tuple[int, Hit, str]]:
    """(citation number, hit, sentence) for every sentence of the retrieved chunks."""
    out = []
    for n, hit in enumerate(hits, start=1):
        for text in split_sentences(hit.chunk.text):
            if len(text) >= 20 and not text.lower().startswith(("sources:", "#")):
                out.append((n, hit, text))
    return out


def _lead_condition(sentence: str) -> set[str]:
    """Words of a sentence's opening condition ("If iodinated contrast is contraindicated")."""
    m = CONDITION_S.search(sentence)
    return _words(m.group(1)) if m else set()


def expected_answer(question: str) -> tuple[str, str] | None:
    """(what, pattern a sentence holding it matches) when the question asks for a kind of
    answer guidance text may not hold: a person, money, a dose, a duration, a treatment."""
    for what, asks, holds in ANSWER_TYPES:
        if re.search(asks, question, re.I):
            return what, holds
    return None


def score_sentences(question: str, candidates: list[tuple[int, Hit, str]], embedder) -> np.ndarray:
    """Meaning (cosine), shared content words, and fit to the question type."""
    if not candidates:
        return np.zeros(0)
    vectors = embedder.encode([question] + [c[2] for c in candidates])
    cosine = vectors[1:] @ vectors[0]
    q_words = _words(question)
    lexical = np.array([len(q_words & _words(s)) / max(len(q_words), 1) for _, _, s in candidates])
    fit = np.zeros(len(candidates))
    if TEST_QUESTION.search(question):
        fit += np.array([0.1 if MODALITY.search(s) else 0.0 for _, _, s in candidates])
    if NEED_QUESTION.search(question):
        fit += np.array([0.1 if re.search(r"\bneed", s, re.I) else 0.0 for _, _, s in candidates])
    asked = [p for p in POPULATIONS.values() if re.search(p, question, re.I)]
    for pattern in asked:  # "in children": the children's sentence, not the adults'
        fit += np.array([0.15 if re.search(pattern, s, re.I) else 0.0 for _, _, s in candidates])
    if asked:
        others = [p for p in POPULATIONS.values() if p not in asked]
        fit -= np.array(
            [
                0.15
                if any(re.search(o, s, re.I) for o in others)
                and not any(re.search(a, s, re.I) for a in asked)
                else 0.0
                for _, _, s in candidates
            ]
        )
    q_cond = _words(m.group(1)) if (m := CONDITION_Q.search(question)) else set()
    if q_cond:  # "when contrast is contraindicated" against "If contrast is contraindicated, ..."
        fit += np.array(
            [0.3 * len(q_cond & _lead_condition(s)) / len(q_cond) for _, _, s in candidates]
        )
    fit -= np.array([0.15 if TEMPLATE_LINE.match(s) else 0.0 for _, _, s in candidates])
    rank = np.array([0.05 * (4 - min(n, 4)) for n, _, _ in candidates])
    return cosine + 0.5 * lexical + fit + rank


def faithfulness_problems(statement: str, source: str) -> list[str]:
    """Why ``statement`` does not say what ``source`` says: a modality, order word, negation or
    number that differs. Empty when it is faithful (a verbatim sentence always is)."""
    if " ".join(statement.split()) in " ".join(source.split()):
        return []
    problems = []
    for name, pattern in (("modality", MODALITY), ("order word", ORDER), ("number", NUMBER)):
        extra = {m.lower() for m in pattern.findall(statement)} - {
            m.lower() for m in pattern.findall(source)
        }
        if extra:
            problems.append(f"{name} not in the source: {', '.join(sorted(extra))}")
    if bool(NEGATION.search(statement)) != bool(NEGATION.search(source)):
        problems.append("negation differs from the source")
    return problems


def answer_extractive(
    question: str,
    kb: KnowledgeBase,
    *,
    k: int = 4,
    threshold: float = ABSTAIN_THRESHOLD,
    rephrase_with: LLMBackend | None = None,
) -> RagAnswer:
    """The best supporting sentence of the ``k`` retrieved chunks, quoted and cited, or an
    abstention below ``threshold``."""
    question = check_text(question, "question")
    hits = kb.search(question, k) if kb.stats()["chunks"] else []
    candidates = _candidates(hits)
    if not candidates:
        return RagAnswer(
            question=question,
            answered=False,
            answer=NOT_ANSWERED,
            reason="the knowledge base holds nothing relevant",
        )
    scores = score_sentences(question, candidates, kb.embedder)
    wanted = expected_answer(question)
    if wanted is not None:  # only sentences that hold the kind of answer asked for
        holds = np.array([bool(re.search(wanted[1], c[2])) for c in candidates])
        if not holds.any():
            return RagAnswer(
                question=question,
                answered=False,
                answer=NOT_ANSWERED,
                reason=f"the question asks for {wanted[0]}, and no retrieved sentence gives one",
                best_score=round(float(scores.max()), 4),
            )
        scores = np.where(holds, scores, -np.inf)
    best = int(np.argmax(scores))
    n, hit, sentence = candidates[best]
    quote = Quote(
        number=n,
        source=hit.chunk.source,
        section=hit.chunk.section,
        sentence=sentence,
        score=round(float(scores[best]), 4),
        passage=hit.chunk.text,
        bundled=hit.chunk.bundled,
    )
    if scores[best] < threshold:
        return RagAnswer(
            question=question,
            answered=False,
            answer=NOT_ANSWERED,
            reason=f"best supporting sentence scores {scores[best]:.2f}, below {threshold:.2f}",
            best_score=quote.score,
        )
    answer = RagAnswer(
        question=question,
        answered=True,
        answer=f"{sentence} [{n}]",
        citations=[quote],
        best_score=quote.score,
    )
    if rephrase_with is not None:
        _rephrase(answer, rephrase_with)
    return answer


def _private_question(question: str, backend: LLMBackend) -> str:
    if not backend.is_remote:
        return question
    from radgen.privacy.deid import Deidentifier

    return Deidentifier("redact")(question)


def _rephrase(answer: RagAnswer, backend: LLMBackend) -> None:
    """Let the model answer in its own words from the quote; keep it only if faithful."""
    quote = answer.citations[0]
    hit_text = quote.sentence if not quote.bundled else trusted(quote.sentence)
    messages = [
        message(
            "system",
            trusted(
                "Answer the question in one sentence using only the quoted"
                " guidance. Do not add tests, numbers or conditions."
            ),
        ),
        message(
            "user",
            trusted("Question: "),
            _private_question(answer.question, backend),
            trusted("\nGuidance: "),
            hit_text,
        ),
    ]
    text = backend.chat(messages, max_tokens=80).strip()
    problems = faithfulness_problems(text, quote.sentence) if text else ["empty rephrasing"]
    if problems:
        answer.dropped.append(f"{text!r}: {'; '.join(problems)}")
        return
    answer.answer, answer.rephrased = f"{text} [{quote.number}]", True
