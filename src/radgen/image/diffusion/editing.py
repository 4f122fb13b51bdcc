"""Editing real images with a trained diffusion model: DDIM inversion (image -> noise, exactly
reversible up to discretisation), SDEdit (partial noising, then denoising toward a target
class) and RePaint-style inpainting (the known region pasted back at every step and at the
end, with resampling so that the filled region agrees with it).

Images are (N, 1, H, W) tensors in [-1, 1]; masks are (N, 1, H, W) with 1 where the image is
to be filled and 0 where it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
from torch import nn

from radgen.errors import RadgenError
from radgen.image.diffusion.pipeline import clip_x0, denoise, predict
from radgen.image.diffusion.samplers import DDIMSampler, _noise_like
from radgen.image.diffusion.schedule import NoiseSchedule

SdeditStart = Literal["random", "inverted"]


@torch.no_grad()
def ddim_invert(
    model: nn.Module,
    schedule: NoiseSchedule,
    images: torch.Tensor,
    labels: torch.Tensor | None = None,
    num_steps: int = 50,
    guidance: float = 1.0,
    on_step: Callable[[int], None] | None = None,
    stop_t: int | None = None,
) -> torch.Tensor:
    """The noise x_T from which deterministic DDIM (same steps, ``eta=0``) regenerates
    ``images``: each step runs the DDIM update backwards, with the model's noise estimate at
    the current step (Song et al. 2021; Dhariwal & Nichol 2021). With ``stop_t`` (one of the
    sampler's steps) the inversion stops there: x at that step, for an inverted SDEdit."""
    steps = DDIMSampler(schedule).timesteps(num_steps)[::-1]  # ascending: t_0 .. t_T
    x = images
    for i, t in enumerate(steps):
        if i + 1 == len(steps) or (stop_t is not None and t >= stop_t):
            break
        t_next = steps[i + 1]
        eps, x0 = predict(model, schedule, x, t, labels, guidance)
        ab_next = float(schedule.alphas_cumprod[t_next])
        x = ab_next**0.5 * x0 + (1 - ab_next) ** 0.5 * eps
        if on_step is not None:
            on_step(i)
    return x


@torch.no_grad()
def ddim_regenerate(
    model: nn.Module,
    schedule: NoiseSchedule,
    noise: torch.Tensor,
    labels: torch.Tensor | None = None,
    num_steps: int = 50,
    guidance: float = 1.0,
) -> torch.Tensor:
    """Deterministic DDIM from inverted noise; with the inversion's labels and guidance it
    reconstructs the image, with another label it switches class."""
    return denoise(
        model,
        schedule,
        DDIMSampler(schedule, eta=0.0),
        noise,
        labels=labels,
        num_steps=num_steps,
        guidance_scale=guidance if labels is not None else 1.0,
        clip=False,
    ).clamp(-1, 1)


def _check_strength(strength: float) -> None:
    if not 0.0 <= strength <= 1.0:
        raise RadgenError(f"edit strength must lie in [0, 1], got {strength}")


@torch.no_grad()
def sdedit(
    model: nn.Module,
    schedule: NoiseSchedule,
    images: torch.Tensor,
    labels: torch.Tensor | None,
    strength: float,
    num_steps: int = 50,
    guidance: float = 3.0,
    generator: torch.Generator | None = None,
    *,
    start: SdeditStart = "random",
    source_labels: torch.Tensor | None = None,
) -> torch.Tensor:
    """SDEdit (Meng et al. 2022): noise ``images`` to ``strength`` of the chain, then denoise
    toward ``labels``. Strength 0 returns the input; 1 ignores it.

    ``start="random"`` draws the noise (the original SDEdit). ``"inverted"`` runs DDIM
    inversion up to the same step instead (with ``source_labels``, the image's own class, or
    unconditionally), so the noise is the image's own: with its own class and guidance 1 the
    image comes back, and a class change keeps more of its structure at the same strength."""
    _check_strength(strength)
    if start not in ("random", "inverted"):
        raise RadgenError(f"SDEdit start must be 'random' or 'inverted', got {start!r}")
    if strength == 0.0:
        return images.clone()
    t_start = round(strength * (schedule.num_steps - 1))
    sampler = DDIMSampler(schedule, eta=0.0)
    first = ([t for t in sampler.timesteps(num_steps) if t <= t_start] or [0])[0]
    if start == "inverted":
        x = ddim_invert(model, schedule, images, source_labels, num_steps, stop_t=first)
    else:
        tt = torch.full((len(images),), first, device=images.device, dtype=torch.long)
        x = schedule.q_sample(images, tt, _noise_like(images, generator))
    return denoise(
        model,
        schedule,
        sampler,
        x,
        labels=labels,
        num_steps=num_steps,
        guidance_scale=guidance if labels is not None else 1.0,
        generator=generator,
        clip=start == "random",  # an inverted start is regenerated exactly, as it was inverted
        start_t=t_start,
    ).clamp(-1, 1)


def check_mask(mask: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """A binary (N or 1, 1, H, W) mask matching ``images``; anything else is one clear error."""
    if mask.ndim == 2:
        mask = mask[None, None]
    if mask.ndim != 4 or mask.shape[1] != 1 or mask.shape[-2:] != images.shape[-2:]:
        raise RadgenError(
            f"mask shape {tuple(mask.shape)} does not match the image {tuple(images.shape[-2:])}"
        )
    if mask.shape[0] not in (1, len(images)):
        raise RadgenError(f"one mask, or one per image ({len(images)}), got {mask.shape[0]}")
    values = torch.unique(mask)
    if not bool(((values == 0) | (values == 1)).all()):
        raise RadgenError("the mask must be binary (0 keep, 1 fill)")
    if not bool(mask.any()):
        raise RadgenError("the mask is empty: nothing to fill")
    return mask.to(images.dtype).expand(len(images), -1, -1, -1)


@torch.no_grad()
def repaint(
    model: nn.Module,
    schedule: NoiseSchedule,
    images: torch.Tensor,
    mask: torch.Tensor,
    labels: torch.Tensor | None = None,
    num_steps: int = 50,
    resample: int = 5,
    guidance: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """RePaint (Lugmayr et al. 2022) on DDIM steps: at every step the known region is the
    input noised to that step; the fill is resampled ``resample`` times (one step back into
    the noise and again) so it harmonises with what is kept. The known region of the result is
    the input, exactly."""
    mask = check_mask(mask, images)
    sampler = DDIMSampler(schedule, eta=1.0)  # stochastic steps: resampling needs fresh noise
    steps = sampler.timesteps(num_steps)
    x = _noise_like(images, generator)
    for i, t in enumerate(steps):
        t_prev = steps[i + 1] if i + 1 < len(steps) else -1
        for r in range(resample):
            _, x0 = predict(model, schedule, x, t, labels, guidance)
            eps, x0 = clip_x0(schedule, x, x0, t)
            ab = float(schedule.alphas_cumprod[t])
            unknown = sampler.step(x0, eps, x, t, t_prev, generator)
            if t_prev >= 0:
                tp = torch.full((len(x),), t_prev, device=x.device, dtype=torch.long)
                known = schedule.q_sample(images, tp, _noise_like(images, generator))
            else:
                known = images
            x_prev = mask * unknown + (1 - mask) * known
            if r + 1 == resample or t_prev < 0:
                x = x_prev
                break
            ab_prev = float(schedule.alphas_cumprod[t_prev])  # one step back into the noise
            x = (ab / ab_prev) ** 0.5 * x_prev + (1 - ab / ab_prev) ** 0.5 * _noise_like(
                x_prev, generator
            )
    return mask * x.clamp(-1, 1) + (1 - mask) * images
