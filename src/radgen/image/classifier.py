"""A small CNN classifier: the downstream model for utility tests and conditional checks."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from radgen.data.dataset import ImageDataset
from radgen.image.contract import ImageTask
from radgen.runs.loop import Batch
from radgen.runs.rundir import RunDir


class SmallCNN(nn.Module):
    """Three conv blocks and a linear head; sized for 28-64 px greyscale images."""

    def __init__(self, num_classes: int, width: int = 32, dropout: float = 0.2) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        ch_in = 1
        for mult in (1, 2, 4):
            ch = width * mult
            layers += [
                nn.Conv2d(ch_in, ch, 3, padding=1),
                nn.BatchNorm2d(ch),
                nn.ReLU(inplace=True),
                nn.Conv2d(ch, ch, 3, padding=1),
                nn.BatchNorm2d(ch),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            ch_in = ch
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(ch_in, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for images scaled to [-1, 1], shaped (B, 1, H, W)."""
        return self.head(self.features(x))


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Class probabilities for (N, H, W) images in [0, 1]."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    for i in range(0, len(images), batch_size):
        x = torch.as_tensor(images[i : i + batch_size], dtype=torch.float32, device=device)
        out.append(F.softmax(model(x[:, None] * 2 - 1), dim=1).cpu().numpy())
    return np.concatenate(out)


class ClassifierTask(ImageTask):
    """Cross-entropy training; reports validation accuracy per epoch."""

    checkpointed = ("model", "opt")
    kind = "classifier"

    def __init__(
        self,
        num_classes: int,
        val: ImageDataset | None,
        lr: float = 1e-3,
        width: int = 32,
        device: torch.device | str = "cpu",
    ) -> None:
        self.model = SmallCNN(num_classes, width).to(device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=1e-4)
        self.val = val

    def train_step(self, batch: Batch) -> dict[str, float]:
        self.model.train()
        x = batch["image"][:, None] * 2 - 1
        loss = F.cross_entropy(self.model(x), batch["label"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return {"loss": loss.item()}

    def on_epoch_end(self, epoch: int, run: RunDir) -> dict[str, float]:
        if self.val is None or self.val.labels is None:
            return {}
        proba = predict_proba(self.model, self.val.images)
        return {"val_accuracy": float((proba.argmax(1) == self.val.labels).mean())}
