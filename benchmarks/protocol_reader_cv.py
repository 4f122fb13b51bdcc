"""Leave-one-batch-out test of the condition reader: for each batch of example requests
(written, written2..., and the four hand-written sets), fit the heads on every other batch and
score this one. Per fact: how many requests stating it the reader finds (recall) and how many
it adds wrongly, raw and after the rules' gate (a fact the rules read or rule out is left to
them), at the shipped thresholds and two others.

These are development figures: the batches' errors were read while the rules were fixed, and
the thresholds were chosen on this table. The held-out test is a fresh batch run once.

Run: python benchmarks/protocol_reader_cv.py  (about 2 minutes on 2 cores)
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import torch

from common import ROOT, write_result
from radgen.text.protocol.config import ReaderTrainConfig
from radgen.text.protocol.reader import READER_FACTS, ReaderSpec, left_open
from radgen.text.protocol.reader_train import (
    augmented,
    bundled_phrases_path,
    embed_windows,
    fit_head,
    read_phrases,
)
from radgen.text.protocol.request import parse_request
from radgen.text.rag.embeddings import SentenceEmbedder

EXAMPLES = ROOT.parent / "src/radgen/assets/protocol/examples.jsonl"


def fold_probabilities(rows: list[dict], batch: np.ndarray, phrases: bool) -> np.ndarray:
    """Each request's probability per fact from heads fitted without its batch (and, with
    ``phrases``, on the bundled phrases put into the other batches' requests only)."""
    spec, config = ReaderSpec(), ReaderTrainConfig(out="unused")
    examples = [(r["request"], r["conditions"]) for r in rows]
    made = augmented(examples, read_phrases(bundled_phrases_path()), config.per_phrase, 0)
    made = made if phrases else []
    every = examples + [(a.request, a.facts) for a in made]
    labels = torch.tensor([[f in facts for f in spec.facts] for _, facts in every]).float()
    vectors, owner = embed_windows([r for r, _ in every], spec, SentenceEmbedder())
    home = np.concatenate([batch, batch[[a.host for a in made]]])  # a made one's host batch
    probs = np.zeros((len(rows), len(spec.facts)), np.float32)
    for name in sorted(set(batch)):
        train = torch.from_numpy(np.flatnonzero(home != name))
        test = torch.from_numpy(np.flatnonzero(batch == name))
        keep = torch.isin(owner, train)
        remap = torch.full((len(every),), -1, dtype=torch.long)
        remap[train] = torch.arange(len(train))
        heads = [
            fit_head(vectors[keep], remap[owner[keep]], labels[train], spec, config, seed)
            for seed in range(config.heads)
        ]
        mine = torch.isin(owner, test)
        with torch.inference_mode():
            window_p = torch.stack([torch.sigmoid(h(vectors[mine])) for h in heads]).mean(0)
        for w, p in zip(owner[mine].tolist(), window_p.numpy(), strict=True):
            probs[w] = np.maximum(probs[w], p)  # a request's best window
        print(f"{name}: {len(test)} requests", flush=True)
    return probs


def table(rows: list[dict], probs: np.ndarray) -> dict[str, dict]:
    """Per fact and threshold: recall and wrong additions, raw and after the rules' gate."""
    spec = ReaderSpec()
    labels = np.array([[f in r["conditions"] for f in spec.facts] for r in rows])
    facts = [parse_request(r["request"]) for r in rows]
    out: dict[str, dict] = {}
    for j, fact in enumerate(spec.facts):
        gold = labels[:, j]
        gate = np.array([left_open(fact, f) for f in facts])
        rules_hit = np.array([f.has(READER_FACTS[fact]) for f in facts])
        entry = {"stated": int(gold.sum()), "requests": len(rows)}
        for th in sorted({0.5, 0.7, 0.9, spec.thresholds[fact]}):
            raw = probs[:, j] >= th
            gated = raw & gate
            entry[f"{th}"] = {
                "recall_raw": round(float((raw & gold).sum() / max(gold.sum(), 1)), 3),
                "wrong_additions_raw": int((raw & ~gold).sum()),
                "added_after_gate": int(gated.sum()),
                "wrong_additions_after_gate": int((gated & ~gold).sum()),
                "missed_by_rules_found_by_reader": int((gated & gold & ~rules_hit).sum()),
            }
        entry["missed_by_rules"] = int((gold & ~rules_hit).sum())
        out[fact] = entry
        print(fact, json.dumps(entry))
    return out


def main() -> None:
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]
    batch = np.array([r["source"].split(":")[0].split("/")[1] for r in rows])
    results = {}
    for phrases in (False, True):
        print("with phrases" if phrases else "examples alone")
        results["with_phrases" if phrases else "examples_alone"] = table(
            rows, fold_probabilities(rows, batch, phrases)
        )
    write_result(
        "protocol_reader_cv",
        {
            **results,
            "thresholds": ReaderSpec().thresholds,
            "batches": dict(Counter(batch.tolist())),
            "note": "development: leave-one-batch-out over the bundled example requests;"
            " labels from each request's fact sheet (benchmarks/label_protocol_conditions.py);"
            " the rules were fixed on these batches and the thresholds chosen on this table",
        },
    )


if __name__ == "__main__":
    main()
