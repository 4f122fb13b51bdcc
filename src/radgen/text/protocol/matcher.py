"""The learned entry matcher: which guidance entry a clinical request is about.

A bi-encoder: all-MiniLM-L6-v2 adapted with LoRA embeds the request and each entry's text
(title and synonyms); their cosine, sharpened by training, says how well they fit. It is
trained on example requests labelled with their entry (``assets/protocol/examples.jsonl``,
and any examples a user adds), so it reads paraphrases the synonyms do not list ("loss of
speech and a weak arm" for acute stroke). Because it compares the request with the entry's
*text*, it also scores entries it never saw in training, such as a user's own.

An entry's score is the larger of two cosines: with the entry's text, and with the nearest
training example labelled with that entry (the examples are saved with the weights). A new
request worded like an earlier one ("numbness and weakness of the right arm and leg") is
recognised by its neighbour even when it is far from the entry's title and synonyms; the
examples no entry covers compete as "none". Chosen by leave-one-batch-out tests (the weights
shipped before a batch of requests was written, scored on it): in-scope requests named rightly
under the same limits on wrong names rose from 0.63, 0.57 and 0.56 to 0.69, 0.61 and 0.62
(benchmarks/protocol_matcher_batches.py).

The shipped weights (``assets/protocol/entry_matcher.pt``) hold only what training changed;
``radgen text protocol-train`` rebuilds them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from radgen.errors import RadgenError
from radgen.text.minilm import (
    load_tokenizer,
    lora_bert,
    mean_pool,
    merge_lora,
    trainable_state,
)

if TYPE_CHECKING:
    from radgen.text.protocol.guidance import Entry

WEIGHTS_NAME = "entry_matcher.pt"


@dataclass(frozen=True)
class MatcherSpec:
    """The architecture a weights file was trained with (saved beside the weights)."""

    layers: int = 6
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.1
    max_length: int = 96


class MatcherNet(nn.Module):
    """MiniLM with LoRA and masked mean pooling: unit-length text vectors. ``none_logit`` is
    the learned score of "no entry fits", against which the entries' scaled cosines compete."""

    def __init__(self, spec: MatcherSpec, encoder: Path | None = None) -> None:
        super().__init__()
        self.bert = lora_bert(spec.layers, spec.rank, spec.alpha, spec.dropout, encoder)
        self.log_scale = nn.Parameter(torch.tensor(float(np.log(20.0))))
        self.none_logit = nn.Parameter(torch.tensor(10.0))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = mean_pool(out, attention_mask)
        return nn.functional.normalize(pooled, dim=-1)

    def logits(self, requests: torch.Tensor, entries: torch.Tensor) -> torch.Tensor:
        """(requests x entries+1): scaled cosines, then the "no entry" logit."""
        sims = requests @ entries.T * self.log_scale.exp()
        none = self.none_logit.expand(len(requests), 1)
        return torch.cat([sims, none], dim=1)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return trainable_state(self)


def tokenize(tokenizer: Any, texts: list[str], max_length: int) -> dict[str, torch.Tensor]:
    if any(not isinstance(t, str) for t in texts):
        raise RadgenError("every request must be text")
    enc = tokenizer(
        texts, truncation=True, max_length=max_length, padding="longest", return_tensors="pt"
    )
    return {"ids": enc["input_ids"], "mask": enc["attention_mask"]}


def embed(net: MatcherNet, tokenizer: Any, texts: list[str], spec: MatcherSpec) -> np.ndarray:
    """Unit vectors of ``texts`` (inference; batches of 32)."""
    was_training = net.training
    net.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(texts), 32):
            enc = tokenize(tokenizer, texts[i : i + 32], spec.max_length)
            out.append(net(enc["ids"], enc["mask"]).float().cpu())
    net.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, 384), np.float32)


def default_weights() -> Path:
    from radgen.data.registry import bundled_asset

    return bundled_asset("protocol") / WEIGHTS_NAME


class LearnedMatcher:
    """Loads the matcher once; ``similarities`` scores a request against entries."""

    def __init__(self, weights: str | Path | None = None) -> None:
        self.weights = Path(weights) if weights else default_weights()
        if not self.weights.exists():
            raise RadgenError(
                "entry matcher weights not found; train them with `radgen text protocol-train`",
                self.weights,
            )
        self._entry_cache: dict[tuple[str, ...], np.ndarray] = {}
        self._last_query: tuple[str, np.ndarray] | None = None

    @cached_property
    def _state(self) -> dict[str, Any]:
        """The weights file, read once for the network and the examples."""
        return torch.load(self.weights, map_location="cpu", weights_only=False)

    @cached_property
    def examples(self) -> tuple[np.ndarray, np.ndarray]:
        """The training examples saved with the weights: (unit vectors, entry ids); empty
        for weights saved without them (then only the entries' texts are compared). Their
        vectors are saved too (half precision), so loading encodes nothing."""
        state = self._state
        pairs = state.get("examples") or []
        labels = np.array([entry for _, entry in pairs], dtype=object)
        vectors = state.get("example_vectors")
        if vectors is None or len(vectors) != len(pairs):
            return self.encode([request for request, _ in pairs]), labels
        return vectors.float().numpy(), labels

    @cached_property
    def _loaded(self) -> tuple[MatcherNet, Any, MatcherSpec]:
        state = self._state
        spec = MatcherSpec(**state["spec"])
        net = MatcherNet(spec)
        missing = net.load_state_dict(state["weights"], strict=False)
        if missing.unexpected_keys:
            raise RadgenError("entry matcher weights do not match the model", self.weights)
        merge_lora(net.bert)
        return net.eval(), load_tokenizer(), spec

    def encode(self, texts: list[str]) -> np.ndarray:
        net, tokenizer, spec = self._loaded
        return embed(net, tokenizer, texts, spec)

    def similarities(self, request: str, entries: list[Entry]) -> np.ndarray:
        """Each entry's score: the larger of the request's cosine with the entry's text
        (entry vectors cached) and with its nearest training example of that entry."""
        texts = tuple(e.text for e in entries)
        if texts not in self._entry_cache:
            self._entry_cache[texts] = self.encode(list(texts))
        query = self._query(request)
        vectors, labels = self.examples
        nearest = nearest_of_each(vectors @ query, labels, [e.id for e in entries])
        return np.maximum(self._entry_cache[texts] @ query, nearest)

    def none_similarity(self, request: str) -> float:
        """The cosine with the nearest training example that no entry covers ("none"): a
        request nearer to one of those than to any entry's best evidence names nothing."""
        vectors, labels = self.examples
        return float(nearest_of_each(vectors @ self._query(request), labels, ["none"])[0])

    def _query(self, request: str) -> np.ndarray:
        """The request's vector (the last one kept: each request is scored twice)."""
        if self._last_query is None or self._last_query[0] != request:
            self._last_query = (request, self.encode([request])[0])
        return self._last_query[1]


def nearest_of_each(near: np.ndarray, labels: np.ndarray, ids: list[str]) -> np.ndarray:
    """From cosines with the training examples (last axis), the largest among the examples
    labelled with each id, in the order of ``ids``; -1 for an id with no example."""
    out = np.full((*near.shape[:-1], len(ids)), -1.0, dtype=np.float32)
    for j, label in enumerate(ids):
        mine = labels == label
        if mine.any():
            out[..., j] = near[..., mine].max(-1)
    return out


def save_weights(
    net: MatcherNet,
    spec: MatcherSpec,
    path: Path,
    meta: dict[str, Any],
    examples: list[tuple[str, str]] | None = None,
) -> None:
    """The trained tensors, the architecture, a description, and the training examples with
    their vectors (the matcher compares a request with them as well as with the entries'
    texts)."""
    state = {k: v.cpu() for k, v in net.trainable_state().items()}
    pairs = [list(pair) for pair in examples or []]
    vectors = embed(net, load_tokenizer(), [r for r, _ in pairs], spec)
    torch.save(
        {
            "spec": asdict(spec),
            "weights": state,
            "meta": meta,
            "examples": pairs,
            "example_vectors": torch.from_numpy(vectors).half(),
        },
        path,
    )
