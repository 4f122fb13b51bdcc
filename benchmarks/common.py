"""Helpers shared by the benchmarks: result files, the reference classifier, label accuracy."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from radgen.data import load_dataset
from radgen.image.classifier import predict_proba
from radgen.image.config import TrainConfig
from radgen.image.train import load_trained, train

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
RUNS = ROOT / "runs"  # model runs made by benchmarks (git-ignored)


def flatten_template(name: str, template: object) -> str:
    """A structured-report template as text: its name with spaces, then one "key: value" line
    per field, a nested object's fields on lines of their own (how ``bench_deid`` shows the
    bundled templates to the de-identifier)."""

    def flat(v: object) -> str:
        if isinstance(v, dict):
            return "\n".join(f"{k.replace('_', ' ')}: {flat(x)}" for k, x in v.items())
        return str(v)

    return f"{name.replace('_', ' ')}\n{flat(template)}"


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def write_result(name: str, data: dict[str, Any], show: bool = True) -> Path:
    """Print the numbers (unless ``show`` is off: a result holding a held-out set's errors)
    and write ``benchmarks/results/NAME.json``."""
    RESULTS.mkdir(exist_ok=True)
    data = {**data, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    if show:
        print(json.dumps(data, indent=2))
    print(f"-> {path}")
    return path


def trained(model: str, name: str, minutes: float, **kw: Any) -> tuple[str, dict[str, Any]]:
    """Train a run for ``minutes`` unless a finished run with that budget is already there."""
    out = RUNS / name
    done = out / "metrics.json"
    if done.exists() and f"minutes: {minutes}" in (out / "config.yaml").read_text():
        return str(out), json.loads(done.read_text())
    cfg = TrainConfig(model=model, minutes=minutes, out=str(out), device="cpu", **kw)
    return str(out), train(cfg, overwrite=True)


def reference_classifier(size: int = 32, steps: int = 1500) -> tuple[torch.nn.Module, float]:
    """A SmallCNN trained on real PneumoniaMNIST train; returns it and its real val accuracy."""
    out = RUNS / f"reference_classifier_{size}"
    if not (out / "metrics.json").exists():
        cfg = TrainConfig(model="classifier", size=size, steps=steps, out=str(out), device="cpu")
        train(cfg, overwrite=True, progress=False)
    _, task, _ = load_trained(str(out), "cpu")
    val = load_dataset("pneumoniamnist", split="val", size=size)
    acc = float((predict_proba(task.model, val.images).argmax(1) == val.labels).mean())
    return task.model.eval(), acc


def label_accuracy(classifier: torch.nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of generated images that the reference classifier gives the requested class."""
    return float((predict_proba(classifier, images).argmax(1) == labels).mean())
