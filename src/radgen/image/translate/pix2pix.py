"""pix2pix (Isola et al. 2017): U-Net generator, conditional PatchGAN, L1 to the paired target."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from radgen.data.pairs import Intensity
from radgen.image.translate.base import TranslationTask, random_crops
from radgen.image.translate.nets import PatchDiscriminator, UNetGenerator, lsgan_loss
from radgen.runs.loop import Batch


class Pix2PixTask(TranslationTask):
    """Paired source -> target. ``domains`` is (source, target)."""

    checkpointed = ("g", "d", "opt_g", "opt_d")

    def __init__(
        self,
        g: UNetGenerator,
        d: PatchDiscriminator,
        *,
        domains: tuple[str, ...],
        intensity: Intensity,
        lr: float,
        lambda_l1: float,
        crop: int,
        preview: torch.Tensor,
        device: torch.device | str,
    ) -> None:
        super().__init__(domains, intensity, crop, preview, device)
        self.g, self.d = g.to(device), d.to(device)
        self.multiple = g.multiple
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=lr, betas=(0.5, 0.999))
        self.lambda_l1 = lambda_l1

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.g.train()
        pair = random_crops(batch["slices"], self.crop)
        src, tgt = pair[:, :1], pair[:, 1:2]
        fake = self.g(src)
        d_loss = 0.5 * (
            lsgan_loss(self.d(torch.cat([src, tgt], 1)), True)
            + lsgan_loss(self.d(torch.cat([src, fake.detach()], 1)), False)
        )
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        adv = lsgan_loss(self.d(torch.cat([src, fake], 1)), True)
        l1 = F.l1_loss(fake, tgt)
        g_loss = adv + self.lambda_l1 * l1
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_adv": adv.item(), "l1": l1.item()}

    def _translate(self, x: torch.Tensor, target: int) -> torch.Tensor:
        self.g.eval()
        return self.g(x)
