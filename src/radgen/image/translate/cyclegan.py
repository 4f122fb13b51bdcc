"""CycleGAN (Zhu et al. 2017): two generators, two PatchGANs, cycle and identity losses.

It never sees a pair: each step takes domain A and domain B crops from different slices at
different positions, so the pairing in the data is deliberately broken.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from radgen.data.pairs import Intensity
from radgen.image.translate.base import TranslationTask, random_crops
from radgen.image.translate.nets import PatchDiscriminator, UNetGenerator, lsgan_loss
from radgen.runs.loop import Batch


class CycleGANTask(TranslationTask):
    """Unpaired A <-> B. ``domains`` is (A, B); it translates both ways."""

    checkpointed = ("g_ab", "g_ba", "d_a", "d_b", "opt_g", "opt_d")

    def __init__(
        self,
        g_ab: UNetGenerator,
        g_ba: UNetGenerator,
        d_a: PatchDiscriminator,
        d_b: PatchDiscriminator,
        *,
        domains: tuple[str, ...],
        intensity: Intensity,
        lr: float,
        lambda_cycle: float,
        lambda_identity: float,
        crop: int,
        preview: torch.Tensor,
        device: torch.device | str,
    ) -> None:
        super().__init__(domains, intensity, crop, preview, device)
        self.g_ab, self.g_ba = g_ab.to(device), g_ba.to(device)
        self.d_a, self.d_b = d_a.to(device), d_b.to(device)
        self.multiple = g_ab.multiple
        g_params = [*self.g_ab.parameters(), *self.g_ba.parameters()]
        d_params = [*self.d_a.parameters(), *self.d_b.parameters()]
        self.opt_g = torch.optim.Adam(g_params, lr=lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(d_params, lr=lr, betas=(0.5, 0.999))
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity

    def targets(self) -> tuple[str, ...]:
        return self.domains

    def generator_objective(
        self, a: torch.Tensor, b: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Adversarial + cycle + identity loss of both generators, and the fakes made."""
        fake_b, fake_a = self.g_ab(a), self.g_ba(b)
        adv = lsgan_loss(self.d_b(fake_b), True) + lsgan_loss(self.d_a(fake_a), True)
        cycle = F.l1_loss(self.g_ba(fake_b), a) + F.l1_loss(self.g_ab(fake_a), b)
        identity = F.l1_loss(self.g_ab(b), b) + F.l1_loss(self.g_ba(a), a)
        loss = adv + self.lambda_cycle * cycle + self.lambda_identity * identity
        return loss, {"fake_a": fake_a, "fake_b": fake_b, "adv": adv, "cycle": cycle}

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.g_ab.train()
        self.g_ba.train()
        slices = batch["slices"]
        shuffled = slices[torch.randperm(len(slices), device=slices.device)]
        a = random_crops(slices[:, :1], self.crop)
        b = random_crops(shuffled[:, 1:2], self.crop)
        g_loss, parts = self.generator_objective(a, b)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        fake_a, fake_b = parts["fake_a"].detach(), parts["fake_b"].detach()
        d_loss = 0.5 * (
            lsgan_loss(self.d_a(a), True)
            + lsgan_loss(self.d_a(fake_a), False)
            + lsgan_loss(self.d_b(b), True)
            + lsgan_loss(self.d_b(fake_b), False)
        )
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        return {
            "d_loss": d_loss.item(),
            "g_adv": parts["adv"].item(),
            "cycle": parts["cycle"].item(),
        }

    def _translate(self, x: torch.Tensor, target: int) -> torch.Tensor:
        g = self.g_ab if target == 1 else self.g_ba
        g.eval()
        return g(x)
