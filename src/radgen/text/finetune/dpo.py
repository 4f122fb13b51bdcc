"""``radgen text dpo``: direct preference optimisation (Rafailov et al. 2023) of an SFT adapter.

Written plainly instead of through TRL: the policy is the base model with the SFT adapter,
trained further; the reference is the same model before this stage. Its log-probabilities do
not change, so they are computed once before training (with TRL's ``ref_model=None`` the
reference is recomputed every step with the adapter switched off: the same numbers, more
compute). One model fits in memory, and the result is one adapter that exports like SFT's.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import torch

from radgen.errors import RadgenError
from radgen.runs.device import resolve_device
from radgen.runs.loop import Batch, BatchStream, train_loop
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything
from radgen.text.finetune.config import DpoConfig, LoraOptions
from radgen.text.finetune.convert import load_base_model
from radgen.text.finetune.data import answer_ids, encode_pairs, prompt_ids
from radgen.text.finetune.export import export_run
from radgen.text.finetune.objective import answer_logprobs, dpo_loss
from radgen.text.finetune.registry import MANIFEST
from radgen.text.finetune.sft import ADAPTER_DIR, AdapterTask, loop_settings, peak_memory_mb
from radgen.text.llm.base import Message


def read_pairs(path: str | Path, limit: int) -> list[tuple[list[Message], str, str]]:
    """(prompt messages, chosen, rejected) from JSONL; a prompt is a string or a message list."""
    pairs = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise RadgenError(
                    f"line {n}: a pair is JSON with prompt, chosen and rejected", path
                ) from err
            messages = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else prompt
            if chosen == rejected:
                raise RadgenError(f"line {n}: chosen and rejected are the same text", path)
            pairs.append((messages, str(chosen), str(rejected)))
            if len(pairs) == limit:
                break
    if not pairs:
        raise RadgenError("no preference pair in the file", path)
    return pairs


def encode_preferences(
    tokenizer: Any, pairs: list[tuple[list[Message], str, str]], max_length: int
) -> Batch:
    prompts = [prompt_ids(tokenizer, m) for m, _, _ in pairs]
    chosen = encode_pairs(tokenizer, prompts, [answer_ids(tokenizer, c) for _, c, _ in pairs],
                          max_length)  # fmt: skip
    rejected = encode_pairs(tokenizer, prompts, [answer_ids(tokenizer, r) for _, _, r in pairs],
                            max_length)  # fmt: skip
    return {**{f"chosen_{k}": v for k, v in chosen.items()},
            **{f"rejected_{k}": v for k, v in rejected.items()}}  # fmt: skip


def _side(batch: Batch, side: str) -> Batch:
    return {k.removeprefix(f"{side}_"): v for k, v in batch.items() if k.startswith(f"{side}_")}


def reference_logprobs(model: Any, data: Batch, batch_size: int = 8) -> dict[str, torch.Tensor]:
    """The policy's answer log-probabilities before preference tuning (the DPO reference)."""
    model.eval()
    out: dict[str, list[torch.Tensor]] = {"ref_chosen": [], "ref_rejected": []}
    n = len(data["chosen_ids"])
    with torch.no_grad():
        for i in range(0, n, batch_size):
            part = {k: v[i : i + batch_size] for k, v in data.items()}
            out["ref_chosen"].append(answer_logprobs(model, _side(part, "chosen"))[0])
            out["ref_rejected"].append(answer_logprobs(model, _side(part, "rejected"))[0])
    model.train()
    return {k: torch.cat(v) for k, v in out.items()}


class DpoTask(AdapterTask):
    """One DPO step: chosen and rejected answers through the policy, against the reference."""

    def __init__(self, model: Any, lr: float, beta: float) -> None:
        super().__init__(model, lr)
        self.beta = beta

    def train_step(self, batch: Batch) -> dict[str, float]:
        chosen, _ = answer_logprobs(self.model, _side(batch, "chosen"))
        rejected, _ = answer_logprobs(self.model, _side(batch, "rejected"))
        loss, accuracy = dpo_loss(
            chosen, rejected, batch["ref_chosen"], batch["ref_rejected"], self.beta
        )
        self.step(loss)
        margin = (chosen - rejected).mean().item()
        return {"loss": loss.item(), "accuracy": accuracy.item(), "margin": margin}


def load_sft_policy(base: str, sft_run: str | Path, device: str) -> tuple[Any, Any, Path]:
    """The base model with an SFT run's adapter, trainable."""
    from peft import PeftModel

    folder = Path(sft_run) / ADAPTER_DIR
    if not (folder / "adapter_config.json").is_file():
        raise RadgenError("no SFT adapter in this run (run `radgen text finetune` first)", folder)
    model, tokenizer, gguf = load_base_model(base, device)
    return PeftModel.from_pretrained(model, str(folder), is_trainable=True), tokenizer, gguf


def preference_tune(
    config: DpoConfig, *, overwrite: bool = False, resume: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train the SFT adapter further on preference pairs; write and register the result."""
    sft = RunDir(config.sft_run)
    sft_config = sft.read_config()
    if sft_config.get("base") != config.base:
        raise RadgenError(
            f"the SFT run was trained on '{sft_config.get('base')}', not '{config.base}'"
        )
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    if config.threads:
        torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    device = resolve_device(config.device)
    model, tokenizer, gguf = load_sft_policy(config.base, config.sft_run, str(device))
    pairs = read_pairs(config.pairs, config.n_pairs)
    data = encode_preferences(tokenizer, pairs, config.max_length)
    data.update(reference_logprobs(model, {k: v.to(device) for k, v in data.items()}))
    stream = BatchStream(data, config.batch_size, config.seed, device)
    task = DpoTask(model, config.lr, config.beta)
    summary = train_loop(task, stream, run, loop_settings(config, stream.steps_per_epoch,
                                                          progress), resume=resume)  # fmt: skip
    model.eval()
    model.save_pretrained(run.root / ADAPTER_DIR)
    manifest = sft.root / MANIFEST
    sft_meta = json.loads(manifest.read_text()) if manifest.is_file() else {}
    meta = {
        **{k: v for k, v in sft_meta.items() if k in ("task", "labels", "prompt")},
        "kind": "dpo",
        "base": config.base,
        "sft_run": str(Path(config.sft_run).resolve()),
        "data": f"{config.pairs}, {len(pairs)} pairs",
        "trained": time.strftime("%Y-%m-%d %H:%M"),
    }
    lora = LoraOptions.model_validate(sft_config["lora"])
    summary.update({"pairs": len(pairs), "peak_memory_mb": peak_memory_mb()})
    summary["gguf_adapter"] = str(export_run(model, lora, gguf, run, meta))
    run.write_json("metrics.json", summary)
    return summary
