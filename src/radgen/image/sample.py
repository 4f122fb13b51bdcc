"""``radgen image sample``: draw images from a trained run and write them, marked synthetic."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch
from rich.progress import Progress

from radgen.errors import RadgenError
from radgen.image.config import SampleConfig
from radgen.image.contract import SampleOptions, class_index
from radgen.image.grids import write_class_grid
from radgen.image.train import load_trained
from radgen.io import MedicalImage, save_image, write_npz_samples
from radgen.io.dicom import write_dicom_series


def _labels(
    config: SampleConfig, class_names: tuple[str, ...], conditional: bool
) -> torch.Tensor | None:
    if not conditional:
        if config.label is not None:
            raise RadgenError("this model is unconditional; --label needs a conditional run")
        return None
    if config.label is not None:
        idx = class_index(config.label, class_names)
        return torch.full((config.n,), idx, dtype=torch.long)
    return torch.arange(config.n) % len(class_names)


@torch.no_grad()
def generate(
    config: SampleConfig, progress: bool = True
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """(N, H, W) images in [0, 1], their labels (or None), and the class names."""
    train_cfg, task, class_names = load_trained(config.run, config.device)
    if train_cfg.model in ("classifier", "noisy-classifier"):
        raise RadgenError("this run is a classifier; sample from a vae, gan, cgan or ddpm run")
    labels = _labels(config, class_names, train_cfg.conditional)
    classifier = None
    if config.classifier:
        if train_cfg.model != "ddpm":
            raise RadgenError("classifier guidance needs a ddpm run")
        c_cfg, c_task, _ = load_trained(config.classifier, config.device)
        if c_cfg.model != "noisy-classifier":
            raise RadgenError("--classifier must be a noisy-classifier run", config.classifier)
        if c_cfg.diffusion.timesteps != train_cfg.diffusion.timesteps:
            raise RadgenError("the classifier was trained on a different noise schedule")
        classifier = c_task.model.eval()
    options = SampleOptions(
        sampler=config.sampler,
        steps=config.steps,
        eta=config.eta,
        guidance=config.guidance,
        classifier=classifier,
        classifier_scale=config.classifier_scale,
    )
    gen = torch.Generator().manual_seed(config.seed)
    chunks = []
    with Progress(disable=not progress) as bar:
        job = bar.add_task("sampling", total=config.n)
        for start in range(0, config.n, config.batch_size):
            n = min(config.batch_size, config.n - start)
            y = None if labels is None else labels[start : start + n]
            chunks.append(task.sample(n, y, gen, options))
            bar.update(job, advance=n)
    images = ((torch.cat(chunks)[:, 0].cpu().numpy() + 1) / 2).astype(np.float32)
    return images, None if labels is None else labels.numpy(), class_names


def write_samples(
    images: np.ndarray,
    labels: np.ndarray | None,
    class_names: tuple[str, ...],
    out: str | Path,
    fmt: str,
    note: str,
    overwrite: bool = False,
) -> Path:
    """Write images in ``fmt`` plus ``grid.png`` and ``samples.csv`` (file, label)."""
    root = Path(out)
    if root.exists() and any(root.iterdir()) and not overwrite:
        raise RadgenError("output folder is not empty; pass --overwrite to replace it", root)
    root.mkdir(parents=True, exist_ok=True)
    names = [""] * len(images) if labels is None else [class_names[int(i)] for i in labels]
    if fmt == "npz":
        write_npz_samples(
            root / "samples.npz", images, labels, class_names=class_names, note=note, overwrite=True
        )
        files = [f"samples.npz[{i}]" for i in range(len(images))]
    else:
        files = []
        with Progress() as bar:
            job = bar.add_task(f"writing {fmt}", total=len(images))
            for i, img in enumerate(images):
                image = MedicalImage(img.T.copy())
                if fmt == "png":
                    path = save_image(
                        image, root / f"sample_{i:05d}.png", note=note, overwrite=True
                    )
                elif fmt == "nifti":
                    path = save_image(image, root / f"sample_{i:05d}.nii.gz", overwrite=True)
                else:
                    path = root / f"sample_{i:05d}"
                    write_dicom_series(image, path, note=note, overwrite=True)
                files.append(path.name)
                bar.update(job, advance=1)
    with (root / "samples.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "label"])
        writer.writerows(zip(files, names, strict=True))
    k = min(len(images), 32)
    write_class_grid(
        images[:k], None if labels is None else labels[:k], class_names, root / "grid.png"
    )
    return root
