"""Forward noising chain q(x_t | x_0): linear and cosine schedules, epsilon and v targets."""

from __future__ import annotations

import math
from typing import Literal

import torch

from radgen.errors import RadgenError

ScheduleName = Literal["linear", "cosine"]
Prediction = Literal["epsilon", "v"]


def make_betas(name: str, num_steps: int) -> torch.Tensor:
    """Per-step noise variances: DDPM's linear 1e-4..0.02, or Nichol & Dhariwal's cosine."""
    if name == "linear":
        scale = 1000 / num_steps
        return torch.linspace(scale * 1e-4, scale * 0.02, num_steps, dtype=torch.float64)
    if name == "cosine":
        s = 0.008
        x = torch.linspace(0, num_steps, num_steps + 1, dtype=torch.float64)
        f = torch.cos(((x / num_steps) + s) / (1 + s) * math.pi / 2) ** 2
        alphas_cumprod = f / f[0]
        return (1 - alphas_cumprod[1:] / alphas_cumprod[:-1]).clamp(max=0.999)
    raise RadgenError(f"unknown noise schedule '{name}'; choose one of ['cosine', 'linear']")


class NoiseSchedule:
    """Closed forms of the forward chain and conversions between network parameterisations."""

    def __init__(self, name: str = "cosine", num_steps: int = 1000, prediction: str = "v") -> None:
        if prediction not in ("epsilon", "v"):
            raise RadgenError(f"unknown prediction '{prediction}'; choose one of ['epsilon', 'v']")
        self.name, self.num_steps, self.prediction = name, num_steps, prediction
        self.betas = make_betas(name, num_steps)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)

    def _ab(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        ab = self.alphas_cumprod.to(like.device)[t].to(like.dtype)
        return ab.view(-1, *([1] * (like.ndim - 1)))

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, in one step."""
        ab = self._ab(t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def target(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """What the network learns to predict: eps, or v = sqrt(abar) eps - sqrt(1-abar) x_0."""
        if self.prediction == "epsilon":
            return noise
        ab = self._ab(t, x0)
        return ab.sqrt() * noise - (1 - ab).sqrt() * x0

    def to_eps_x0(
        self, output: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(eps, x_0) implied by a network output at x_t."""
        ab = self._ab(t, x_t)
        if self.prediction == "epsilon":
            eps = output
            return eps, (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()
        x0 = ab.sqrt() * x_t - (1 - ab).sqrt() * output
        eps = (1 - ab).sqrt() * x_t + ab.sqrt() * output
        return eps, x0

    def x0_from_eps(self, eps: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        ab = self._ab(t, x_t)
        return (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()

    def snr(self, t: torch.Tensor) -> torch.Tensor:
        ab = self.alphas_cumprod.to(t.device)[t]
        return (ab / (1 - ab)).float()

    def loss_weight(self, t: torch.Tensor, gamma: float | None) -> torch.Tensor:
        """Min-SNR-gamma weighting (Hang et al. 2023): stops easy, low-noise steps dominating.

        Expressed for the chosen target so that it equals min(SNR, gamma) on the x_0 error.
        """
        if gamma is None:
            return torch.ones_like(t, dtype=torch.float32)
        snr = self.snr(t)
        clipped = snr.clamp(max=gamma)
        return clipped / snr if self.prediction == "epsilon" else clipped / (snr + 1)
