"""Translation networks: a residual U-Net generator and a PatchGAN discriminator (pix2pix).

The generator predicts a correction added to its input, so an untrained network starts as
the identity: kernel conversion and contrast changes are mostly small, local edits.
Both are fully convolutional: train on crops, translate whole slices.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from radgen.errors import RadgenError
from radgen.image.nets import group_norm


def _down(c_in: int, c_out: int, norm: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1)]
    if norm:
        layers.append(group_norm(c_out))
    return nn.Sequential(*layers, nn.LeakyReLU(0.2, True))


def _up(c_in: int, c_out: int) -> nn.Sequential:
    """Upsample then convolve (no transposed conv: no checkerboard artefacts)."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(c_in, c_out, 3, padding=1),
        group_norm(c_out),
        nn.ReLU(True),
    )


class UNetGenerator(nn.Module):
    """pix2pix U-Net: ``depth`` stride-2 levels, skips at each, output = input + correction.

    ``num_domains > 0`` makes it StarGAN-style: a one-hot target domain is broadcast to
    extra input channels. ``patch > 1`` folds patch x patch pixels into channels first
    (space-to-depth), so a 512 x 512 CT slice costs what a 256 x 256 one would.
    ``linear_kernel > 0`` adds a full-resolution learnable linear filter (one per target
    domain), initialised to the identity, in place of the plain skip: reconstruction kernels
    of one acquisition differ mostly by a linear filter, which this path learns exactly,
    leaving the U-Net the non-linear rest.
    """

    def __init__(
        self,
        width: int = 32,
        depth: int = 4,
        num_domains: int = 0,
        patch: int = 1,
        linear_kernel: int = 0,
    ) -> None:
        super().__init__()
        self.depth, self.num_domains, self.patch = depth, num_domains, patch
        self.linear = None
        if linear_kernel:
            if linear_kernel % 2 == 0:
                raise RadgenError("linear_kernel must be odd")
            n = max(num_domains, 1)
            weight = torch.zeros(n, 1, linear_kernel, linear_kernel)
            weight[:, 0, linear_kernel // 2, linear_kernel // 2] = 1.0
            self.linear = nn.Parameter(weight)
        chans = [min(width * 2**i, width * 8) for i in range(depth)]
        self.stem = nn.Sequential(
            nn.Conv2d((1 + num_domains) * patch**2, width, 3, padding=1), nn.SiLU()
        )
        self.downs = nn.ModuleList(
            _down(c_in, c_out) for c_in, c_out in zip([width, *chans[:-1]], chans, strict=True)
        )
        self.ups = nn.ModuleList()
        for i in reversed(range(depth)):
            c_in = chans[i] if i == depth - 1 else 2 * chans[i]
            c_out = chans[i - 1] if i > 0 else width
            self.ups.append(_up(c_in, c_out))
        self.head = nn.Conv2d(2 * width, patch**2, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    @property
    def multiple(self) -> int:
        """Input sides must be divisible by this (see :func:`pad_to_multiple`)."""
        return self.patch * 2**self.depth

    def forward(self, x: torch.Tensor, domain: torch.Tensor | None = None) -> torch.Tensor:
        if x.shape[-1] % self.multiple or x.shape[-2] % self.multiple:
            raise RadgenError(f"input sides {tuple(x.shape[-2:])} must divide by {self.multiple}")
        h = x
        if self.num_domains:
            if domain is None:
                raise RadgenError("a multi-domain generator needs the target domain")
            onehot = F.one_hot(domain, self.num_domains).to(x.dtype)[:, :, None, None]
            h = torch.cat([x, onehot.expand(-1, -1, *x.shape[-2:])], dim=1)
        h = self.stem(F.pixel_unshuffle(h, self.patch) if self.patch > 1 else h)
        skips = [h]
        for down in self.downs:
            h = down(h)
            skips.append(h)
        skips.pop()
        for up in self.ups:
            h = up(h)
            h = torch.cat([h, skips.pop()], dim=1)
        out = self.head(h)
        out = F.pixel_shuffle(out, self.patch) if self.patch > 1 else out
        return self._linear_path(x, domain) + out

    def _linear_path(self, x: torch.Tensor, domain: torch.Tensor | None) -> torch.Tensor:
        if self.linear is None:
            return x
        pad = self.linear.shape[-1] // 2
        filtered = F.conv2d(F.pad(x, (pad,) * 4, mode="replicate"), self.linear)
        if domain is None:
            return filtered[:, :1]
        return filtered.gather(1, domain.view(-1, 1, 1, 1).expand(-1, 1, *x.shape[-2:]))


class PatchDiscriminator(nn.Module):
    """PatchGAN: one real/fake score per overlapping patch (70x70 for 3 layers).

    ``num_domains > 0`` adds StarGAN's auxiliary head classifying the image's domain.
    """

    def __init__(
        self, in_channels: int = 2, width: int = 32, layers: int = 3, num_domains: int = 0
    ) -> None:
        super().__init__()
        blocks: list[nn.Module] = [_down(in_channels, width, norm=False)]
        c = width
        for i in range(1, layers):
            c_next = min(width * 2**i, width * 8)
            blocks.append(_down(c, c_next))
            c = c_next
        self.features = nn.Sequential(
            *blocks, nn.Conv2d(c, c, 4, 1, 1), group_norm(c), nn.LeakyReLU(0.2, True)
        )
        self.score = nn.Conv2d(c, 1, 4, 1, 1)
        self.classify = nn.Conv2d(c, num_domains, 4, 1, 1) if num_domains else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.score(self.features(x))

    def domain_logits(self, x: torch.Tensor) -> torch.Tensor:
        if self.classify is None:
            raise RadgenError("this discriminator has no domain classifier")
        return self.classify(self.features(x)).mean(dim=(2, 3))


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, tuple[int, int]]:
    """Reflect-pad (B, C, H, W) on the bottom/right so both sides divide by ``multiple``."""
    h, w = x.shape[-2:]
    ph, pw = -h % multiple, -w % multiple
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
    return x, (h, w)


def lsgan_loss(scores: torch.Tensor, real: bool) -> torch.Tensor:
    """Least-squares GAN loss (as CycleGAN uses): stabler than the log loss."""
    return F.mse_loss(scores, torch.full_like(scores, 1.0 if real else 0.0))
