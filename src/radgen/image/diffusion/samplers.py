"""Reverse-chain samplers. Each owns only the math of one step, from (x_0, eps) at t to t_prev."""

from __future__ import annotations

import torch

from radgen.errors import RadgenError
from radgen.image.diffusion.schedule import NoiseSchedule


def _noise_like(x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """Gaussian noise drawn on the generator's device (CPU seeds), then moved to ``x``'s."""
    device = generator.device if generator is not None else x.device
    return torch.randn(x.shape, generator=generator, device=device, dtype=x.dtype).to(x.device)


class DDPMSampler:
    """Ancestral sampling through every step of the chain (Ho et al. 2020)."""

    def __init__(self, schedule: NoiseSchedule) -> None:
        self.schedule = schedule

    def timesteps(self, num_steps: int | None = None) -> list[int]:
        return list(range(self.schedule.num_steps - 1, -1, -1))

    def step(
        self,
        x0: torch.Tensor,
        eps: torch.Tensor,
        x_t: torch.Tensor,
        t: int,
        t_prev: int,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Sample x_{t-1} from the posterior q(x_{t-1} | x_t, x_0)."""
        s = self.schedule
        ab_t = float(s.alphas_cumprod[t])
        ab_prev = float(s.alphas_cumprod[t_prev]) if t_prev >= 0 else 1.0
        beta = float(s.betas[t])
        mean = (ab_prev**0.5 * beta / (1 - ab_t)) * x0 + (
            (1 - ab_prev) * (1 - beta) ** 0.5 / (1 - ab_t)
        ) * x_t
        if t_prev < 0:
            return mean
        var = (1 - ab_prev) / (1 - ab_t) * beta
        noise = _noise_like(x_t, generator)
        return mean + var**0.5 * noise


class DDIMSampler:
    """DDIM (Song et al. 2021) with any number of steps; ``eta=1`` is DDPM-like, 0 deterministic."""

    def __init__(self, schedule: NoiseSchedule, eta: float = 0.0) -> None:
        if not 0.0 <= eta <= 1.0:
            raise RadgenError(f"DDIM eta must lie in [0, 1], got {eta}")
        self.schedule, self.eta = schedule, eta

    def timesteps(self, num_steps: int | None = 50) -> list[int]:
        total = self.schedule.num_steps
        n = total if num_steps is None else num_steps
        if not 1 <= n <= total:
            raise RadgenError(f"DDIM steps must lie in 1..{total}, got {n}")
        steps = torch.linspace(total - 1, 0, n).round().long().unique_consecutive()
        return steps.tolist()

    def step(
        self,
        x0: torch.Tensor,
        eps: torch.Tensor,
        x_t: torch.Tensor,
        t: int,
        t_prev: int,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        ab_t = float(self.schedule.alphas_cumprod[t])
        ab_prev = float(self.schedule.alphas_cumprod[t_prev]) if t_prev >= 0 else 1.0
        sigma = self.eta * ((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev)) ** 0.5
        direction = max(1 - ab_prev - sigma**2, 0.0) ** 0.5 * eps
        prev = ab_prev**0.5 * x0 + direction
        if sigma > 0 and t_prev >= 0:
            noise = _noise_like(x_t, generator)
            prev = prev + sigma * noise
        return prev


def make_sampler(name: str, schedule: NoiseSchedule, eta: float = 0.0) -> DDPMSampler | DDIMSampler:
    if name == "ddpm":
        return DDPMSampler(schedule)
    if name == "ddim":
        return DDIMSampler(schedule, eta)
    raise RadgenError(f"unknown sampler '{name}'; choose one of ['ddim', 'ddpm']")
