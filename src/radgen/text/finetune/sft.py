"""``radgen text finetune``: LoRA supervised fine-tuning through the shared run loop.

Checkpoints hold the adapter and the optimiser only (a few MB, not the base model), the loop
resumes exactly from (seed, step), each epoch ends with the loss on even-split reports kept out
of training, and the run ends with the adapter saved three ways: PEFT's folder, a GGUF LoRA
adapter for llama.cpp, and a registry entry so every text task takes it with ``--model``.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from radgen.runs.device import resolve_device
from radgen.runs.loop import Batch, BatchStream, LoopSettings, train_loop
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything
from radgen.text.finetune import data as sft_data
from radgen.text.finetune.config import FinetuneConfig
from radgen.text.finetune.convert import load_base_model
from radgen.text.finetune.export import export_run
from radgen.text.finetune.lora import adapter_state, apply_lora, load_adapter_state
from radgen.text.finetune.objective import sft_loss

ADAPTER_DIR = "adapter"


class AdapterTask:
    """What SFT and DPO steps share: AdamW over the adapter's tensors, a clipped step, and
    checkpoints that hold the adapter and the optimiser only."""

    def __init__(self, model: Any, lr: float) -> None:
        self.model = model.train()
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(self.params, lr=lr, weight_decay=0.0)

    def step(self, loss: torch.Tensor) -> None:
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.opt.step()

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {"adapter": adapter_state(self.model), "opt": self.opt.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        load_adapter_state(self.model, state["adapter"])
        self.opt.load_state_dict(state["opt"])


class SftTask(AdapterTask):
    """One LoRA step of next-token cross-entropy on answer tokens."""

    def __init__(self, model: Any, lr: float, evaluation: Batch | None) -> None:
        super().__init__(model, lr)
        self.evaluation = evaluation

    def train_step(self, batch: Batch) -> dict[str, float]:
        loss = sft_loss(self.model, batch)
        self.step(loss)
        return {"loss": loss.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        """The loss on held-back development examples (for the curve; nothing is chosen by it)."""
        if self.evaluation is None:
            return {}
        self.model.eval()
        with torch.no_grad():
            loss = sft_loss(self.model, self.evaluation)
        self.model.train()
        return {"eval_loss": float(loss)}


def peak_memory_mb() -> float:
    """The process's peak resident memory (Linux ru_maxrss is in kB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def loop_settings(config: Any, steps_per_epoch: int, progress: bool) -> LoopSettings:
    steps = config.steps
    if steps is None and config.minutes is None:
        steps = max(1, round(config.epochs * steps_per_epoch))
    return LoopSettings(steps, config.minutes, config.checkpoint_every, 1, progress)


def finetune(
    config: FinetuneConfig,
    *,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
    export: bool = True,
) -> dict[str, Any]:
    """Train a LoRA adapter on the task's instruction pairs; write and register it."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    if config.threads:
        torch.set_num_threads(config.threads)
    reports = sft_data.read_reports(config.csv)
    development, reported = sft_data.split(reports, config.held_out)
    vocabulary = sft_data.label_vocabulary(development)
    examples = sft_data.draw(
        sft_data.examples_for(development, config.task, vocabulary),
        config.n_train + config.eval_examples,
        config.seed,
    )
    held_back, train = examples[: config.eval_examples], examples[config.eval_examples :]
    device = resolve_device(config.device)
    model, tokenizer, gguf = load_base_model(config.base, str(device))
    seed_everything(config.seed)  # after loading: a first-use conversion draws random numbers
    # (nothing before this point is random: the examples are drawn with their own seeded Random)
    model = apply_lora(model, config.lora)
    tensors = sft_data.encode_examples(tokenizer, train, config.max_length)
    evaluation = None
    if held_back:
        evaluation = {
            k: v.to(device)
            for k, v in sft_data.encode_examples(tokenizer, held_back, config.max_length).items()
        }
    stream = BatchStream(tensors, config.batch_size, config.seed, device)
    task = SftTask(model, config.lr, evaluation)
    settings = loop_settings(config, stream.steps_per_epoch, progress)
    summary = train_loop(task, stream, run, settings, resume=resume)
    model.eval()
    model.save_pretrained(run.root / ADAPTER_DIR)
    meta = {
        "kind": "sft",
        "task": config.task,
        "base": config.base,
        "data": f"{config.csv} (uid parity {config.held_out}: development only),"
        f" {len(train)} examples",
        "trained": time.strftime("%Y-%m-%d %H:%M"),
        "labels": list(vocabulary),
        "prompt": sft_data.prompt_note(config.task, vocabulary),
    }
    summary.update(
        {
            "examples": len(train),
            "held_back": len(held_back),
            "reported_unread": len(reported),
            "peak_memory_mb": peak_memory_mb(),
            "adapter": str(run.root / ADAPTER_DIR),
        }
    )
    if export:
        summary["gguf_adapter"] = str(export_run(model, config.lora, gguf, run, meta))
    run.write_json("metrics.json", summary)
    return summary
