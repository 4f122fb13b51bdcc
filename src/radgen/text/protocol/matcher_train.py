"""``radgen text protocol-train``: fine-tune the entry matcher on example requests through the
shared loop (checkpoints, exact resume, loss curve).

Each step embeds a batch of requests and every entry's text, and asks the scaled cosines
(with a learned "no entry" logit beside them) to pick the labelled entry: a softmax over
entries, so the matcher learns what separates them, not only what joins a request to one.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from radgen.errors import RadgenError
from radgen.runs.device import resolve_device
from radgen.runs.loop import Batch, BatchStream, LoopSettings, train_loop
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything
from radgen.text.minilm import load_tokenizer
from radgen.text.protocol.config import MatcherTrainConfig
from radgen.text.protocol.guidance import Entry, load_guidance
from radgen.text.protocol.matcher import (
    WEIGHTS_NAME,
    MatcherNet,
    MatcherSpec,
    default_weights,
    save_weights,
    tokenize,
)

NONE = "none"


def bundled_examples_path() -> Path:
    from radgen.data.registry import bundled_asset

    return bundled_asset("protocol") / "examples.jsonl"


def jsonl_rows(path: str | Path, expected: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed row) for every non-blank line of a JSONL file; a line that is
    not JSON is one error naming it and what was ``expected``."""
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield i, json.loads(line)
        except json.JSONDecodeError as err:
            raise RadgenError(f"line {i}: expected {expected} JSON ({err})", path) from err


def read_examples(path: str | Path) -> list[tuple[str, str]]:
    """(request, entry id) pairs from a JSONL file of {request, entry}."""
    out = []
    for i, row in jsonl_rows(path, "{request, entry}"):
        try:
            out.append((str(row["request"]), str(row["entry"])))
        except (KeyError, TypeError) as err:
            raise RadgenError(f"line {i}: expected {{request, entry}} JSON ({err})", path) from err
    return out


def config_examples(config: MatcherTrainConfig) -> list[tuple[str, str]]:
    paths = ([bundled_examples_path()] if config.bundled_examples else []) + config.examples
    examples = [pair for path in paths for pair in read_examples(path)]
    if not examples:
        raise RadgenError("no example requests to train on")
    return examples


class MatcherTask:
    """One step: a batch of requests against every entry's text; only trainable tensors are
    checkpointed."""

    def __init__(self, net: MatcherNet, entries: dict[str, torch.Tensor], lr: float) -> None:
        self.net, self.entries = net.train(), entries
        params = [p for p in net.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)

    def train_step(self, batch: Batch) -> dict[str, float]:
        length = max(int(batch["mask"].sum(1).max()), 1)
        requests = self.net(batch["ids"][:, :length], batch["mask"][:, :length])
        with torch.no_grad():  # the entries move with the shared weights, at a third the cost
            entries = self.net(self.entries["ids"], self.entries["mask"])
        logits = self.net.logits(requests, entries)
        loss = torch.nn.functional.cross_entropy(logits, batch["labels"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
        self.opt.step()
        accuracy = (logits.argmax(1) == batch["labels"]).float().mean()
        return {"loss": loss.item(), "accuracy": accuracy.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {"net": self.net.trainable_state(), "opt": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"], strict=False)
        self.opt.load_state_dict(state["opt"])


def label_indices(examples: list[tuple[str, str]], entries: list[Entry]) -> torch.Tensor:
    """Each example's entry as an index; ``none`` is the last index (after every entry)."""
    index = {e.id: i for i, e in enumerate(entries)} | {NONE: len(entries)}
    unknown = sorted({e for _, e in examples if e not in index})
    if unknown:
        raise RadgenError(f"examples name entries the guidance does not have: {unknown[:5]}")
    return torch.tensor([index[e] for _, e in examples])


def train_matcher(
    config: MatcherTrainConfig,
    *,
    examples: list[tuple[str, str]] | None = None,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
    install: bool = False,
) -> dict[str, Any]:
    """Train on ``examples`` (default: the config's files), write the weights into the run
    directory, and optionally install them as the default matcher."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    seed_everything(config.seed)
    examples = examples if examples is not None else config_examples(config)
    entries = list(load_guidance(config.protocols).values())
    spec = MatcherSpec(config.layers, config.rank, config.alpha, config.dropout, config.max_length)
    tokenizer = load_tokenizer()
    device = resolve_device(config.device)
    data = {
        **tokenize(tokenizer, [r for r, _ in examples], spec.max_length),
        "labels": label_indices(examples, entries),
    }
    entry_tokens = tokenize(tokenizer, [e.text for e in entries], spec.max_length)
    net = MatcherNet(spec).to(device)
    task = MatcherTask(net, {k: v.to(device) for k, v in entry_tokens.items()}, config.lr)
    stream = BatchStream(data, config.batch_size, config.seed, device)
    steps = config.steps
    if steps is None and config.minutes is None:
        steps = max(1, round(config.epochs * stream.steps_per_epoch))
    settings = LoopSettings(steps, config.minutes, config.checkpoint_every, 10, progress)
    summary = train_loop(task, stream, run, settings, resume=resume)
    weights = run.root / WEIGHTS_NAME
    meta = {
        "trained": time.strftime("%Y-%m-%d"),
        "config": config.model_dump(mode="json"),
        "examples": len(examples),
        "entries": [e.id for e in entries],
    }
    save_weights(net, spec, weights, meta, examples)
    summary.update({"weights": str(weights), "examples": len(examples)})
    if install:
        shutil.copyfile(weights, default_weights())
        summary["installed"] = str(default_weights())
    run.write_json("metrics.json", summary)
    return summary
