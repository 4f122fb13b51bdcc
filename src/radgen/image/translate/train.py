"""Train a translation model from a :class:`TranslateConfig`, and reload a trained run."""

from __future__ import annotations

import json
from typing import Any

import torch

from radgen.data.pairs import PairedSlices, domain_names, load_pairs, parse_slab
from radgen.errors import RadgenError
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.diffusion.unet import DiffusionUNet
from radgen.image.translate.base import TranslationTask
from radgen.image.translate.classical import fit_linear_filter
from radgen.image.translate.config import TranslateConfig
from radgen.image.translate.cyclegan import CycleGANTask
from radgen.image.translate.nets import PatchDiscriminator, UNetGenerator
from radgen.image.translate.palette import PaletteTask
from radgen.image.translate.pix2pix import Pix2PixTask
from radgen.image.translate.stargan import StarGANTask
from radgen.runs import RunDir, load_checkpoint, resolve_device, seed_everything
from radgen.runs.loop import BatchStream, LoopSettings, train_loop


def load_translation_data(config: TranslateConfig, split: str = "train") -> PairedSlices:
    """The configured domains; with a held-out slab, only its train (or test) slices."""
    slab = parse_slab(config.holdout_slab) if config.holdout_slab else None
    return load_pairs(
        config.pairs,
        config.domain_list(domain_names(config.pairs)),
        intensity=config.intensity,
        split=split if slab else "all",  # type: ignore[arg-type]
        slab=slab,
    )


def build_translation_task(
    config: TranslateConfig,
    domains: tuple[str, ...],
    intensity: str,
    preview: torch.Tensor,
    device: torch.device,
) -> TranslationTask:
    """The model's networks and training task (used to train and to reload)."""
    common = {
        "domains": domains,
        "intensity": intensity,
        "crop": config.crop,
        "preview": preview,
        "device": device,
        "lr": config.lr,
    }
    w, depth, p, lk = config.width, config.depth, config.patch, config.linear_kernel
    if config.model == "pix2pix":
        return Pix2PixTask(
            UNetGenerator(w, depth, patch=p, linear_kernel=lk),
            PatchDiscriminator(2, w),
            lambda_l1=config.lambda_l1,
            **common,
        )
    if config.model == "cyclegan":
        return CycleGANTask(
            UNetGenerator(w, depth, patch=p, linear_kernel=lk),
            UNetGenerator(w, depth, patch=p, linear_kernel=lk),
            PatchDiscriminator(1, w),
            PatchDiscriminator(1, w),
            lambda_cycle=config.lambda_cycle,
            lambda_identity=config.lambda_identity,
            **common,
        )
    if config.model == "stargan":
        k = len(domains)
        if k < 2:
            raise RadgenError("stargan needs at least two domains")
        return StarGANTask(
            UNetGenerator(w, depth, num_domains=k, patch=p, linear_kernel=lk),
            PatchDiscriminator(1, w, num_domains=k),
            lambda_l1=config.lambda_l1,
            lambda_cls=config.lambda_cls,
            lambda_rec=config.lambda_rec,
            **common,
        )
    unet = DiffusionUNet(
        width=2 * w, mults=(1, 2, 4), attention_levels=(False, False, True),
        cond_channels=1, patch=2,
    )  # fmt: skip
    schedule = NoiseSchedule("cosine", config.timesteps, "v")
    return PaletteTask(unet, schedule, ema_decay=0.999, sample_steps=config.sample_steps, **common)


def train_translation(
    config: TranslateConfig, *, resume: bool = False, overwrite: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train (or resume) a translation run; returns the summary written to ``metrics.json``."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    config = run.start(config, resume=resume)
    seed_everything(config.seed)
    device = resolve_device(config.device)
    data = load_translation_data(config, "train")
    info = {
        "domains": list(data.domains),
        "intensity": data.intensity,
        "slices": data.indices.tolist(),
        "shape": list(data.slices.shape),
    }
    run.write_json("dataset.json", info)
    slices = torch.as_tensor(data.slices)
    preview = slices[len(slices) // 2 : len(slices) // 2 + 1]
    task = build_translation_task(config, data.domains, data.intensity, preview, device)
    if config.linear_kernel and config.model == "pix2pix" and not resume:
        _init_linear_path(task, data, config.linear_kernel)  # type: ignore[arg-type]
    stream = BatchStream({"slices": slices}, config.batch_size, config.seed, device)
    settings = LoopSettings(
        config.steps, config.minutes, config.checkpoint_every, config.log_every, progress
    )
    run.logger().info(
        "training %s on %s (%d slices, domains %s) on %s",
        config.model, config.pairs, len(slices), data.domains, device,
    )  # fmt: skip
    return train_loop(task, stream, run, settings, resume=resume)


def _init_linear_path(task: Pix2PixTask, data: PairedSlices, size: int) -> None:
    """Start the generator's linear path at the least-squares filter from source to target
    on the training slices: the U-Net then learns only what no linear filter can."""
    kernel = fit_linear_filter(data.slices[:, 0], data.slices[:, 1], size)
    assert task.g.linear is not None
    with torch.no_grad():
        task.g.linear.copy_(torch.as_tensor(kernel)[None, None])


def load_translator(run_dir: str, device: str = "auto") -> tuple[TranslateConfig, TranslationTask]:
    """Rebuild a trained translation run from its config and last checkpoint."""
    run = RunDir(run_dir)
    config = TranslateConfig.model_validate(run.read_config())
    info_path = run.root / "dataset.json"
    if not info_path.exists():
        raise RadgenError("run has no dataset.json; was it trained by train-translate?", run.root)
    info = json.loads(info_path.read_text())
    dev = resolve_device(device)
    preview = torch.zeros(1, len(info["domains"]), 32, 32)
    task = build_translation_task(config, tuple(info["domains"]), info["intensity"], preview, dev)
    task.load_state_dict(load_checkpoint(run.last_checkpoint, map_location=dev)["task"])
    return config, task
