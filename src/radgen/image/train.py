"""Train any radgen image model from a :class:`TrainConfig` (the API the CLI calls)."""

from __future__ import annotations

from typing import Any

import torch

from radgen.data import ImageDataset, load_dataset
from radgen.errors import RadgenError
from radgen.image.classifier import ClassifierTask
from radgen.image.config import TrainConfig
from radgen.runs import RunDir, resolve_device, seed_everything
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


def build_task(config: TrainConfig, data: ImageDataset, device: torch.device) -> TrainTask:
    """The model's training task, from its config."""
    if config.model == "classifier":
        if data.labels is None:
            raise RadgenError(f"dataset '{data.name}' has no labels to train a classifier on")
        val = _optional_split(config, "val")
        return ClassifierTask(data.num_classes, val, config.lr, config.width, device)
    raise RadgenError(f"unknown model '{config.model}'")


def _optional_split(config: TrainConfig, split: str) -> ImageDataset | None:
    try:
        return load_training_data(config, split)
    except RadgenError:
        return None


def train(
    config: TrainConfig, *, resume: bool = False, overwrite: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train (or resume) a run; returns the run summary written to ``metrics.json``."""
    run = RunDir.create(config.out, overwrite=overwrite, resume=resume)
    if resume:
        saved = TrainConfig.model_validate(run.read_config())
        config = saved.model_copy(
            update={"steps": config.steps, "minutes": config.minutes, "device": config.device}
        )
    run.save_config(config)
    seed_everything(config.seed)
    device = resolve_device(config.device)
    data = load_training_data(config)
    task = build_task(config, data, device)
    tensors = {"image": torch.as_tensor(data.images)}
    if data.labels is not None:
        tensors["label"] = torch.as_tensor(data.labels)
    stream = BatchStream(tensors, config.batch_size, config.seed, device)
    settings = LoopSettings(
        config.steps, config.minutes, config.checkpoint_every, progress=progress
    )
    run.logger().info(
        "training %s on %s (%d images) on %s", config.model, data.name, len(data), device
    )
    return train_loop(task, stream, run, settings, resume=resume)
