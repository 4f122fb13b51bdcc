"""Train any radgen image model from a :class:`TrainConfig` (the API the CLI calls)."""

from __future__ import annotations

import json
from typing import Any

import torch

from radgen.data import ImageDataset, load_dataset
from radgen.errors import RadgenError
from radgen.image.classifier import ClassifierTask
from radgen.image.config import TrainConfig
from radgen.image.diffusion.guidance import NoisyClassifier
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.diffusion.task import DiffusionTask, NoisyClassifierTask
from radgen.image.diffusion.unet import DiffusionUNet
from radgen.image.gan import Discriminator, GANTask, Generator
from radgen.image.vae import ConvVAE, VAETask
from radgen.runs import RunDir, distributed, resolve_device, seed_everything
from radgen.runs.loop import BatchStream, LoopSettings, TrainTask, train_loop


def load_training_data(config: TrainConfig, split: str = "train") -> ImageDataset:
    """The configured dataset at the configured resolution."""
    return load_dataset(
        config.dataset,
        split=split,
        size=config.size,
        path=config.data_path,
        labels_csv=config.labels_csv,
    )


def make_schedule(config: TrainConfig) -> NoiseSchedule:
    d = config.diffusion
    return NoiseSchedule(d.schedule, d.timesteps, d.prediction)


def build_task(
    config: TrainConfig,
    class_names: tuple[str, ...],
    device: torch.device,
    *,
    val: ImageDataset | None = None,
    real_reference: torch.Tensor | None = None,
) -> TrainTask:
    """The model's networks and training task, from its config (used to train and to reload)."""
    n_cls = len(class_names) if config.conditional else 0
    if config.model == "classifier":
        return ClassifierTask(len(class_names), val, config.lr, config.width, device)
    if config.model == "noisy-classifier":
        net = NoisyClassifier(len(class_names), config.width)
        return NoisyClassifierTask(net, make_schedule(config), config.lr, device)
    if config.model == "ddpm":
        d = config.diffusion
        levels = tuple(i == len(d.mults) - 1 for i in range(len(d.mults)))
        unet = DiffusionUNet(
            width=config.width,
            mults=d.mults,
            attention_levels=levels,
            num_classes=n_cls,
            patch=d.patch,
        )
        return DiffusionTask(
            unet,
            make_schedule(config),
            lr=config.lr,
            cfg_dropout=d.cfg_dropout,
            min_snr_gamma=d.min_snr_gamma,
            ema_decay=d.ema_decay,
            class_names=class_names,
            image_size=config.size,
            device=device,
        )
    if config.model in ("gan", "cgan"):
        if real_reference is None:
            real_reference = torch.zeros(2, config.size, config.size)
        return GANTask(
            Generator(config.gan.z_dim, config.width, n_cls),
            Discriminator(config.width, n_cls),
            lr=config.lr,
            ema_decay=config.gan.ema_decay,
            real_reference=real_reference,
            class_names=class_names,
            device=device,
        )
    if config.model == "vae":
        vae = ConvVAE(config.vae.latent_dim, config.width, n_cls)
        return VAETask(vae, config.lr, config.vae.beta, class_names, device)
    raise RadgenError(f"unknown model '{config.model}'")


def _optional_split(config: TrainConfig, split: str) -> ImageDataset | None:
    try:
        return load_training_data(config, split)
    except RadgenError:
        return None


def train(
    config: TrainConfig, *, resume: bool = False, overwrite: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train (or resume) a run; returns the run summary written to ``metrics.json``.

    ``config.nproc`` > 1 trains data-parallel on that many local processes (gloo on CPU,
    NCCL on GPUs); under ``torchrun`` the ranks come from torchrun instead.
    """
    launched = distributed.from_torchrun()
    if launched is not None:
        rank, world = launched
        distributed.init(rank, world, _ddp_backend(config))
        try:
            if rank == 0:
                config = _start(config, resume, overwrite)
            distributed.barrier()
            return _train(
                RunDir(config.out).start(config, resume=True) if rank else config, resume, progress
            )
        finally:
            distributed.finish()
    config = _start(config, resume, overwrite)
    if config.nproc > 1:
        if _ddp_backend(config) == "nccl" and torch.cuda.device_count() < config.nproc:
            raise RadgenError(
                f"--nproc {config.nproc} needs {config.nproc} GPUs; {torch.cuda.device_count()}"
                " found"
            )
        return distributed.spawn(
            _train, config.nproc, config, resume, progress, backend=_ddp_backend(config)
        )
    return _train(config, resume, progress)


def _ddp_backend(config: TrainConfig) -> str:
    return "nccl" if resolve_device(config.device).type == "cuda" else "gloo"


def _start(config: TrainConfig, resume: bool, overwrite: bool) -> TrainConfig:
    """Create (or reopen) the run directory and save the configuration to run."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    return run.start(config, resume=resume)


def _train(config: TrainConfig, resume: bool, progress: bool) -> dict[str, Any]:
    """One process's training (every rank of a data-parallel run calls this)."""
    run = RunDir(config.out)
    shard = distributed.current()
    seed_everything(config.seed)
    device = resolve_device(config.device)
    if device.type == "cuda" and shard.distributed:
        device = torch.device("cuda", shard.rank)
        torch.cuda.set_device(device)
    data = load_training_data(config)
    if config.needs_labels and data.labels is None:
        raise RadgenError(f"dataset '{data.name}' has no labels; {config.model} needs them")
    if data.images.shape[1:] != (config.size, config.size):
        raise RadgenError(f"images are {data.images.shape[1:]}, expected {config.size} square")
    if shard.main:
        run.write_json("dataset.json", {**data.summary(), "class_names": list(data.class_names)})
    reference = torch.as_tensor(data.images[torch.randperm(len(data))[:64].numpy()])
    task = build_task(
        config,
        data.class_names,
        device,
        val=_optional_split(config, "val") if config.model == "classifier" else None,
        real_reference=reference,
    )
    distributed.average_gradients(
        [v for v in vars(task).values() if isinstance(v, torch.nn.Module)]
    )
    tensors = {"image": torch.as_tensor(data.images)}
    if data.labels is not None:
        tensors["label"] = torch.as_tensor(data.labels)
    stream = BatchStream(tensors, config.batch_size, config.seed, device)
    settings = LoopSettings(
        config.steps, config.minutes, config.checkpoint_every, config.log_every, progress
    )
    if shard.main:
        run.logger().info(
            "training %s on %s (%d images) on %s%s",
            config.model,
            data.name,
            len(data),
            device,
            f", {shard.world} processes" if shard.distributed else "",
        )
    return train_loop(task, stream, run, settings, resume=resume)


def load_trained(
    run_dir: str, device: str = "auto"
) -> tuple[TrainConfig, TrainTask, tuple[str, ...]]:
    """Rebuild a finished (or interrupted) run's task from its config and last checkpoint."""
    from radgen.runs import load_checkpoint

    run = RunDir(run_dir)
    config = TrainConfig.model_validate(run.read_config())
    info_path = run.root / "dataset.json"
    if not info_path.exists():
        raise RadgenError("run has no dataset.json; was it trained by radgen?", run.root)
    class_names = tuple(json.loads(info_path.read_text())["class_names"])
    dev = resolve_device(device)
    task = build_task(config, class_names, dev)
    task.load_state_dict(load_checkpoint(run.last_checkpoint, map_location=dev)["task"])
    return config, task, class_names
