"""DCGAN and conditional GAN for 32x32 images: spectral-norm projection discriminator,
hinge loss, EMA generator and a per-epoch mode-collapse monitor."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from radgen.image.contract import ImageTask, SampleOptions
from radgen.image.ema import EMA
from radgen.image.grids import write_class_grid
from radgen.runs import distributed
from radgen.runs.loop import Batch
from radgen.runs.rundir import RunDir

COLLAPSE_RATIO = 0.35


class Generator(nn.Module):
    """z (and a label embedding, when conditional) -> 4x4 -> 8 -> 16 -> 32 image in [-1, 1]."""

    def __init__(self, z_dim: int = 128, width: int = 64, num_classes: int = 0) -> None:
        super().__init__()
        self.z_dim, self.num_classes = z_dim, num_classes
        self.label_emb = nn.Embedding(num_classes, z_dim) if num_classes else None
        c = width
        in_dim = z_dim * (2 if num_classes else 1)
        self.fc = nn.Sequential(nn.Linear(in_dim, 4 * c * 16), nn.Unflatten(1, (4 * c, 4, 4)))
        self.net = nn.Sequential(
            nn.BatchNorm2d(4 * c), nn.ReLU(True),
            nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1), nn.BatchNorm2d(2 * c), nn.ReLU(True),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.BatchNorm2d(c), nn.ReLU(True),
            nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.BatchNorm2d(c // 2), nn.ReLU(True),
            nn.Conv2d(c // 2, 1, 3, padding=1), nn.Tanh(),
        )  # fmt: skip

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.label_emb is not None:
            if y is None:
                raise ValueError("a conditional generator needs labels")
            z = torch.cat([z, self.label_emb(y)], dim=1)
        return self.net(self.fc(z))


class Discriminator(nn.Module):
    """Spectral-norm conv net; conditional via a projection term <embed(y), features>."""

    def __init__(self, width: int = 64, num_classes: int = 0) -> None:
        super().__init__()
        c = width
        self.features = nn.Sequential(
            spectral_norm(nn.Conv2d(1, c, 3, 1, 1)), nn.LeakyReLU(0.2, True),
            spectral_norm(nn.Conv2d(c, c, 4, 2, 1)), nn.LeakyReLU(0.2, True),  # 16
            spectral_norm(nn.Conv2d(c, 2 * c, 4, 2, 1)), nn.LeakyReLU(0.2, True),  # 8
            spectral_norm(nn.Conv2d(2 * c, 4 * c, 4, 2, 1)), nn.LeakyReLU(0.2, True),  # 4
        )  # fmt: skip
        self.linear = spectral_norm(nn.Linear(4 * c, 1))
        self.embed = spectral_norm(nn.Embedding(num_classes, 4 * c)) if num_classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x).sum(dim=(2, 3))
        out = self.linear(h)[:, 0]
        if self.embed is not None:
            if y is None:
                raise ValueError("a conditional discriminator needs labels")
            out = out + (self.embed(y) * h).sum(dim=1)
        return out


def sample_diversity(images: torch.Tensor) -> float:
    """Mean pairwise L2 distance between flattened images: falls towards 0 on mode collapse."""
    flat = images.flatten(1).float()
    d = torch.cdist(flat, flat)
    n = len(flat)
    return float(d.sum() / (n * (n - 1)))


class GANTask(ImageTask):
    """Hinge-loss GAN training (TTUR Adam), EMA generator, diversity logged every epoch."""

    checkpointed = ("g", "d", "opt_g", "opt_d", "ema")
    kind = "gan"

    @torch.no_grad()
    def sample(
        self,
        n: int,
        labels: torch.Tensor | None,
        generator: torch.Generator,
        options: SampleOptions = SampleOptions(),
    ) -> torch.Tensor:
        net = self.ema.shadow
        dev = next(net.parameters()).device
        z = torch.randn(n, self.g.z_dim, generator=generator).to(dev)
        return net(z, None if labels is None else labels.to(dev))

    def __init__(
        self,
        generator: Generator,
        discriminator: Discriminator,
        *,
        lr: float,
        ema_decay: float,
        real_reference: torch.Tensor,
        class_names: tuple[str, ...],
        device: torch.device | str,
    ) -> None:
        self.g, self.d = generator.to(device), discriminator.to(device)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=lr, betas=(0.0, 0.9))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=2 * lr, betas=(0.0, 0.9))
        self.ema = EMA(self.g, ema_decay)
        self.real_diversity = sample_diversity(real_reference[:, None] * 2 - 1)
        self.class_names, self.device = class_names, device

    def _labels(self, batch: Batch) -> torch.Tensor | None:
        return batch["label"] if self.g.num_classes else None

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.g.train()
        real = batch["image"][:, None] * 2 - 1
        y = self._labels(batch)
        z = distributed.randn_like(torch.empty(len(real), self.g.z_dim, device=real.device))
        fake = self.g(z, y)
        d_loss = F.relu(1 - self.d(real, y)).mean() + F.relu(1 + self.d(fake.detach(), y)).mean()
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        g_loss = -self.d(fake, y).mean()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        self.ema.update(self.g)
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}

    @torch.no_grad()
    def generate(self, n: int, labels: torch.Tensor | None, seed: int) -> torch.Tensor:
        z = torch.randn(n, self.g.z_dim, generator=torch.Generator().manual_seed(seed))
        return self.ema.shadow(z.to(self.device), labels)

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        classes = max(self.g.num_classes, 1)
        labels = torch.arange(classes).repeat_interleave(32).to(self.device)
        y = labels if self.g.num_classes else None
        x = self.generate(len(labels), y, seed=1234)
        ratio = sample_diversity(x) / max(self.real_diversity, 1e-8)
        if ratio < COLLAPSE_RATIO:
            run.logger().warning(
                "possible mode collapse at epoch %d: sample diversity is %.2f of real", epoch, ratio
            )
        images = ((x[:, 0].cpu().numpy() + 1) / 2).astype(np.float32)
        keep = np.concatenate([np.arange(c * 32, c * 32 + 8) for c in range(classes)])
        labels_kept = None if y is None else y[keep]
        write_class_grid(
            images[keep],
            labels_kept,
            self.class_names,
            run.figures / f"samples_epoch{epoch:04d}.png",
        )
        return {"diversity_ratio": ratio}
