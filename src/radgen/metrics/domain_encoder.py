"""radgen's domain encoder: a small CNN trained on the real images themselves.

Inception features describe ImageNet photos; medical-image FID is better judged in a space
learned from medical images. The encoder learns two tasks at once: the dataset's labels (when
there are any) and which of four rotations an image was given, a self-supervised task that
works on unlabelled folders too. Its 128-d pooled features feed every distribution metric.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from rich.progress import Progress
from torch import nn

from radgen.data.dataset import ImageDataset
from radgen.image.classifier import SmallCNN
from radgen.metrics.encoders import INPUT_SIZE_KEY, TorchScriptEncoder
from radgen.runs.loop import BatchStream

BUNDLED_NAME = "domain_encoder_pneumoniamnist.pt"


class _Features(nn.Module):
    def __init__(self, net: SmallCNN) -> None:
        super().__init__()
        self.features = net.features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def train_domain_encoder(
    data: ImageDataset,
    out: str | Path,
    *,
    steps: int = 1500,
    batch_size: int = 64,
    width: int = 32,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Train on ``data`` and save the feature extractor as TorchScript at ``out``."""
    torch.manual_seed(seed)
    n_cls = data.num_classes if data.labels is not None else 0
    net = SmallCNN(max(n_cls, 1) + 4, width)  # class logits, then 4 rotation logits
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    tensors = {"image": torch.as_tensor(data.images)}
    if n_cls:
        tensors["label"] = torch.as_tensor(data.labels)
    stream = BatchStream(tensors, batch_size, seed)
    net.train()
    with Progress(disable=not progress) as bar:
        job = bar.add_task("domain encoder", total=steps)
        for step in range(steps):
            batch = stream.batch(step)
            x = batch["image"][:, None] * 2 - 1
            rot = torch.randint(0, 4, (len(x),))
            x = torch.stack(
                [torch.rot90(img, int(k), dims=(1, 2)) for img, k in zip(x, rot, strict=True)]
            )
            logits = net(x)
            loss = F.cross_entropy(logits[:, -4:], rot)
            if n_cls:
                loss = loss + F.cross_entropy(logits[:, :n_cls], batch["label"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            bar.update(job, advance=1)
    net.eval()
    size = data.images.shape[-1]
    scripted = torch.jit.trace(_Features(net), torch.zeros(2, 1, size, size))
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(scripted, str(path), _extra_files={INPUT_SIZE_KEY: str(size)})
    return path


def bundled_domain_encoder(device: str = "cpu") -> TorchScriptEncoder:
    """The encoder shipped for the bundled PneumoniaMNIST (trained by ``radgen image encoder``)."""
    from radgen.data.registry import bundled_asset

    return TorchScriptEncoder(bundled_asset(BUNDLED_NAME), name="radgen-domain", device=device)
