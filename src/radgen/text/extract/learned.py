"""The learned report labeler, and its ensemble with the rules.

A multi-label classifier of report findings: all-MiniLM-L6-v2 adapted with LoRA, mean-pooled,
with one logistic output per label. It is trained on the user's own labelled reports
(``radgen text train-labeler``); nothing is shipped, because report labels are the user's
data and their licences rarely allow redistribution of a model trained on them.

Why an ensemble: the rules cite an evidence span and read negation exactly, but miss
paraphrases; the model has recall on paraphrases but cites nothing. For each label, the
combination that scored best on a calibration split (never the reported split) is kept:
the rules alone, the model alone, either, or their average, with its threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

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

Combine = Literal["rules", "learned", "union", "mean"]
LabelMethod = Literal["rules", "learned", "ensemble"]
LABEL_METHODS: tuple[str, ...] = ("rules", "learned", "ensemble")
NORMAL = "normal"


@dataclass(frozen=True)
class LabelerSpec:
    """The architecture a weights file was trained with (saved beside the weights)."""

    labels: tuple[str, ...]
    layers: int = 6
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.1
    max_length: int = 192


@dataclass(frozen=True)
class LabelRule:
    """How one label is decided: which evidence, and the probability threshold."""

    combine: Combine = "learned"
    threshold: float = 0.5


@dataclass
class LabelPolicy:
    """Per label, the learned-only threshold and the ensemble's rule."""

    learned: dict[str, float] = field(default_factory=dict)
    ensemble: dict[str, LabelRule] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "learned": self.learned,
            "ensemble": {k: asdict(v) for k, v in self.ensemble.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabelPolicy:
        return cls(
            dict(data.get("learned", {})),
            {k: LabelRule(**v) for k, v in data.get("ensemble", {}).items()},
        )


class LabelerNet(nn.Module):
    """MiniLM with LoRA, masked mean pooling and one logit per label."""

    def __init__(self, spec: LabelerSpec, encoder: Path | None = None) -> None:
        super().__init__()
        self.bert = lora_bert(spec.layers, spec.rank, spec.alpha, spec.dropout, encoder)
        self.dropout = nn.Dropout(spec.dropout)
        self.head = nn.Linear(self.bert.config.hidden_size, len(spec.labels))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = mean_pool(out, attention_mask)
        return self.head(self.dropout(pooled))

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return trainable_state(self)


def encode_reports(tokenizer: Any, texts: list[str], max_length: int) -> dict[str, torch.Tensor]:
    """Word pieces of each report, truncated to ``max_length`` and padded to it."""
    if any(not isinstance(t, str) for t in texts):
        raise RadgenError("every report must be text")
    enc = tokenizer(
        texts, truncation=True, max_length=max_length, padding="max_length", return_tensors="pt"
    )
    return {"ids": enc["input_ids"], "mask": enc["attention_mask"]}


def predict_probabilities(
    net: LabelerNet, data: dict[str, torch.Tensor], batch: int = 32
) -> np.ndarray:
    """Sigmoid probabilities (reports x labels); batches trimmed to their longest report."""
    was_training = net.training
    net.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(data["ids"]), batch):
            ids, mask = data["ids"][i : i + batch], data["mask"][i : i + batch]
            length = max(int(mask.sum(1).max()), 1)
            out.append(torch.sigmoid(net(ids[:, :length], mask[:, :length])).float().cpu())
    net.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, net.head.out_features), np.float32)


def threshold_labels(probs: np.ndarray, labels: tuple[str, ...], thresholds: dict[str, float]):
    """Label sets from probabilities; an empty set is ``normal`` when that is a label."""
    out = []
    for row in probs:
        chosen = {lab for lab, p in zip(labels, row, strict=True) if p >= thresholds.get(lab, 0.5)}
        if len(chosen) > 1:
            chosen.discard(NORMAL)  # a finding and "normal" cannot both hold
        out.append(chosen or ({NORMAL} if NORMAL in labels else set()))
    return out


def combine_labels(
    rule_labels: set[str], probs: np.ndarray, labels: tuple[str, ...], policy: LabelPolicy
) -> set[str]:
    """One report's ensemble labels: each label by its calibrated rule; labels the model does
    not know are kept from the rules."""
    out = {lab for lab in rule_labels if lab not in labels}
    for lab, p in zip(labels, probs, strict=True):
        rule = policy.ensemble.get(lab, LabelRule())
        r = lab in rule_labels
        keep = {
            "rules": r,
            "learned": p >= rule.threshold,
            "union": r or p >= rule.threshold,
            "mean": (float(r) + p) / 2 >= rule.threshold,
        }[rule.combine]
        if keep:
            out.add(lab)
    if len(out) > 1:
        out.discard(NORMAL)  # a finding and "normal" cannot both hold
    return out or {NORMAL}


def _f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = int((pred & gold).sum())
    return 2 * tp / max(int(pred.sum()) + int(gold.sum()), 1)


GRID = tuple(round(t, 2) for t in np.arange(0.1, 0.91, 0.05))


def calibrate(
    probs: np.ndarray, rules: list[set[str]], gold: list[set[str]], labels: tuple[str, ...]
) -> tuple[LabelPolicy, dict[str, dict[str, float]]]:
    """Choose each label's learned threshold and ensemble rule by F1 on a calibration split.
    Ties: the learned threshold nearest 0.5; the ensemble rule listed first (rules, then
    learned, union, mean, each from the lowest threshold)."""
    policy, scores = LabelPolicy(), {}
    for j, lab in enumerate(labels):
        g = np.array([lab in s for s in gold])
        r = np.array([lab in s for s in rules])
        p = probs[:, j]
        by_t = {t: _f1(p >= t, g) for t in GRID}
        best_t = max(GRID, key=lambda t: (round(by_t[t], 6), -abs(t - 0.5)))
        policy.learned[lab] = best_t
        candidates: list[tuple[float, LabelRule]] = [(_f1(r, g), LabelRule("rules", 0.5))]
        candidates += [(by_t[t], LabelRule("learned", t)) for t in GRID]
        candidates += [(_f1(r | (p >= t), g), LabelRule("union", t)) for t in GRID]
        candidates += [(_f1((r + p) / 2 >= t, g), LabelRule("mean", t)) for t in GRID]
        best = max(candidates, key=lambda c: round(c[0], 6))  # max keeps the first of ties
        policy.ensemble[lab] = best[1]
        scores[lab] = {"rules": candidates[0][0], "learned": by_t[best_t], "ensemble": best[0]}
    return policy, scores


class LearnedLabeler:
    """A trained labeler read from its weights file (LoRA merged for inference)."""

    def __init__(self, weights: str | Path | None, batch: int = 32) -> None:
        if weights is None:
            raise RadgenError(
                "the learned labeler needs weights: train them on your labelled reports with"
                " `radgen text train-labeler`, then pass --labeler RUN/labeler.pt"
            )
        self.weights = Path(weights)
        if not self.weights.is_file():
            raise RadgenError("labeler weights not found", self.weights)
        self.batch = batch

    @cached_property
    def _loaded(self) -> tuple[LabelerNet, Any, LabelerSpec, LabelPolicy]:
        try:
            state = torch.load(self.weights, map_location="cpu", weights_only=False)
            spec = LabelerSpec(**{**state["spec"], "labels": tuple(state["spec"]["labels"])})
        except (KeyError, TypeError, RuntimeError, EOFError) as err:
            raise RadgenError(f"not a radgen labeler weights file ({err})", self.weights) from err
        net = LabelerNet(spec)
        result = net.load_state_dict({k: v.float() for k, v in state["weights"].items()}, False)
        if result.unexpected_keys:
            raise RadgenError("labeler weights do not match the model", self.weights)
        merge_lora(net.bert)
        net.eval()
        return net, load_tokenizer(), spec, LabelPolicy.from_json(state.get("policy", {}))

    @property
    def labels(self) -> tuple[str, ...]:
        return self._loaded[2].labels

    @property
    def policy(self) -> LabelPolicy:
        return self._loaded[3]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        net, tokenizer, spec, _ = self._loaded
        return predict_probabilities(
            net, encode_reports(tokenizer, texts, spec.max_length), self.batch
        )

    def predict(self, probs: np.ndarray) -> list[set[str]]:
        """Labels from the model alone, at the calibrated thresholds; ``probs`` from
        :meth:`probabilities` (computed once when both the model's and the ensemble's
        labels are wanted)."""
        return threshold_labels(probs, self.labels, self.policy.learned)

    def ensemble(self, probs: np.ndarray, rule_labels: list[set[str]]) -> list[set[str]]:
        """Labels from the rules and the model together, by the calibrated per-label rule."""
        return [
            combine_labels(r, p, self.labels, self.policy)
            for r, p in zip(rule_labels, probs, strict=True)
        ]
