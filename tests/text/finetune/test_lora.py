"""LoRA on a tiny Llama: only adapter weights train, adapters save/load/merge, bad configs fail
with one clear error."""

from __future__ import annotations

import copy

import pytest
import torch
from pydantic import ValidationError

from radgen.errors import RadgenError
from radgen.text.finetune.config import LoraOptions
from radgen.text.finetune.data import IGNORE
from radgen.text.finetune.lora import adapter_state, apply_lora, load_adapter_state
from radgen.text.finetune.objective import sft_loss
from radgen.text.finetune.sft import SftTask


def _batch(n: int = 4, length: int = 12) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 64, (n, length), generator=gen)
    labels = ids.clone()
    labels[:, : length // 2] = IGNORE  # the prompt half carries no loss
    return {"ids": ids, "mask": torch.ones_like(ids), "labels": labels}


def test_training_changes_only_adapter_weights(tiny_llama):
    before = {k: v.clone() for k, v in tiny_llama.state_dict().items()}
    model = apply_lora(tiny_llama, LoraOptions(rank=4, alpha=8, dropout=0.0))
    task = SftTask(model, lr=1e-2, evaluation=None)
    losses = [task.train_step(_batch())["loss"] for _ in range(5)]
    assert losses[-1] < losses[0]
    changed_base = [
        k for k, v in model.get_base_model().state_dict().items()
        if "lora_" not in k and not torch.equal(v, before[k.replace(".base_layer", "")])
    ]  # fmt: skip
    assert changed_base == []
    lora_b = [v for k, v in adapter_state(model).items() if "lora_B" in k]
    assert lora_b and all(v.abs().sum() > 0 for v in lora_b)  # B starts at zero


def test_loss_covers_only_answer_tokens(tiny_llama):
    batch = _batch()
    other = {**batch, "ids": batch["ids"].clone()}
    other["ids"][:, 0] = (other["ids"][:, 0] + 1) % 64  # change a prompt token
    assert sft_loss(tiny_llama, batch) != sft_loss(tiny_llama, other)  # context matters
    no_answer = {**batch, "labels": torch.full_like(batch["labels"], IGNORE)}
    assert sft_loss(tiny_llama, no_answer).item() == 0.0


def test_adapter_saves_loads_and_merges(tiny_llama, tmp_path):
    from peft import PeftModel

    base_copy = copy.deepcopy(tiny_llama)
    model = apply_lora(tiny_llama, LoraOptions(rank=4, alpha=8, dropout=0.0))
    torch.manual_seed(3)
    for name, p in model.named_parameters():
        if "lora_B" in name:
            p.data.normal_(0, 0.5)
    ids = _batch()["ids"]
    with torch.no_grad():
        expected = model(input_ids=ids).logits
        with model.disable_adapter():
            plain = model(input_ids=ids).logits
    assert not torch.allclose(expected, plain, atol=1e-3)  # the adapter does something
    model.save_pretrained(tmp_path / "adapter")
    loaded = PeftModel.from_pretrained(copy.deepcopy(base_copy), str(tmp_path / "adapter"))
    with torch.no_grad():
        assert torch.allclose(loaded(input_ids=ids).logits, expected, atol=1e-5)
        merged = loaded.merge_and_unload()
        assert torch.allclose(merged(input_ids=ids).logits, expected, atol=1e-4)
    fresh = apply_lora(copy.deepcopy(base_copy), LoraOptions(rank=4, alpha=8, dropout=0.0))
    load_adapter_state(fresh, adapter_state(model))
    with torch.no_grad():
        assert torch.allclose(fresh(input_ids=ids).logits, expected, atol=1e-5)


def test_unknown_target_module_is_one_clear_error(tiny_llama):
    with pytest.raises(RadgenError, match=r"unknown LoRA target module.*qkv.*q_proj"):
        apply_lora(tiny_llama, LoraOptions(target_modules=["q_proj", "qkv"]))


@pytest.mark.parametrize("bad", [{"rank": 0}, {"alpha": 0}, {"dropout": 1.0}, {"x": 1}])
def test_bad_lora_options_are_refused(bad):
    with pytest.raises(ValidationError):
        LoraOptions(**bad)
