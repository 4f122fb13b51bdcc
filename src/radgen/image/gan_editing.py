"""Editing real images with a trained GAN: invert an image into the generator's latent space,
move along a semantic direction learned from labels, and decode.

- **Inversion**: a latent encoder (a small CNN trained on the generator's own samples to
  return their z) gives the start; the latent is then optimised on pixel error plus a
  domain-feature error (the bundled domain encoder) with a small prior term; optionally the
  generator itself is fine-tuned around that pivot (Roich et al. 2022, "pivotal tuning").
- **Directions**: a linear classifier (logistic regression) on the inverted latents of
  labelled real images; its unit normal is the direction (Shen et al. 2020, InterFaceGAN).
  Moving by ``strength`` class gaps along it edits toward the other class; a negative
  strength is the reverse edit.

Images are (N, 1, H, W) tensors in [-1, 1].
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from radgen.errors import RadgenError
from radgen.image.classifier import SmallCNN


def _check_unconditional(generator: nn.Module) -> None:
    if getattr(generator, "num_classes", 0):
        raise RadgenError("latent directions need an unconditional gan run (a cgan has labels)")


def train_latent_encoder(
    generator: nn.Module, steps: int = 600, batch_size: int = 64, seed: int = 0
) -> nn.Module:
    """A CNN that maps G(z) back to z, trained on the generator's own samples."""
    _check_unconditional(generator)
    gen = torch.Generator().manual_seed(seed)
    encoder = SmallCNN(generator.z_dim, width=32, dropout=0.0)
    dev = next(generator.parameters()).device
    encoder.to(dev)
    opt = torch.optim.Adam(encoder.parameters(), lr=2e-3)
    generator.eval()
    for _ in range(steps):
        z = torch.randn(batch_size, generator.z_dim, generator=gen).to(dev)
        with torch.no_grad():
            x = generator(z)
        loss = F.mse_loss(encoder(x), z)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return encoder.eval()


@dataclass
class Inversion:
    latent: torch.Tensor
    generator: nn.Module
    reconstruction: torch.Tensor


def invert(
    generator: nn.Module,
    images: torch.Tensor,
    encoder: nn.Module | None = None,
    features: nn.Module | None = None,
    steps: int = 200,
    lr: float = 0.05,
    feature_weight: float = 0.1,
    finetune_steps: int = 0,
    finetune_lr: float = 3e-4,
) -> Inversion:
    """Latents (and, with ``finetune_steps``, a generator tuned around them) that reproduce
    ``images``. ``features`` maps images in [-1, 1] to feature vectors (the domain encoder)."""
    _check_unconditional(generator)
    if images.ndim != 4 or images.shape[1] != 1:
        raise RadgenError(f"images must be (N, 1, H, W), got {tuple(images.shape)}")
    generator.eval()
    with torch.no_grad():
        zeros = torch.zeros(len(images), generator.z_dim, device=images.device)
        start = encoder(images) if encoder is not None else zeros
    z = start.detach().clone().requires_grad_(True)
    target_feat = None
    if features is not None:
        with torch.no_grad():
            target_feat = features(images)

    def loss_of(g: nn.Module, latent: torch.Tensor) -> torch.Tensor:
        out = g(latent)
        if out.shape != images.shape:
            raise RadgenError(
                f"the generator makes {tuple(out.shape[-2:])} images; the input is"
                f" {tuple(images.shape[-2:])}"
            )
        loss = F.mse_loss(out, images)
        if target_feat is not None:
            loss = loss + feature_weight * F.mse_loss(features(out), target_feat)
        return loss + 1e-4 * latent.pow(2).mean()

    for p in generator.parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        loss = loss_of(generator, z)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    for p in generator.parameters():
        p.requires_grad_(True)
    z = z.detach()
    tuned = generator
    if finetune_steps:
        tuned = copy.deepcopy(generator).eval()
        opt_g = torch.optim.Adam(tuned.parameters(), lr=finetune_lr)
        for _ in range(finetune_steps):
            loss = loss_of(tuned, z)
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_g.step()
    with torch.no_grad():
        recon = tuned(z)
    return Inversion(z, tuned, recon)


@dataclass
class Direction:
    """A unit direction in latent space and the gap between the class means along it."""

    vector: torch.Tensor
    class_gap: float
    train_accuracy: float

    def move(self, latent: torch.Tensor, strength: float) -> torch.Tensor:
        """``strength`` class gaps along the direction (negative: the reverse edit)."""
        return latent + strength * self.class_gap * self.vector.to(latent.device)


def latent_direction(latents: torch.Tensor, labels: np.ndarray) -> Direction:
    """The normal of a logistic regression separating class 0 from class 1 latents."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels)
    if set(np.unique(y)) != {0, 1}:
        raise RadgenError("a latent direction needs latents of both classes (labels 0 and 1)")
    z = latents.detach().cpu().numpy()
    clf = LogisticRegression(max_iter=2000, C=1.0).fit(z, y)
    w = clf.coef_[0] / np.linalg.norm(clf.coef_[0])
    proj = z @ w
    gap = float(proj[y == 1].mean() - proj[y == 0].mean())
    return Direction(torch.from_numpy(w).float(), gap, float(clf.score(z, y)))
