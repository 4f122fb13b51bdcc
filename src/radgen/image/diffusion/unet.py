"""A small UNet for diffusion on CPU: attention only at the coarsest resolution.

Speed comes from where the parameters sit: most channels live at 8x8 and below, where a
convolution is cheap, and self-attention runs on 64 tokens instead of 256 or 1024.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from radgen.image.nets import group_norm, timestep_embedding


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the embedding as a per-channel scale and shift."""

    def __init__(self, ch_in: int, ch_out: int, emb_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm1, self.conv1 = group_norm(ch_in), nn.Conv2d(ch_in, ch_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * ch_out)
        self.norm2, self.conv2 = group_norm(ch_out), nn.Conv2d(ch_out, ch_out, 3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv2d(ch_in, ch_out, 1) if ch_in != ch_out else nn.Identity()
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.emb(F.silu(emb))[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(self.dropout(F.silu(h)))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    def __init__(self, ch: int, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.norm = group_norm(ch)
        self.qkv = nn.Conv2d(ch, 3 * ch, 1)
        self.out = nn.Conv2d(ch, ch, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).unbind(1)
        att = F.scaled_dot_product_attention(
            q.transpose(-1, -2), k.transpose(-1, -2), v.transpose(-1, -2)
        )
        return x + self.out(att.transpose(-1, -2).reshape(b, c, h, w))


class DiffusionUNet(nn.Module):
    """eps/v-prediction UNet conditioned on timestep and, optionally, a class label.

    ``patch > 1`` folds patch x patch pixels into channels first (space-to-depth), so the
    network works at a quarter of the pixels for patch 2.
    ``num_classes > 0`` adds a label embedding with one extra "null" row used for
    classifier-free guidance. ``cond_channels`` are concatenated to the input (image-to-image).
    """

    def __init__(
        self,
        in_channels: int = 1,
        out_channels: int = 1,
        width: int = 48,
        mults: tuple[int, ...] = (1, 2, 4),
        attention_levels: tuple[bool, ...] = (False, False, True),
        num_classes: int = 0,
        cond_channels: int = 0,
        dropout: float = 0.0,
        patch: int = 1,
    ) -> None:
        super().__init__()
        self.width, self.num_classes, self.patch = width, num_classes, patch
        emb_dim = 4 * width
        self.time_mlp = nn.Sequential(
            nn.Linear(width, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim)
        )
        self.label_emb = nn.Embedding(num_classes + 1, emb_dim) if num_classes else None
        self.stem = nn.Conv2d((in_channels + cond_channels) * patch**2, width, 3, padding=1)
        chans = [width * m for m in mults]
        self.down_blocks, self.down_attn, self.downsample = (
            nn.ModuleList(),
            nn.ModuleList(),
            nn.ModuleList(),
        )
        ch = width
        skips = [ch]
        for i, c in enumerate(chans):
            self.down_blocks.append(ResBlock(ch, c, emb_dim, dropout))
            self.down_attn.append(SelfAttention(c) if attention_levels[i] else nn.Identity())
            ch = c
            skips.append(ch)
            last = i == len(chans) - 1
            self.downsample.append(
                nn.Identity() if last else nn.Conv2d(ch, ch, 3, stride=2, padding=1)
            )
        self.mid1 = ResBlock(ch, ch, emb_dim, dropout)
        self.mid_attn = SelfAttention(ch)
        self.mid2 = ResBlock(ch, ch, emb_dim, dropout)
        self.up_blocks, self.up_attn, self.upsample = (
            nn.ModuleList(),
            nn.ModuleList(),
            nn.ModuleList(),
        )
        for i, c in reversed(list(enumerate(chans))):
            self.up_blocks.append(ResBlock(ch + skips.pop(), c, emb_dim, dropout))
            self.up_attn.append(SelfAttention(c) if attention_levels[i] else nn.Identity())
            ch = c
            self.upsample.append(
                nn.Identity()
                if i == 0
                else nn.Sequential(
                    nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(ch, ch, 3, padding=1)
                )
            )
        self.out = nn.Sequential(group_norm(ch + skips.pop()), nn.SiLU())
        self.head = nn.Conv2d(ch + width, out_channels * patch**2, 3, padding=1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        y: torch.Tensor | None = None,
        cond: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``y`` holds class indices, with ``num_classes`` meaning "no label" (CFG)."""
        emb = self.time_mlp(timestep_embedding(t, self.width))
        if self.label_emb is not None:
            if y is None:
                y = torch.full((len(x),), self.num_classes, device=x.device, dtype=torch.long)
            emb = emb + self.label_emb(y)
        h = x if cond is None else torch.cat([x, cond], dim=1)
        h = self.stem(F.pixel_unshuffle(h, self.patch) if self.patch > 1 else h)
        hs = [h]
        for block, attn, down in zip(
            self.down_blocks, self.down_attn, self.downsample, strict=True
        ):
            h = attn(block(h, emb))
            hs.append(h)
            h = down(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for block, attn, up in zip(self.up_blocks, self.up_attn, self.upsample, strict=True):
            h = attn(block(torch.cat([h, hs.pop()], dim=1), emb))
            h = up(h)
        out = self.head(self.out(torch.cat([h, hs.pop()], dim=1)))
        return F.pixel_shuffle(out, self.patch) if self.patch > 1 else out
