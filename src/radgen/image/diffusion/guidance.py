"""Guidance: classifier-free (mix conditional and unconditional outputs) and classifier
guidance (a noise-aware classifier's gradient on x_t, scaled into each step)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from radgen.image.nets import group_norm, timestep_embedding


def cfg_combine(cond: torch.Tensor, uncond: torch.Tensor, scale: float) -> torch.Tensor:
    """uncond + scale * (cond - uncond): 0 is unconditional, 1 conditional, >1 guided."""
    return uncond + scale * (cond - uncond)


class NoisyClassifier(nn.Module):
    """p(y | x_t, t): a small CNN whose features are modulated by the timestep embedding."""

    def __init__(self, num_classes: int, width: int = 32) -> None:
        super().__init__()
        self.width = width
        self.time_mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.SiLU())
        chans = [width, 2 * width, 4 * width]
        self.convs, self.norms, self.films = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        ch_in = 1
        for c in chans:
            self.convs.append(nn.Conv2d(ch_in, c, 3, padding=1))
            self.norms.append(group_norm(c))
            self.films.append(nn.Linear(4 * width, 2 * c))
            ch_in = c
        self.head = nn.Linear(ch_in, num_classes)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb = self.time_mlp(timestep_embedding(t, self.width))
        h = x
        for conv, norm, film in zip(self.convs, self.norms, self.films, strict=True):
            scale, shift = film(emb)[:, :, None, None].chunk(2, dim=1)
            h = F.silu(norm(conv(h)) * (1 + scale) + shift)
            h = F.avg_pool2d(h, 2)
        return self.head(h.mean(dim=(2, 3)))


def classifier_grad(
    classifier: nn.Module, x_t: torch.Tensor, t: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """d log p(y | x_t, t) / d x_t, the direction that makes x_t look more like class y."""
    with torch.enable_grad():
        x = x_t.detach().requires_grad_(True)
        logp = F.log_softmax(classifier(x, t), dim=1)
        selected = logp[torch.arange(len(x)), labels].sum()
        return torch.autograd.grad(selected, x)[0]
