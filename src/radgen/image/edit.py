"""``radgen image edit``: edit real images with a trained class-conditional diffusion run.

Methods:
- ``sdedit``: noise to ``strength`` of the chain, denoise toward ``--target`` (CFG 5); by
  default the noise is the image's own (DDIM inversion to that step, with ``--source``'s
  class when given), ``--start random`` draws it (the original SDEdit);
- ``ddim-switch``: DDIM-invert with the image's own class, regenerate with ``--target``
  (the inversion's reconstruction error is reported, so a poor inversion is visible);
- ``inpaint``: RePaint-style filling of ``--mask`` (1 fill, 0 keep); the kept pixels are the
  input's, exactly;
- ``gan-invert`` (an unconditional gan run): latent-encoder start, latent optimisation on
  pixels plus domain features, pivotal tuning; writes the reconstruction and its PSNR;
- ``gan-direction``: the same inversion, then a move of ``--strength`` class gaps along the
  latent direction toward ``--target``, fitted on 400 inverted labelled training images.

Input is one image (PNG, DICOM, NIfTI: the middle slice of a volume) or a folder of them;
output is each edited image, marked SYNTHETIC in every format, plus a before / after /
difference figure, and ``edits.csv`` with what was done.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import torch
from rich.progress import Progress

from radgen.data.geometry import extract_slices, resize
from radgen.data.intensity import percentile_normalise
from radgen.errors import RadgenError
from radgen.image.config import GAN_METHODS, EditConfig
from radgen.image.contract import class_index
from radgen.image.diffusion.editing import check_mask, ddim_invert, ddim_regenerate, repaint, sdedit
from radgen.image.train import load_trained, make_schedule
from radgen.io import MedicalImage, load_image, save_image, write_montage
from radgen.io.load import is_image_file
from radgen.metrics.translation import psnr_db


def _class_index(name: str | None, class_names: tuple[str, ...], what: str) -> int | None:
    return None if name is None else class_index(name, class_names, f"{what} class")


def as_slice(image: MedicalImage) -> np.ndarray:
    """(rows, cols) in [0, 1]: a 2D image, or the middle slice of a volume."""
    array = np.asarray(image.array, dtype=np.float32)
    if array.ndim == 3:
        array = extract_slices(array, 2, np.array([array.shape[2] // 2]))[0]
    elif array.ndim == 2:
        array = array.T  # radgen arrays are (column, row)
    else:
        raise RadgenError(f"editing needs a 2D image or a volume, got {array.ndim}D", image.source)
    if not np.isfinite(array).all():
        raise RadgenError("the image holds NaN or infinite values", image.source)
    return percentile_normalise(array, 0.5, 99.5)


def input_files(path: str | Path) -> list[Path]:
    p = Path(path)
    if not p.exists():
        raise RadgenError("input not found", p)
    if p.is_file():
        return [p]
    files = sorted(f for f in p.iterdir() if is_image_file(f))
    if not files:
        raise RadgenError("no images in the folder (PNG, DICOM or NIfTI)", p)
    return files


def load_mask(path: str | Path, size: int) -> torch.Tensor:
    """A binary (1, 1, size, size) mask from an image file: nonzero pixels are filled."""
    array = as_slice(load_image(path)) > 0
    if not array.any():
        raise RadgenError("the mask is empty: nothing to fill", Path(path))
    resized = resize(array.astype(np.float32), size) > 0.5
    return torch.from_numpy(resized.astype(np.float32))[None, None]


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR of images in [-1, 1], on their [0, 1] scale."""
    return psnr_db(float(((a - b) / 2).pow(2).mean()))


def edit_tensor(
    task, schedule, config: EditConfig, x: torch.Tensor, target, source, mask, gen
) -> tuple[torch.Tensor, dict[str, float]]:
    """One edited batch and what to report about it."""
    net = task.ema.shadow
    dev = x.device
    y = None if target is None else torch.full((len(x),), target, device=dev)
    if config.method == "sdedit":
        y_src = None if source is None else torch.full((len(x),), source, device=dev)
        out = sdedit(
            net,
            schedule,
            x,
            y,
            config.strength,
            config.steps,
            config.guidance_scale(),
            gen,
            start=config.start,
            source_labels=y_src,
        )
        return out, {
            "start": config.start,
            "strength": config.strength,
            "guidance": config.guidance_scale(),
        }
    if config.method == "ddim-switch":
        y_src = torch.full((len(x),), source if source is not None else target, device=dev)
        noise = ddim_invert(net, schedule, x, y_src, config.steps)
        recon = ddim_regenerate(net, schedule, noise, y_src, config.steps, 1.0)
        out = ddim_regenerate(net, schedule, noise, y, config.steps, config.guidance_scale())
        return out, {"inversion_psnr_db": _psnr(recon, x)}
    assert mask is not None
    out = repaint(net, schedule, x, mask.to(dev), y, config.steps, config.resample, 1.0, gen)
    return out, {}


class GanEditor:
    """Inversion (and, for directions, the direction fitted once) for a gan run."""

    def __init__(self, task, train_cfg, config: EditConfig, target: int | None) -> None:
        from radgen.data import load_dataset
        from radgen.image.gan_editing import invert, latent_direction, train_latent_encoder
        from radgen.metrics.domain_encoder import bundled_domain_encoder

        if config.method == "gan-direction" and target is None:
            raise RadgenError("gan-direction needs --target (the class to move toward)")
        if config.strength > 5:
            raise RadgenError("gan-direction strength is in class gaps: 0 to 5")
        self.g = task.ema.shadow.eval()
        self.invert, self.config, self.target = invert, config, target
        self.features = bundled_domain_encoder().module.eval() if train_cfg.size == 32 else None
        steps = config.gan_steps
        self.encoder = train_latent_encoder(self.g, steps=3 * steps, seed=config.seed)
        self.direction = None
        if config.method == "gan-direction":
            data = load_dataset(train_cfg.dataset, split="train", size=train_cfg.size)
            if data.labels is None:
                raise RadgenError("gan-direction needs a labelled training dataset")
            pick = np.random.default_rng(config.seed).permutation(len(data.images))[:400]
            x = torch.from_numpy(data.images[pick] * 2 - 1)[:, None]
            fit = invert(self.g, x, self.encoder, self.features, steps=max(1, 3 * steps // 4))
            self.direction = latent_direction(fit.latent, data.labels[pick])

    def __call__(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        n = self.config.gan_steps
        inv = self.invert(self.g, x, self.encoder, self.features, steps=n, finetune_steps=n // 2)
        extra = {"inversion_psnr_db": _psnr(inv.reconstruction, x)}
        if self.direction is None:
            return inv.reconstruction, extra
        sign = 1.0 if self.target == 1 else -1.0
        with torch.no_grad():
            out = inv.generator(self.direction.move(inv.latent, sign * self.config.strength))
        return out, extra


def run_edit(config: EditConfig, progress: bool = True) -> Path:
    """Edit every input image and write the results; returns the output folder."""
    train_cfg, task, class_names = load_trained(config.run, config.device)
    wanted = "gan" if config.method in GAN_METHODS else "ddpm"
    if train_cfg.model != wanted:
        raise RadgenError(
            f"{config.method} needs a {wanted} run; {config.run} holds a {train_cfg.model}"
        )
    if config.method in ("sdedit", "ddim-switch", "inpaint") and config.strength > 1:
        raise RadgenError(f"{config.method} strength lies in [0, 1], got {config.strength}")
    target = _class_index(config.target, class_names, "target")
    source = _class_index(config.source, class_names, "source")
    if config.method in ("sdedit", "ddim-switch"):
        if not train_cfg.conditional:
            raise RadgenError(f"{config.method} needs a class-conditional ddpm run")
        if target is None:
            raise RadgenError(f"{config.method} needs --target (one of {list(class_names)})")
    if config.method == "inpaint" and config.mask is None:
        raise RadgenError("inpainting needs --mask (an image: nonzero pixels are filled)")
    size = train_cfg.size
    mask = load_mask(config.mask, size) if config.mask else None
    gan = GanEditor(task, train_cfg, config, target) if wanted == "gan" else None
    files = input_files(config.input)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    schedule = make_schedule(train_cfg) if wanted == "ddpm" else None
    gen = torch.Generator().manual_seed(config.seed)
    dev = next(task.ema.shadow.parameters()).device
    rows = []
    with Progress(disable=not progress) as bar:
        job = bar.add_task(f"editing ({config.method})", total=len(files))
        for f in files:
            before = resize(as_slice(load_image(f)), size)
            x = torch.from_numpy(before * 2 - 1)[None, None].to(dev)
            if mask is not None:
                check_mask(mask, x)
            start = time.perf_counter()
            if gan is not None:
                edited, extra = gan(x)
            else:
                edited, extra = edit_tensor(task, schedule, config, x, target, source, mask, gen)
            seconds = time.perf_counter() - start
            after = ((edited[0, 0].cpu().numpy() + 1) / 2).astype(np.float32)
            rows.append(_write(f, before, after, config, out) | extra | {"seconds": seconds})
            bar.update(job, advance=1)
    with (out / "edits.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    return out


def _write(
    source: Path, before: np.ndarray, after: np.ndarray, config: EditConfig, out: Path
) -> dict:
    stem = source.name.split(".")[0]
    note = f"radgen image edit ({config.method}) of {source.name} with {config.run}"
    suffix = {"png": ".png", "nifti": ".nii.gz", "dicom": ""}[config.format]
    path = save_image(
        MedicalImage(after.T.copy()), out / f"{stem}_edited{suffix}", note=note, overwrite=True
    )
    diff = np.abs(after - before)
    write_montage(
        np.stack([before, after, diff / max(float(diff.max()), 1e-8)]),
        out / f"{stem}_before_after_diff.png",
        captions=["before", "after", "difference"],
        ncols=3,
        synthetic=True,
        overwrite=True,
    )
    return {"input": str(source), "output": path.name, "method": config.method}
