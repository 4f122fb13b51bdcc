"""Data-parallel training on torch.distributed: gloo on CPU, NCCL on GPUs.

Every rank holds the same model and the same random state. A step's global batch is a
function of (seed, step), as in one process; rank r trains on its slice of it. Random draws
of a training step (noise, timesteps, label dropout) are drawn for the whole global batch on
every rank and sliced the same way, and gradients are averaged across ranks before the
optimiser step. Two ranks therefore train the same weights as one process with the same
global batch, to floating-point tolerance; only rank 0 writes checkpoints, metrics and figures.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass
class Shard:
    rank: int = 0
    world: int = 1

    @property
    def distributed(self) -> bool:
        return self.world > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


_CURRENT = Shard()


def current() -> Shard:
    return _CURRENT


def local_slice(n_local: int) -> slice:
    """This rank's rows of a global batch whose local part has ``n_local`` rows."""
    s = current()
    return slice(s.rank * n_local, (s.rank + 1) * n_local)


def randn_like(x: torch.Tensor) -> torch.Tensor:
    """Normal noise for this rank's rows, drawn as the whole global batch would draw it."""
    s = current()
    if not s.distributed:
        return torch.randn_like(x)
    full = torch.randn((len(x) * s.world, *x.shape[1:]), dtype=x.dtype, device=x.device)
    return full[local_slice(len(x))]


def randint(high: int, n: int, device: torch.device | str) -> torch.Tensor:
    s = current()
    if not s.distributed:
        return torch.randint(0, high, (n,), device=device)
    return torch.randint(0, high, (n * s.world,), device=device)[local_slice(n)]


def rand(n: int, device: torch.device | str) -> torch.Tensor:
    s = current()
    if not s.distributed:
        return torch.rand(n, device=device)
    return torch.rand(n * s.world, device=device)[local_slice(n)]


def average_gradients(modules: list[torch.nn.Module]) -> GradientAverager | None:
    """Average every parameter's gradient across ranks at the end of each backward pass (one
    flattened all-reduce, as DDP does), so every rank steps, and clips, with the gradient of
    the global batch's mean loss."""
    if not current().distributed:
        return None
    return GradientAverager(modules)


class GradientAverager:
    def __init__(self, modules: list[torch.nn.Module]) -> None:
        seen: set[int] = set()
        self.params = []
        for module in modules:
            for p in module.parameters():
                if p.requires_grad and id(p) not in seen:
                    seen.add(id(p))
                    self.params.append(p)  # a fixed order, the same on every rank
        self._queued = False
        for p in self.params:
            p.register_hook(self._on_grad)

    def _on_grad(self, grad: torch.Tensor) -> torch.Tensor:
        if not self._queued:  # once per backward pass: reduce when the pass has finished
            self._queued = True
            torch.autograd.Variable._execution_engine.queue_callback(self._reduce)
        return grad

    def _reduce(self) -> None:
        self._queued = False
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= current().world
        offset = 0
        for p in self.params:
            n = p.numel()
            p.grad = flat[offset : offset + n].view_as(p).clone()
            offset += n


def barrier() -> None:
    if dist.is_initialized():
        dist.barrier()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def init(rank: int, world: int, backend: str, port: int | None = None) -> None:
    """Join the process group (loopback rendezvous unless torchrun set one)."""
    global _CURRENT
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    if port is not None:
        os.environ["MASTER_PORT"] = str(port)
    if world > 1:
        dist.init_process_group(backend, rank=rank, world_size=world)
    _CURRENT = Shard(rank, world)


def finish() -> None:
    global _CURRENT
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
    _CURRENT = Shard()


def from_torchrun() -> tuple[int, int] | None:
    """(rank, world) when started by torchrun, else None."""
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    return None


def _worker(rank: int, world: int, port: int, backend: str, fn: Callable, args: tuple) -> None:
    init(rank, world, backend, port)
    try:
        result = fn(*args)
        if rank == 0:
            torch.save(result, os.environ["RADGEN_DDP_RESULT"])
    finally:
        finish()


def spawn(fn: Callable[..., Any], nproc: int, *args: Any, backend: str = "gloo") -> Any:
    """Run ``fn(*args)`` on ``nproc`` local ranks and return rank 0's result."""
    import tempfile

    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.pt")
        os.environ["RADGEN_DDP_RESULT"] = out
        mp.spawn(_worker, args=(nproc, free_port(), backend, fn, args), nprocs=nproc, join=True)
        return torch.load(out, weights_only=False)
