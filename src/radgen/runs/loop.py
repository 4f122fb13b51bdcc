"""The one training loop under every radgen model: batches, checkpoints, resume, progress.

A model plugs in as a :class:`TrainTask` (the pix2pix-style contract): it owns its networks,
optimisers and EMA, does one optimisation step, and reports at epoch ends. The loop owns
everything else, so every model checkpoints, resumes and reports the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from radgen.errors import RadgenError
from radgen.runs import distributed
from radgen.runs.checkpoint import load_checkpoint, save_checkpoint
from radgen.runs.figures import plot_metrics
from radgen.runs.rundir import RunDir
from radgen.runs.seed import rng_state, set_rng_state

Batch = dict[str, torch.Tensor]


class TrainTask(Protocol):
    """What a model implements to be trained by :func:`train_loop`."""

    def train_step(self, batch: Batch) -> dict[str, float]:
        """One optimisation step; returns scalar losses for the log."""

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        """Evaluate and write per-epoch figures (sample grid...); returns metrics to log."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue: networks, optimisers, EMA, step counters."""

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class CheckpointedTask:
    """Saves and restores the attributes named in ``checkpointed`` (networks, optimisers, EMA);
    the checkpoint keys are the attribute names."""

    checkpointed: tuple[str, ...] = ()

    def state_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name).state_dict() for name in self.checkpointed}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name in self.checkpointed:
            getattr(self, name).load_state_dict(state[name])


class BatchStream:
    """Deterministic shuffled minibatches: batch ``step`` depends only on (seed, step).

    Resume therefore needs no sampler state, and the data stay on the device as tensors
    (the fast data path: no DataLoader workers on a 2-core CPU).
    """

    def __init__(
        self, tensors: Batch, batch_size: int, seed: int, device: torch.device | str = "cpu"
    ) -> None:
        sizes = {len(t) for t in tensors.values()}
        if len(sizes) != 1:
            raise RadgenError(f"batch tensors differ in length: {sorted(sizes)}")
        self.n = sizes.pop()
        if self.n < batch_size:
            batch_size = self.n
        self.tensors = {k: v.to(device) for k, v in tensors.items()}
        self.batch_size = batch_size
        self.seed = seed
        self.steps_per_epoch = self.n // batch_size
        self._epoch, self._perm = -1, torch.arange(self.n)

    def batch(self, step: int) -> Batch:
        """The step's global batch; under data parallelism, this rank's slice of it."""
        epoch, i = divmod(step, self.steps_per_epoch)
        if epoch != self._epoch:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
            self._epoch, self._perm = epoch, torch.randperm(self.n, generator=gen)
        idx = self._perm[i * self.batch_size : (i + 1) * self.batch_size]
        shard = distributed.current()
        if shard.distributed:
            idx = idx[distributed.local_slice(len(idx) // shard.world)]
        idx = idx.to(next(iter(self.tensors.values())).device)
        return {k: v[idx] for k, v in self.tensors.items()}


@dataclass
class LoopSettings:
    """When to stop, checkpoint and log. ``minutes`` counts time across resumes."""

    steps: int | None = None
    minutes: float | None = None
    checkpoint_every: int = 200
    log_every: int = 10
    progress: bool = True


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]train"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps {task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


def train_loop(
    task: TrainTask,
    stream: BatchStream,
    run: RunDir,
    settings: LoopSettings,
    *,
    resume: bool = False,
    on_checkpoint: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Train until ``steps`` or ``minutes`` is reached; checkpoint atomically; resume exactly."""
    if settings.steps is None and settings.minutes is None:
        raise RadgenError("give --steps or --minutes")
    shard = distributed.current()
    if shard.distributed and stream.batch_size % shard.world:
        raise RadgenError(
            f"batch size {stream.batch_size} does not split over {shard.world} processes"
        )
    main = shard.main
    checkpoint = run.last_checkpoint  # every rank resumes from rank 0's checkpoint
    if not main:  # other ranks compute what rank 0 computes, and write into a scratch folder
        import tempfile

        run = RunDir(tempfile.mkdtemp(prefix=f"radgen-rank{shard.rank}-"))
    log = run.logger()
    step, elapsed = 0, 0.0
    if resume and checkpoint.exists():
        ckpt = load_checkpoint(checkpoint)
        task.load_state_dict(ckpt["task"])
        set_rng_state(ckpt["rng"])
        step, elapsed = int(ckpt["step"]), float(ckpt["elapsed"])
        run.truncate_metrics(step)
        log.info("resumed at step %d (%.1f s trained)", step, elapsed)
    total = settings.steps
    budget = None if settings.minutes is None else settings.minutes * 60.0

    def save() -> None:
        if not main:
            return
        state = {"task": task.state_dict(), "rng": rng_state(), "step": step}
        state["elapsed"] = elapsed + time.monotonic() - t0
        save_checkpoint(state, run.last_checkpoint)
        if on_checkpoint is not None:
            on_checkpoint(step)

    t0 = time.monotonic()
    last: dict[str, float] = {}
    with _progress(settings.progress and main) as bar:
        job = bar.add_task("train", total=total, completed=step, info="")
        while True:
            spent = elapsed + time.monotonic() - t0
            if (total is not None and step >= total) or (budget is not None and spent >= budget):
                break
            last = task.train_step(stream.batch(step))
            step += 1
            if step % settings.log_every == 0:
                run.append_metrics({"step": step, **last})
                bar.update(job, info=" ".join(f"{k}={v:.4f}" for k, v in last.items()))
            if step % stream.steps_per_epoch == 0:
                epoch_metrics = task.on_epoch_end(step // stream.steps_per_epoch, run)
                if epoch_metrics:
                    run.append_metrics({"step": step, **epoch_metrics})
                    log.info("epoch %d: %s", step // stream.steps_per_epoch, epoch_metrics)
            if step % settings.checkpoint_every == 0:
                save()
            bar.update(job, completed=step)
    save()
    seconds = elapsed + time.monotonic() - t0
    summary = {"steps": step, "seconds": round(seconds, 2), "last_losses": last}
    if shard.distributed:
        summary["processes"] = shard.world
    if not main:
        return summary
    rows = run.read_metrics()
    plot_metrics(rows, run.figures / "losses.png")
    run.write_json("metrics.json", summary)
    log.info("finished at step %d after %.1f s", step, seconds)
    return summary
