"""Conditional diffusion translation (Palette / SR3): denoise the target given the source.

The source slice is concatenated to the noisy target at every step; sampling is DDIM.
Intensities map to [-1, 1] for MR ([0, 1] network units); CT stays in HU / 1000, unclipped.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from radgen.data.pairs import Intensity
from radgen.image.diffusion.pipeline import denoise
from radgen.image.diffusion.samplers import DDIMSampler
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.diffusion.unet import DiffusionUNet
from radgen.image.ema import EMA
from radgen.image.translate.base import TranslationTask, random_crops
from radgen.runs.loop import Batch


class PaletteTask(TranslationTask):
    """Paired source -> target by conditional denoising. ``domains`` is (source, target)."""

    checkpointed = ("model", "opt", "ema")

    def __init__(
        self,
        model: DiffusionUNet,
        schedule: NoiseSchedule,
        *,
        domains: tuple[str, ...],
        intensity: Intensity,
        lr: float,
        ema_decay: float,
        sample_steps: int,
        crop: int,
        preview: torch.Tensor,
        device: torch.device | str,
    ) -> None:
        super().__init__(domains, intensity, crop, preview, device)
        self.model, self.schedule = model.to(device), schedule
        self.multiple = model.patch * 2 ** (len(model.down_blocks) - 1)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.0)
        self.ema = EMA(self.model, ema_decay)
        self.sample_steps = sample_steps

    def _to_unit(self, v: torch.Tensor) -> torch.Tensor:
        return v * 2 - 1 if self.intensity == "percentile" else v

    def _from_unit(self, u: torch.Tensor) -> torch.Tensor:
        return (u + 1) / 2 if self.intensity == "percentile" else u

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.model.train()
        pair = self._to_unit(random_crops(batch["slices"], self.crop))
        src, x0 = pair[:, :1], pair[:, 1:2]
        t = torch.randint(0, self.schedule.num_steps, (len(x0),), device=x0.device)
        noise = torch.randn_like(x0)
        out = self.model(self.schedule.q_sample(x0, t, noise), t, None, src)
        loss = F.mse_loss(out, self.schedule.target(x0, t, noise))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.ema.update(self.model)
        return {"loss": loss.item()}

    def _translate(self, x: torch.Tensor, target: int) -> torch.Tensor:
        gen = torch.Generator(device=x.device).manual_seed(0)
        noise = torch.randn(x.shape, generator=gen, device=x.device)
        out = denoise(
            self.ema.shadow,
            self.schedule,
            DDIMSampler(self.schedule),
            noise,
            num_steps=self.sample_steps,
            cond=self._to_unit(x),
            generator=gen,
            clip=self.intensity == "percentile",
        )
        return self._from_unit(out)
