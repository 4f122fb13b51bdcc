"""The denoising loop, visible in one function: model -> (eps, x_0) -> guidance -> sampler."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from radgen.image.diffusion.guidance import cfg_combine, classifier_grad
from radgen.image.diffusion.samplers import DDIMSampler, DDPMSampler
from radgen.image.diffusion.schedule import NoiseSchedule


def predict(
    model: nn.Module,
    schedule: NoiseSchedule,
    x: torch.Tensor,
    t: int,
    labels: torch.Tensor | None,
    guidance: float = 1.0,
    cond: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(eps, x_0) at step ``t``, classifier-free guided when ``guidance`` is not 1."""
    tt = torch.full((len(x),), t, device=x.device, dtype=torch.long)
    if labels is not None and guidance != 1.0:
        null = torch.full_like(labels, model.num_classes)
        both = model(
            torch.cat([x, x]),
            torch.cat([tt, tt]),
            torch.cat([labels, null]),
            None if cond is None else torch.cat([cond, cond]),
        )
        out = cfg_combine(*both.chunk(2), guidance)
    else:
        out = model(x, tt, labels, cond)
    return schedule.to_eps_x0(out, x, tt)


def clip_x0(
    schedule: NoiseSchedule, x: torch.Tensor, x0: torch.Tensor, t: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """x_0 clamped to [-1, 1] and the eps consistent with it at x_t."""
    ab = schedule.alphas_cumprod[t].item()
    x0 = x0.clamp(-1, 1)
    return (x - ab**0.5 * x0) / (1 - ab) ** 0.5, x0


@torch.no_grad()
def denoise(
    model: nn.Module,
    schedule: NoiseSchedule,
    sampler: DDPMSampler | DDIMSampler,
    noise: torch.Tensor,
    *,
    labels: torch.Tensor | None = None,
    num_steps: int | None = None,
    guidance_scale: float = 1.0,
    classifier: nn.Module | None = None,
    classifier_scale: float = 0.0,
    cond: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
    clip: bool = True,
    on_step: Callable[[int], None] | None = None,
    start_t: int | None = None,
) -> torch.Tensor:
    """Run the reverse chain from ``noise``; returns x_0 in [-1, 1] (when ``clip``).

    ``guidance_scale`` mixes conditional and unconditional predictions (classifier-free; 1 is
    plain conditional). ``classifier_scale`` adds a noise-aware classifier's gradient.
    ``start_t`` starts the chain part-way (SDEdit): ``noise`` is then x at that step, and only
    the sampler's steps at or below it run.
    """
    x = noise
    steps = sampler.timesteps(num_steps)
    if start_t is not None:
        steps = [t for t in steps if t <= start_t] or [steps[-1]]
    for i, t in enumerate(steps):
        t_prev = steps[i + 1] if i + 1 < len(steps) else -1
        tt = torch.full((len(x),), t, device=x.device, dtype=torch.long)
        eps, x0 = predict(model, schedule, x, t, labels, guidance_scale, cond)
        if classifier is not None and classifier_scale and labels is not None:
            ab = schedule.alphas_cumprod[t].item()
            eps = eps - (1 - ab) ** 0.5 * classifier_scale * classifier_grad(
                classifier, x, tt, labels
            )
            x0 = schedule.x0_from_eps(eps, x, tt)
        if clip:
            eps, x0 = clip_x0(schedule, x, x0, t)
        x = sampler.step(x0, eps, x, t, t_prev, generator)
        if on_step is not None:
            on_step(i)
    return x.clamp(-1, 1) if clip else x
