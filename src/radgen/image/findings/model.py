"""The image-findings model: a classifier of one finding (PneumoniaMNIST: pneumonia / opacity
against normal), calibrated probabilities, two operating thresholds, and Grad-CAM saliency.

Training goes through the shared loop on 90% of the training split; the other 10% (never
trained on) sets the temperature and the thresholds; the validation split is only reported.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from radgen.errors import RadgenError
from radgen.image.classifier import SmallCNN
from radgen.image.findings.calibration import (
    expected_calibration_error,
    fit_temperature,
    reliability_plot,
    softmax,
)
from radgen.image.findings.config import FindingsConfig

MODEL_FILE = "findings_model.pt"


@dataclass
class FindingsModel:
    """A trained findings model: network, temperature, thresholds and what it assesses."""

    net: SmallCNN
    class_names: tuple[str, ...]
    positive: int
    finding: str
    size: int
    temperature: float = 1.0
    low: float = 0.5  # below: the finding is absent
    high: float = 0.5  # above: present; between: indeterminate
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, images: np.ndarray) -> np.ndarray:
        self.net.eval()
        with torch.no_grad():
            x = torch.as_tensor(images, dtype=torch.float32)[:, None] * 2 - 1
            return self.net(x).numpy().astype(np.float64)

    def probability(self, images: np.ndarray) -> np.ndarray:
        """Calibrated probability of the finding for (N, H, W) images in [0, 1]."""
        return softmax(self.logits(images), self.temperature)[:, self.positive]

    def call(self, p: float) -> str:
        """present, absent, or indeterminate (between the two operating thresholds)."""
        if p >= self.high:
            return "present"
        if p < self.low:
            return "absent"
        return "indeterminate"

    def saliency(self, image: np.ndarray) -> np.ndarray:
        """Grad-CAM of the finding's logit on the last convolutional block, in [0, 1]."""
        self.net.eval()
        x = torch.as_tensor(image, dtype=torch.float32)[None, None] * 2 - 1
        feats = self.net.features[:-2](x)  # before global pooling and flatten
        feats.retain_grad()
        logit = self.net.head(feats.mean(dim=(2, 3)))[0, self.positive]
        logit.backward()
        weights = feats.grad.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * feats).sum(1, keepdim=True))
        cam = F.interpolate(cam, size=image.shape, mode="bilinear", align_corners=False)[0, 0]
        cam = cam.detach().numpy()
        return cam / cam.max() if cam.max() > 0 else cam

    def save(self, path: Path) -> Path:
        state = {
            "net": self.net.state_dict(),
            "width": self.net.head[1].in_features // 4,
            **{k: v for k, v in asdict(self).items() if k != "net"},
        }
        torch.save(state, path)
        return path

    @classmethod
    def load(cls, run: str | Path) -> FindingsModel:
        path = Path(run) / MODEL_FILE if Path(run).is_dir() else Path(run)
        if not path.is_file():
            raise RadgenError(
                "no findings model here; train one with `radgen image findings train`", path
            )
        state = torch.load(path, map_location="cpu", weights_only=False)
        net = SmallCNN(len(state["class_names"]), state["width"])
        net.load_state_dict(state["net"])
        keys = ("class_names", "positive", "finding", "size", "temperature", "low", "high", "meta")
        return cls(net, **{k: state[k] for k in keys})


def thresholds(
    p: np.ndarray, y: np.ndarray, sensitivity: float, specificity: float
) -> tuple[float, float]:
    """(low, high): below ``low`` at most 1 - ``sensitivity`` of the positives fall; above
    ``high`` at most 1 - ``specificity`` of the negatives; between is indeterminate."""
    pos, neg = np.sort(p[y == 1]), np.sort(p[y == 0])
    if len(pos) == 0 or len(neg) == 0:
        raise RadgenError("the calibration split needs both classes")
    low = float(pos[int(np.floor((1 - sensitivity) * len(pos)))])
    high = float(neg[min(len(neg) - 1, int(np.ceil(specificity * len(neg))) - 1)])
    high = max(high, low)
    return low, high


def train_findings(
    config: FindingsConfig, *, overwrite: bool = False, progress: bool = True
) -> dict[str, Any]:
    """Train, calibrate on the held-back part of the training split, write the model and a
    report (AUC, ECE before and after, reliability plots) into ``config.out``."""
    from sklearn.metrics import roc_auc_score

    from radgen.data import load_dataset
    from radgen.image.classifier import ClassifierTask
    from radgen.runs import RunDir, resolve_device, seed_everything
    from radgen.runs.loop import BatchStream, LoopSettings, train_loop

    run = RunDir.create(config.out, overwrite=overwrite)
    run.save_config(config)
    seed_everything(config.seed)
    kw = {"size": config.size, "path": config.data_path, "labels_csv": config.labels_csv}
    data = load_dataset(config.dataset, split="train", **kw)
    if data.labels is None or config.positive not in data.class_names:
        raise RadgenError(f"the dataset needs labels with the class '{config.positive}'")
    positive = data.class_names.index(config.positive)
    perm = np.random.default_rng(config.seed).permutation(len(data))
    n_cal = int(len(data) * config.calibration_fraction)
    cal, fit = perm[:n_cal], perm[n_cal:]
    device = resolve_device(config.device)
    task = ClassifierTask(len(data.class_names), None, 1e-3, 32, device)
    tensors = {
        "image": torch.as_tensor(data.images[fit]),
        "label": torch.as_tensor(data.labels[fit]),
    }
    stream = BatchStream(tensors, 64, config.seed, device)
    train_loop(task, stream, run, LoopSettings(config.steps, config.minutes, 500, 20, progress))
    model = FindingsModel(
        task.model.cpu().eval(), data.class_names, positive, config.finding, config.size
    )
    cal_logits, cal_y = model.logits(data.images[cal]), (data.labels[cal] == positive).astype(int)
    raw = softmax(cal_logits)
    model.temperature = fit_temperature(cal_logits, data.labels[cal])
    p_cal = softmax(cal_logits, model.temperature)[:, positive]
    model.low, model.high = thresholds(p_cal, cal_y, config.sensitivity, config.specificity)
    result: dict[str, Any] = {
        "calibration_images": int(n_cal),
        "training_images": len(fit),
        "temperature": round(model.temperature, 4),
        "thresholds": {"low": round(model.low, 4), "high": round(model.high, 4)},
        "calibration_ece_before": round(expected_calibration_error(raw, data.labels[cal]), 4),
        "calibration_ece_after": round(
            expected_calibration_error(softmax(cal_logits, model.temperature), data.labels[cal]), 4
        ),
    }
    try:
        val = load_dataset(config.dataset, split="val", **kw)
    except RadgenError:
        val = None
    if val is not None and val.labels is not None:
        logits = model.logits(val.images)
        y = val.labels
        prob = softmax(logits, model.temperature)
        result |= {
            "val_images": len(val),
            "val_auc": round(float(roc_auc_score(y == positive, prob[:, positive])), 4),
            "val_ece_before": round(expected_calibration_error(softmax(logits), y), 4),
            "val_ece_after": round(expected_calibration_error(prob, y), 4),
        }
        reliability_plot(
            softmax(logits), y, run.figures / "reliability_before.png", "val, uncalibrated"
        )
        reliability_plot(prob, y, run.figures / "reliability_after.png", "val, calibrated")
    model.meta = {"dataset": config.dataset, **result}
    model.save(run.root / MODEL_FILE)
    run.write_json("findings.json", result)
    (run.root / "report.md").write_text(_report(result, config))
    return result


def _report(r: dict[str, Any], config: FindingsConfig) -> str:
    lines = [
        f"# Findings model: {config.positive} ({config.finding})",
        "",
        f"Trained on {r['training_images']} images; temperature and thresholds set on"
        f" {r['calibration_images']} held-back training images; reported on the validation"
        " split, which was neither trained nor calibrated on.",
        "",
        f"- temperature {r['temperature']}; thresholds: absent below {r['thresholds']['low']},"
        f" present from {r['thresholds']['high']}, indeterminate between (needs review)",
    ]
    if "val_auc" in r:
        lines += [
            f"- validation AUC {r['val_auc']}",
            f"- expected calibration error on validation: {r['val_ece_before']} before,"
            f" {r['val_ece_after']} after temperature scaling",
            "",
            "![before](figures/reliability_before.png) ![after](figures/reliability_after.png)",
        ]
    return "\n".join(lines) + "\n"


def findings_json(model: FindingsModel, p: float) -> dict[str, Any]:
    """What the model says about one image, and what it cannot say."""
    return {
        "preliminary": True,
        "machine_generated": True,
        "model": {
            "finding": model.finding,
            "classes": list(model.class_names),
            "thresholds": {"low": model.low, "high": model.high},
        },
        "findings": {model.finding: {"call": model.call(p), "probability": round(float(p), 4)}},
        "not_assessed": [],
    }


def write_json(obj: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(obj, indent=1))
    return path
