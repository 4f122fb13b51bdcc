"""Diffusion training: the DDPM objective with min-SNR weighting, CFG label dropout and EMA."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from radgen.image.contract import ImageTask, SampleOptions
from radgen.image.diffusion.editing import ddim_invert, ddim_regenerate
from radgen.image.diffusion.guidance import NoisyClassifier
from radgen.image.diffusion.pipeline import denoise
from radgen.image.diffusion.samplers import DDIMSampler, make_sampler
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.diffusion.unet import DiffusionUNet
from radgen.image.ema import EMA
from radgen.image.grids import write_class_grid
from radgen.runs import distributed
from radgen.runs.loop import Batch
from radgen.runs.rundir import RunDir


class DiffusionTask(ImageTask):
    """Trains a :class:`DiffusionUNet`; samples a grid with the EMA weights every epoch. Its
    latent is the DDIM-inverted noise: ``encode`` inverts an image, ``decode`` regenerates."""

    checkpointed = ("model", "opt", "ema")
    kind = "ddpm"

    def sample(
        self,
        n: int,
        labels: torch.Tensor | None,
        generator: torch.Generator,
        options: SampleOptions = SampleOptions(),
    ) -> torch.Tensor:
        net = self.ema.shadow
        dev = next(net.parameters()).device
        noise = torch.randn(n, 1, self.image_size, self.image_size, generator=generator).to(dev)
        return denoise(
            net,
            self.schedule,
            make_sampler(options.sampler, self.schedule, options.eta),
            noise,
            labels=None if labels is None else labels.to(dev),
            num_steps=options.steps,
            guidance_scale=options.guidance if labels is not None else 1.0,
            classifier=options.classifier,
            classifier_scale=options.classifier_scale,
            generator=generator,
        )

    def encode(
        self, images: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        return ddim_invert(self.ema.shadow, self.schedule, images, labels, options.steps)

    def decode(
        self, latent: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        return ddim_regenerate(
            self.ema.shadow, self.schedule, latent, labels, options.steps, options.guidance
        )

    def __init__(
        self,
        model: DiffusionUNet,
        schedule: NoiseSchedule,
        *,
        lr: float,
        cfg_dropout: float,
        min_snr_gamma: float | None,
        ema_decay: float,
        class_names: tuple[str, ...] = (),
        image_size: int = 32,
        device: torch.device | str = "cpu",
    ) -> None:
        self.model = model.to(device)
        self.schedule = schedule
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.0)
        self.ema = EMA(self.model, ema_decay)
        self.cfg_dropout, self.gamma = cfg_dropout, min_snr_gamma
        self.class_names, self.image_size, self.device = class_names, image_size, device

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.model.train()
        x0 = batch["image"][:, None] * 2 - 1
        t = distributed.randint(self.schedule.num_steps, len(x0), x0.device)
        noise = distributed.randn_like(x0)
        x_t = self.schedule.q_sample(x0, t, noise)
        labels = None
        if self.model.num_classes:
            labels = batch["label"].clone()
            drop = distributed.rand(len(labels), labels.device) < self.cfg_dropout
            labels[drop] = self.model.num_classes
        out = self.model(x_t, t, labels)
        per_sample = F.mse_loss(out, self.schedule.target(x0, t, noise), reduction="none")
        weight = self.schedule.loss_weight(t, self.gamma).to(x0.device)
        loss = (per_sample.mean(dim=(1, 2, 3)) * weight).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.ema.update(self.model)
        return {"loss": loss.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        n_per = 8
        classes = max(self.model.num_classes, 1)
        gen = torch.Generator().manual_seed(1234)  # fixed noise: grids are comparable per epoch
        noise = torch.randn(classes * n_per, 1, self.image_size, self.image_size, generator=gen)
        labels = None
        if self.model.num_classes:
            labels = torch.arange(classes).repeat_interleave(n_per).to(self.device)
        x = denoise(
            self.ema.shadow,
            self.schedule,
            DDIMSampler(self.schedule),
            noise.to(self.device),
            labels=labels,
            num_steps=20,
            guidance_scale=2.0 if labels is not None else 1.0,
            generator=gen,
        )
        images = ((x[:, 0].cpu().numpy() + 1) / 2).astype(np.float32)
        write_class_grid(
            images, labels, self.class_names, run.figures / f"samples_epoch{epoch:04d}.png"
        )
        return {}


class NoisyClassifierTask(ImageTask):
    """Trains p(y | x_t, t) on the forward chain, for classifier guidance."""

    checkpointed = ("model", "opt")
    kind = "noisy-classifier"

    def __init__(
        self,
        classifier: NoisyClassifier,
        schedule: NoiseSchedule,
        lr: float,
        device: torch.device | str,
    ) -> None:
        self.model = classifier.to(device)
        self.schedule = schedule
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=1e-4)

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.model.train()
        x0 = batch["image"][:, None] * 2 - 1
        t = distributed.randint(self.schedule.num_steps, len(x0), x0.device)
        x_t = self.schedule.q_sample(x0, t, distributed.randn_like(x0))
        loss = F.cross_entropy(self.model(x_t, t), batch["label"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return {"loss": loss.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        return {}
