"""Variational autoencoder: encoder -> (mu, sigma) -> z = mu + sigma * eps -> decoder."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from radgen.image.contract import ImageTask, SampleOptions
from radgen.image.grids import write_class_grid
from radgen.runs import distributed
from radgen.runs.loop import Batch
from radgen.runs.rundir import RunDir


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): sampling that gradients flow through."""
    return mu + torch.exp(0.5 * logvar) * distributed.randn_like(mu)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, I)) per sample, summed over latent dimensions."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


class ConvVAE(nn.Module):
    """A convolutional VAE for 32x32 greyscale images, optionally class-conditional."""

    def __init__(self, latent_dim: int = 32, width: int = 32, num_classes: int = 0) -> None:
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        c = width
        self.encoder = nn.Sequential(
            nn.Conv2d(1 + num_classes, c, 4, 2, 1), nn.SiLU(),  # 16
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.BatchNorm2d(2 * c), nn.SiLU(),  # 8
            nn.Conv2d(2 * c, 4 * c, 4, 2, 1), nn.BatchNorm2d(4 * c), nn.SiLU(),  # 4
            nn.Flatten(),
        )  # fmt: skip
        self.to_stats = nn.Linear(4 * c * 16, 2 * latent_dim)
        self.from_z = nn.Linear(latent_dim + num_classes, 4 * c * 16)
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (4 * c, 4, 4)), nn.BatchNorm2d(4 * c), nn.SiLU(),
            nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1), nn.BatchNorm2d(2 * c), nn.SiLU(),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.BatchNorm2d(c), nn.SiLU(),
            nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh(),
        )  # fmt: skip

    def _onehot(self, y: torch.Tensor | None, n: int, device: torch.device) -> torch.Tensor:
        if not self.num_classes:
            return torch.zeros(n, 0, device=device)
        if y is None:
            raise ValueError("a conditional VAE needs labels")
        return F.one_hot(y, self.num_classes).float()

    def encode(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        onehot = self._onehot(y, len(x), x.device)
        planes = onehot[:, :, None, None].expand(-1, -1, *x.shape[-2:])
        mu, logvar = self.to_stats(self.encoder(torch.cat([x, planes], 1))).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(self.from_z(torch.cat([z, self._onehot(y, len(z), z.device)], 1)))

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x, y)
        return self.decode(reparameterize(mu, logvar), y), mu, logvar

    @torch.no_grad()
    def sample(
        self, n: int, y: torch.Tensor | None = None, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Decode z ~ N(0, I)."""
        device = next(self.parameters()).device
        z = torch.randn(n, self.latent_dim, generator=generator).to(device)
        return self.decode(z, y)

    @torch.no_grad()
    def interpolate(
        self, a: torch.Tensor, b: torch.Tensor, steps: int = 8, y: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Decode the straight line between the latent means of images a and b (1, 1, H, W)."""
        za, zb = self.encode(a, y)[0], self.encode(b, y)[0]
        w = torch.linspace(0, 1, steps, device=za.device)[:, None]
        labels = None if y is None else y.expand(steps)
        return self.decode((1 - w) * za + w * zb, labels)


class VAETask(ImageTask):
    """ELBO training: summed squared error (a Gaussian likelihood) plus beta * KL. Its latent
    is the encoder's mean."""

    checkpointed = ("model", "opt")
    kind = "vae"

    def sample(
        self,
        n: int,
        labels: torch.Tensor | None,
        generator: torch.Generator,
        options: SampleOptions = SampleOptions(),
    ) -> torch.Tensor:
        self.model.eval()
        dev = next(self.model.parameters()).device
        return self.model.sample(n, None if labels is None else labels.to(dev), generator)

    @torch.no_grad()
    def encode(
        self, images: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        self.model.eval()
        return self.model.encode(images, labels)[0]

    @torch.no_grad()
    def decode(
        self, latent: torch.Tensor, labels: torch.Tensor | None, options: SampleOptions
    ) -> torch.Tensor:
        self.model.eval()
        return self.model.decode(latent, labels)

    def __init__(
        self,
        model: ConvVAE,
        lr: float,
        beta: float,
        class_names: tuple[str, ...],
        device: torch.device | str,
    ) -> None:
        self.model = model.to(device)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.beta, self.class_names, self.device = beta, class_names, device

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.model.train()
        x = batch["image"][:, None] * 2 - 1
        y = batch.get("label") if self.model.num_classes else None
        recon, mu, logvar = self.model(x, y)
        rec = F.mse_loss(recon, x, reduction="none").sum(dim=(1, 2, 3)).mean()
        kl = kl_divergence(mu, logvar).mean()
        loss = rec + self.beta * kl
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return {"loss": loss.item(), "recon": rec.item(), "kl": kl.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        self.model.eval()
        classes = max(self.model.num_classes, 1)
        labels = torch.arange(classes).repeat_interleave(8).to(self.device)
        y = labels if self.model.num_classes else None
        x = self.model.sample(len(labels), y, torch.Generator().manual_seed(1234))
        images = ((x[:, 0].cpu().numpy() + 1) / 2).astype(np.float32)
        path = run.figures / f"samples_epoch{epoch:04d}.png"
        write_class_grid(images, y, self.class_names, path)
        return {}
