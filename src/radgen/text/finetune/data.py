"""Instruction pairs from labelled reports, tokenised for causal-LM training.

The split is the learned labeler's: with ``held_out="odd"`` a report whose uid is odd is never
read here (it is the reported split). Each example is (messages, answer); the loss covers the
answer tokens only, so the model learns to answer, not to repeat the prompt.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch

from radgen.errors import RadgenError
from radgen.text.extract.labeler_train import in_reported_split
from radgen.text.llm.base import Message

IGNORE = -100

LABELS_SYSTEM = (
    "You are a radiologist. List the findings of this chest X-ray report as JSON, choosing"
    ' labels only from: {labels}. Answer {{"labels": ["normal"]}} when there is none.'
)


@dataclass(frozen=True)
class Report:
    uid: int
    findings: str
    impression: str
    labels: frozenset[str]


@dataclass(frozen=True)
class Example:
    """One instruction pair; ``uid`` ties it to its report (and so to its split)."""

    uid: int
    messages: list[Message]
    answer: str


def read_reports(path: str | Path) -> list[Report]:
    """IU-layout reports (uid, findings, impression, Problems); a missing column is one error."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("uid", "findings", "impression", "Problems")
                   if c not in (reader.fieldnames or [])]  # fmt: skip
        if missing:
            raise RadgenError(f"the CSV has no column(s) {missing}", path)
        rows = list(reader)
    out = []
    for row in rows:
        try:
            uid = int(row["uid"])
        except ValueError as err:
            raise RadgenError(f"report uid {row['uid']!r} is not an integer", path) from err
        labels = frozenset(s.strip() for s in (row["Problems"] or "").split(";")) - {""}
        out.append(Report(uid, " ".join(row["findings"].split()),
                          " ".join(row["impression"].split()), labels))  # fmt: skip
    return out


def split(reports: list[Report], held_out: Literal["odd", "none"]) -> tuple[list, list]:
    """(development, reported): the reported split is never used for training or choices."""
    reported = [r for r in reports if in_reported_split(r.uid, held_out)]
    development = [r for r in reports if not in_reported_split(r.uid, held_out)]
    return development, reported


def label_vocabulary(reports: list[Report], top: int = 9) -> tuple[str, ...]:
    """The most frequent labels of the development reports (the labeler's choice)."""
    counts = Counter(lab for r in reports for lab in r.labels)
    return tuple(lab for lab, _ in counts.most_common(top))


def labels_answer(labels: frozenset[str], vocabulary: tuple[str, ...]) -> str:
    kept = [lab for lab in vocabulary if lab in labels] or ["normal"]
    return json.dumps({"labels": kept})


def report_text(report: Report) -> str:
    return f"FINDINGS: {report.findings}\nIMPRESSION: {report.impression}".strip()


def impression_messages(findings: str) -> list[Message]:
    """The ``impression`` task's own prompt without few-shot examples: an adapter trained on
    it serves ``radgen text impression --model NAME --examples none`` as trained."""
    from radgen.text.prompts.builder import build_messages, load_prompt

    built = build_messages(load_prompt("impression"), findings, examples="none")
    return [{"role": m["role"], "content": m["content"]} for m in built]


def prompt_note(task: Literal["impression", "labels"], vocabulary: tuple[str, ...]) -> str:
    """How the training prompt was made (kept in the fine-tuned model's manifest)."""
    if task == "impression":
        return "the impression task's prompt (prompts/library/impression.yaml), no examples"
    return LABELS_SYSTEM.format(labels=", ".join(vocabulary))


def make_example(
    report: Report, task: Literal["impression", "labels"], vocabulary: tuple[str, ...]
) -> Example | None:
    """The report's instruction pair, or None when it lacks what the task needs."""
    if task == "impression":
        if not report.findings or not report.impression:
            return None
        return Example(report.uid, impression_messages(report.findings), report.impression)
    if not (report.findings or report.impression):
        return None
    messages = [
        {"role": "system", "content": LABELS_SYSTEM.format(labels=", ".join(vocabulary))},
        {"role": "user", "content": report_text(report)},
    ]
    return Example(report.uid, messages, labels_answer(report.labels, vocabulary))


def examples_for(
    reports: list[Report], task: Literal["impression", "labels"], vocabulary: tuple[str, ...]
) -> list[Example]:
    return [e for r in reports if (e := make_example(r, task, vocabulary)) is not None]


def draw(examples: list[Example], n: int, seed: int) -> list[Example]:
    """``n`` examples in a seeded order (all when fewer exist)."""
    order = list(examples)
    random.Random(seed).shuffle(order)
    return order[:n]


def prompt_ids(tokenizer: Any, messages: list[Message]) -> list[int]:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def answer_ids(tokenizer: Any, answer: str) -> list[int]:
    """The answer and the end-of-turn token the chat template closes a turn with."""
    end = tokenizer.eos_token or ""
    return tokenizer(answer + end, add_special_tokens=False)["input_ids"]


def encode_pairs(
    tokenizer: Any, prompts: list[list[int]], answers: list[list[int]], max_length: int
) -> dict[str, torch.Tensor]:
    """Right-padded ids, attention mask and labels (IGNORE outside the answer). A pair longer
    than ``max_length`` keeps its answer (up to half the length) and the two ends of its
    prompt (system text and the assistant header); the middle of the report goes."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    n = len(prompts)
    ids = torch.full((n, max_length), pad, dtype=torch.long)
    mask = torch.zeros((n, max_length), dtype=torch.long)
    labels = torch.full((n, max_length), IGNORE, dtype=torch.long)
    for i, (p, a) in enumerate(zip(prompts, answers, strict=True)):
        a = a[: max_length // 2]
        room = max_length - len(a)
        if len(p) > room:
            p = p[: room // 2] + p[len(p) - (room - room // 2) :]
        seq = p + a
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
        labels[i, len(p) : len(seq)] = torch.tensor(a)
    return {"ids": ids, "mask": mask, "labels": labels}


def encode_examples(tokenizer: Any, examples: list[Example], max_length: int) -> dict:
    if not examples:
        raise RadgenError("no training example: the CSV has no report with what the task needs")
    prompts = [prompt_ids(tokenizer, e.messages) for e in examples]
    answers = [answer_ids(tokenizer, e.answer) for e in examples]
    return encode_pairs(tokenizer, prompts, answers, max_length)


def labels_schema(vocabulary: tuple[str, ...]) -> dict[str, Any]:
    """The labels answer as a bounded JSON schema: each label at most once, so a constrained
    model cannot loop on one label until ``max_tokens``."""
    return {
        "type": "object",
        "properties": {
            "labels": {
                "type": "array",
                "items": {"type": "string", "enum": list(vocabulary)},
                "minItems": 1,
                "maxItems": len(vocabulary),
                "uniqueItems": True,
            }
        },
        "required": ["labels"],
    }


def parse_labels(raw: str, vocabulary: tuple[str, ...]) -> set[str] | None:
    """The labels of a model's answer; None when it is not valid JSON of the schema's shape."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
        return None
    return {lab for lab in value["labels"] if lab in vocabulary}
