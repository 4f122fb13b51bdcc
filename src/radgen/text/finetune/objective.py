"""The two training objectives on answer tokens: SFT's cross-entropy and DPO's preference loss.

Logits are computed only where the answer is (the language-model head over a 49k-word
vocabulary is a fifth of a small model's compute, and the prompt's logits are never used).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from radgen.text.finetune.data import IGNORE

Batch = dict[str, torch.Tensor]


def _trim(batch: Batch) -> Batch:
    length = max(int(batch["mask"].sum(1).max()), 2)
    return {k: v[:, :length] for k, v in batch.items()}


def answer_logprobs(model: Any, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """Per sequence: the summed log-probability of its answer tokens, and how many there are."""
    batch = _trim(batch)
    causal = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal.model(input_ids=batch["ids"], attention_mask=batch["mask"]).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != IGNORE
    logits = causal.lm_head(hidden[:, :-1][keep])
    token_logp = -F.cross_entropy(logits.float(), targets[keep], reduction="none")
    rows = keep.nonzero()[:, 0]
    n = batch["ids"].shape[0]
    sums = torch.zeros(n, device=token_logp.device).index_add(0, rows, token_logp)
    counts = keep.sum(1)
    return sums, counts


def sft_loss(model: Any, batch: Batch) -> torch.Tensor:
    """Mean negative log-likelihood per answer token."""
    sums, counts = answer_logprobs(model, batch)
    return -sums.sum() / counts.sum().clamp(min=1)


def dpo_loss(
    policy_chosen: torch.Tensor,
    policy_rejected: torch.Tensor,
    reference_chosen: torch.Tensor,
    reference_rejected: torch.Tensor,
    beta: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rafailov et al. (2023): -log sigmoid(beta * (policy margin - reference margin)).

    Returns the loss and the preference accuracy (how often the policy's margin beats the
    reference's)."""
    logits = (policy_chosen - policy_rejected) - (reference_chosen - reference_rejected)
    loss = -F.logsigmoid(beta * logits).mean()
    return loss, (logits > 0).float().mean()
