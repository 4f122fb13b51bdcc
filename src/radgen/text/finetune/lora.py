"""PEFT LoRA on a causal language model, with one clear error for a config that cannot apply."""

from __future__ import annotations

from typing import Any

import torch

from radgen.errors import RadgenError
from radgen.text.finetune.config import LoraOptions


def linear_names(model: torch.nn.Module) -> set[str]:
    """The short names of the model's linear layers (what ``target_modules`` may name)."""
    return {
        n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)
    }


def apply_lora(model: torch.nn.Module, options: LoraOptions) -> Any:
    """Wrap ``model`` with a trainable LoRA adapter; every base weight is frozen."""
    from peft import LoraConfig, get_peft_model

    known = linear_names(model) - {"lm_head"}
    unknown = sorted(set(options.target_modules) - known)
    if unknown:
        raise RadgenError(
            f"unknown LoRA target module(s) {unknown}; this model's linear layers are"
            f" {sorted(known)}"
        )
    config = LoraConfig(
        r=options.rank,
        lora_alpha=options.alpha,
        lora_dropout=options.dropout,
        target_modules=list(options.target_modules),
        task_type="CAUSAL_LM",
        bias="none",
    )
    return get_peft_model(model, config)


def adapter_state(model: Any) -> dict[str, torch.Tensor]:
    """Only the adapter's tensors: what a checkpoint and an export need."""
    from peft import get_peft_model_state_dict

    return {k: v.detach().cpu().clone() for k, v in get_peft_model_state_dict(model).items()}


def load_adapter_state(model: Any, state: dict[str, torch.Tensor]) -> None:
    from peft import set_peft_model_state_dict

    result = set_peft_model_state_dict(model, state)
    bad = [k for k in getattr(result, "unexpected_keys", []) if "lora_" in k]
    if bad:
        raise RadgenError(f"adapter weights do not fit this model: {bad[:3]}")
