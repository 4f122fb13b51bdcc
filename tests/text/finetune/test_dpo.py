"""DPO on a toy preference set: the loss falls, and the objective is the published one."""

from __future__ import annotations

import math

import torch

from radgen.text.finetune.config import LoraOptions
from radgen.text.finetune.data import IGNORE
from radgen.text.finetune.dpo import DpoTask, reference_logprobs
from radgen.text.finetune.lora import apply_lora
from radgen.text.finetune.objective import dpo_loss


def test_dpo_loss_is_log2_at_the_reference_and_falls_with_the_margin():
    zero = torch.zeros(3)
    loss, _ = dpo_loss(zero, zero, zero, zero, beta=0.1)
    assert math.isclose(float(loss), math.log(2), rel_tol=1e-6)
    better, accuracy = dpo_loss(zero + 5, zero, zero, zero, beta=0.1)
    assert float(better) < math.log(2) and float(accuracy) == 1.0
    worse, _ = dpo_loss(zero, zero + 5, zero, zero, beta=0.1)
    assert float(worse) > math.log(2)


def _side(ids: torch.Tensor, prompt: int) -> dict[str, torch.Tensor]:
    labels = ids.clone()
    labels[:, :prompt] = IGNORE
    return {"ids": ids, "mask": torch.ones_like(ids), "labels": labels}


def test_dpo_loss_falls_on_a_toy_preference_set(tiny_llama):
    gen = torch.Generator().manual_seed(0)
    prompts = torch.randint(0, 64, (8, 6), generator=gen)
    chosen = torch.cat([prompts, torch.full((8, 4), 7)], 1)  # always answer token 7
    rejected = torch.cat([prompts, torch.randint(0, 64, (8, 4), generator=gen)], 1)
    data = {**{f"chosen_{k}": v for k, v in _side(chosen, 6).items()},
            **{f"rejected_{k}": v for k, v in _side(rejected, 6).items()}}  # fmt: skip
    model = apply_lora(tiny_llama, LoraOptions(rank=4, alpha=8, dropout=0.0))
    data.update(reference_logprobs(model, data))
    task = DpoTask(model, lr=5e-3, beta=0.5)
    first = task.train_step(data)
    assert math.isclose(first["loss"], math.log(2), rel_tol=1e-4)  # policy == reference
    for _ in range(15):
        last = task.train_step(data)
    assert last["loss"] < 0.5 * first["loss"]
    assert last["accuracy"] == 1.0
