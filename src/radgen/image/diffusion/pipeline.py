"""The denoising loop, visible in one function: model -> (eps, x_0) -> guidance -> sampler."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from radgen.image.diffusion.guidance import cfg_combine, classifier_grad
from radgen.image.diffusion.samplers import DDIMSampler, DDPMSampler
from radgen.image.diffusion.schedule import NoiseSchedule


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
) -> torch.Tensor:
    """Run the reverse chain from ``noise``; returns x_0 in [-1, 1] (when ``clip``).

    ``guidance_scale`` mixes conditional and unconditional predictions (classifier-free; 1 is
    plain conditional). ``classifier_scale`` adds a noise-aware classifier's gradient.
    """
    x = noise
    steps = sampler.timesteps(num_steps)
    null = None
    use_cfg = labels is not None and guidance_scale != 1.0
    if use_cfg:
        null = torch.full_like(labels, model.num_classes)
    for i, t in enumerate(steps):
        t_prev = steps[i + 1] if i + 1 < len(steps) else -1
        tt = torch.full((len(x),), t, device=x.device, dtype=torch.long)
        if use_cfg:
            both = model(
                torch.cat([x, x]),
                torch.cat([tt, tt]),
                torch.cat([labels, null]),
                None if cond is None else torch.cat([cond, cond]),
            )
            out = cfg_combine(*both.chunk(2), guidance_scale)
        else:
            out = model(x, tt, labels, cond)
        eps, x0 = schedule.to_eps_x0(out, x, tt)
        if classifier is not None and classifier_scale and labels is not None:
            ab = schedule.alphas_cumprod[t].item()
            eps = eps - (1 - ab) ** 0.5 * classifier_scale * classifier_grad(
                classifier, x, tt, labels
            )
            x0 = schedule.x0_from_eps(eps, x, tt)
        if clip:
            x0 = x0.clamp(-1, 1)
            eps = (x - schedule.alphas_cumprod[t].item() ** 0.5 * x0) / (
                1 - schedule.alphas_cumprod[t].item()
            ) ** 0.5
        x = sampler.step(x0, eps, x, t, t_prev, generator)
        if on_step is not None:
            on_step(i)
    return x.clamp(-1, 1) if clip else x
