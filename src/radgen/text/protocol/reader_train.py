"""``radgen text protocol-reader-train``: fit the condition reader's heads on example
requests labelled with the facts their texts state.

The encoder is frozen, so training is: embed every window once (about a minute for 2,000
requests on 2 cores; kept in the run directory, so an interrupted run resumes after it), then
fit each head full-batch on the best-window logits (seconds). The heads differ only in seed;
their probabilities are averaged.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from pathlib import Path
from typing import Any, NamedTuple

import torch

from radgen.errors import RadgenError
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything
from radgen.text.protocol.config import ReaderTrainConfig
from radgen.text.protocol.matcher_train import bundled_examples_path, jsonl_rows
from radgen.text.protocol.reader import (
    READER_FACTS,
    WEIGHTS_NAME,
    ReaderHead,
    ReaderSpec,
    best_window_logits,
    default_weights,
    save_reader,
    windows,
)


def read_labelled(path: str | Path) -> list[tuple[str, list[str]]]:
    """(request, facts) pairs from a JSONL file; rows without ``conditions`` are skipped
    (an entry-only example says nothing about the facts)."""
    out = []
    for i, row in jsonl_rows(path, "{request, conditions}"):
        if "conditions" not in row:
            continue
        facts = row["conditions"]
        unknown = sorted(set(facts) - set(READER_FACTS)) if isinstance(facts, list) else [facts]
        if unknown:
            raise RadgenError(
                f"line {i}: conditions must be a list of {sorted(READER_FACTS)}, got {unknown}",
                path,
            )
        out.append((str(row["request"]), list(facts)))
    return out


def bundled_phrases_path() -> Path:
    from radgen.data.registry import bundled_asset

    return bundled_asset("protocol") / "reader_phrases.jsonl"


def read_phrases(path: str | Path) -> list[tuple[str, str]]:
    """(phrase, fact) pairs; fact is one of the reader's facts or "none" (a look-alike that
    must not set any)."""
    out = []
    for i, row in jsonl_rows(path, "{phrase, fact}"):
        if row.get("fact") not in {*READER_FACTS, "none"}:
            raise RadgenError(f"line {i}: fact must be one of {sorted(READER_FACTS)} or none")
        out.append((str(row["phrase"]), str(row["fact"])))
    return out


BOUNDARY = re.compile(r"(?<=[,.;/:])\s+|\n")


def insert_phrase(request: str, phrase: str, rng: random.Random) -> str:
    """``phrase`` put between two clauses of ``request`` (or before or after it)."""
    pieces = [p for p in BOUNDARY.split(request) if p.strip()]
    k = rng.randint(0, len(pieces))
    phrase = phrase.rstrip(".;, ") + ("," if k < len(pieces) else ".")
    return " ".join([*pieces[:k], phrase, *pieces[k:]])


class Augmented(NamedTuple):
    """A request made by inserting a phrase into an example (``host``: the example's index)."""

    request: str
    facts: list[str]
    host: int


def augmented(
    examples: list[tuple[str, list[str]]],
    phrases: list[tuple[str, str]],
    per_phrase: int,
    seed: int,
) -> list[Augmented]:
    """Each phrase inserted into ``per_phrase`` example requests that state no fact: a
    fact's phrase makes a positive, a look-alike's a negative."""
    hosts = [i for i, (_, facts) in enumerate(examples) if not facts]
    if not hosts or not phrases:
        return []
    rng = random.Random(seed)
    out = []
    for phrase, fact in phrases:
        for _ in range(per_phrase):
            host = rng.choice(hosts)
            request = insert_phrase(examples[host][0], phrase, rng)
            out.append(Augmented(request, [] if fact == "none" else [fact], host))
    return out


def embed_windows(
    requests: list[str], spec: ReaderSpec, embedder: Any
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every request's windows embedded: (window vectors, owning request index)."""
    parts, owner = [], []
    for i, request in enumerate(requests):
        cut = windows(request, spec.window, spec.stride)
        parts += cut
        owner += [i] * len(cut)
    vectors = torch.from_numpy(embedder.encode(parts, batch_size=64))
    return vectors, torch.tensor(owner)


def fit_head(
    vectors: torch.Tensor,
    owner: torch.Tensor,
    labels: torch.Tensor,
    spec: ReaderSpec,
    config: ReaderTrainConfig,
    seed: int,
) -> ReaderHead:
    """One head, full batch: binary cross-entropy on each request's best-window logits, with
    rare facts weighted up (square root of the negative-to-positive ratio)."""
    seed_everything(seed)
    head = ReaderHead(spec, vectors.shape[1])
    opt = torch.optim.AdamW(head.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    rate = labels.mean(0).clamp(min=1e-3)
    pos_weight = ((1 - rate) / rate).sqrt()
    for _ in range(config.epochs):
        logits = best_window_logits(head(vectors), owner, len(labels))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, labels, pos_weight=pos_weight
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return head.eval()


def train_reader(
    config: ReaderTrainConfig,
    *,
    examples: list[tuple[str, list[str]]] | None = None,
    embedder: Any = None,
    overwrite: bool = False,
    resume: bool = False,
    install: bool = False,
) -> dict[str, Any]:
    """Fit the heads on ``examples`` (default: the config's files), write the weights into
    the run directory, and optionally install them as the default reader."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    if examples is None:
        paths = [bundled_examples_path()] if config.bundled_examples else []
        examples = [pair for p in [*paths, *config.examples] for pair in read_labelled(p)]
    if not examples:
        raise RadgenError("no example requests labelled with their conditions to train on")
    phrases = read_phrases(bundled_phrases_path()) if config.phrases else []
    made = augmented(examples, phrases, config.per_phrase, config.seed)
    examples = examples + [(a.request, a.facts) for a in made]
    spec = ReaderSpec(window=config.window, stride=config.stride, hidden=config.hidden)
    labels = torch.tensor(
        [[f in facts for f in spec.facts] for _, facts in examples], dtype=torch.float32
    )
    start = time.time()
    cache = run.root / "windows.pt"
    cached = torch.load(cache) if resume and cache.exists() else None
    if cached is not None and int(cached["owner"].max()) + 1 == len(examples):
        vectors, owner = cached["vectors"], cached["owner"]
    else:  # embedded once; a resumed run with the same examples starts after this
        if embedder is None:
            from radgen.text.rag.embeddings import SentenceEmbedder

            embedder = SentenceEmbedder()
        vectors, owner = embed_windows([r for r, _ in examples], spec, embedder)
        torch.save({"vectors": vectors, "owner": owner}, cache)
    heads = [
        fit_head(vectors, owner, labels, spec, config, config.seed + k) for k in range(config.heads)
    ]
    weights = run.root / WEIGHTS_NAME
    counts = {f: int(labels[:, j].sum()) for j, f in enumerate(spec.facts)}
    meta = {
        "trained": time.strftime("%Y-%m-%d"),
        "config": config.model_dump(mode="json"),
        "examples": len(examples),
        "positives": counts,
    }
    save_reader(heads, spec, weights, meta)
    summary: dict[str, Any] = {
        "weights": str(weights),
        "examples": len(examples),
        "windows": len(owner),
        "positives": counts,
        "seconds": round(time.time() - start, 1),
    }
    if install:
        shutil.copyfile(weights, default_weights())
        summary["installed"] = str(default_weights())
    run.write_json("metrics.json", summary)
    return summary
