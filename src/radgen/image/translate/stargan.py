"""StarGAN-style multi-domain translation (Choi et al. 2018): one generator for all kernels.

The generator gets the target domain as one-hot channels; the discriminator scores realism
and classifies the domain; a reconstruction loss maps the output back to its source. When the
domains are aligned (simulated kernels are), ``lambda_l1`` adds an L1 term to the true target;
set it to 0 for unpaired data.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from radgen.data.pairs import Intensity
from radgen.image.translate.base import TranslationTask, random_crops
from radgen.image.translate.nets import PatchDiscriminator, UNetGenerator, lsgan_loss
from radgen.runs.loop import Batch


class StarGANTask(TranslationTask):
    """Any of ``domains`` -> any other, with one generator."""

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
        lambda_cls: float,
        lambda_rec: float,
        crop: int,
        preview: torch.Tensor,
        device: torch.device | str,
    ) -> None:
        super().__init__(domains, intensity, crop, preview, device)
        self.g, self.d = g.to(device), d.to(device)
        self.multiple = g.multiple
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=lr, betas=(0.5, 0.999))
        self.lambda_l1, self.lambda_cls, self.lambda_rec = lambda_l1, lambda_cls, lambda_rec

    def targets(self) -> tuple[str, ...]:
        return self.domains

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.g.train()
        crops = random_crops(batch["slices"], self.crop)
        n, k = crops.shape[:2]
        rows = torch.arange(n, device=crops.device)
        src = torch.randint(0, k, (n,), device=crops.device)
        tgt = (src + torch.randint(1, k, (n,), device=crops.device)) % k
        x, y = crops[rows, src][:, None], crops[rows, tgt][:, None]
        fake = self.g(x, tgt)
        d_loss = (
            lsgan_loss(self.d(x), True)
            + lsgan_loss(self.d(fake.detach()), False)
            + self.lambda_cls * F.cross_entropy(self.d.domain_logits(x), src)
        )
        self.opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        self.opt_d.step()
        adv = lsgan_loss(self.d(fake), True)
        cls = F.cross_entropy(self.d.domain_logits(fake), tgt)
        rec = F.l1_loss(self.g(fake, src), x)
        l1 = F.l1_loss(fake, y)
        g_loss = adv + self.lambda_cls * cls + self.lambda_rec * rec + self.lambda_l1 * l1
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        return {"d_loss": d_loss.item(), "g_adv": adv.item(), "rec": rec.item(), "l1": l1.item()}

    def _translate(self, x: torch.Tensor, target: int) -> torch.Tensor:
        self.g.eval()
        return self.g(x, torch.full((len(x),), target, dtype=torch.long, device=x.device))
