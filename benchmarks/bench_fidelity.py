"""Image fidelity of the conditional DDPM: where the 15-minute CPU budget goes, which changes
move fidelity on the validation split, and the old and new recipes side by side at 32 px,
then the new recipe at 64 px.

1. Budget: the share of CPU time of each operator kind in training steps (torch profiler),
   at 32 and 64 px.
2. Ablation (the validation split only): each training change gets a short budget
   (RADGEN_ABLATION_MINUTES, default 4) and each sampling change is drawn from those runs.
   Scored by domain FID against the real val images divided by the real floor (FID of as
   many real train images against the same val images), with recall and coverage. A change
   is kept only if it lowers that ratio by 5% or more; the new recipe is the best row.
3. Headline (n = 1,000 per set, RADGEN_BENCH_MINUTES, default 15, of training each): the old
   recipe (defaults, balanced labels, CFG 3.0, as in bench_eval) and the new one, each scored
   by ``radgen image eval`` against the real training set with a real-vs-real floor, per class,
   and TSTR on the val split.
4. 64 px: PneumoniaMNIST upsampled to 64 px, the new recipe's training, the domain encoder
   retrained at 64 px on the real training images. ``--only-64`` adds this stage to a
   result file that has the 32 px stages.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from common import RESULTS, RUNS, trained, write_result
from radgen.data import load_dataset
from radgen.image.config import TrainConfig
from radgen.image.sample import SampleConfig, generate, write_samples
from radgen.image.train import build_task
from radgen.metrics.distribution import frechet_distance, prdc
from radgen.metrics.domain_encoder import bundled_domain_encoder, train_domain_encoder
from radgen.metrics.evaluate import EvalConfig, evaluate
from radgen.runs import seed_everything

BUDGET = float(os.environ.get("RADGEN_BENCH_MINUTES", "15"))
ABLATION_MINUTES = float(os.environ.get("RADGEN_ABLATION_MINUTES", "4"))
N = int(os.environ.get("RADGEN_FIDELITY_N", "1000"))
OLD_GUIDANCE = 3.0
KEEP = 0.95  # a change is kept if it multiplies the val FID ratio by at most this
TRAINING_CHANGES: dict[str, dict[str, Any]] = {
    "default": {},
    "patch 1 (full-resolution UNet)": {"diffusion": {"patch": 1}},
    "width 48": {"width": 48},
}
GUIDANCES = (1.0, 1.5, 3.0)
CLASS_KEYS = ("fid", "fid_real_floor", "fid_ratio", "recall", "coverage", "recall_real_floor",
              "coverage_real_floor")  # fmt: skip


def budget_profile(size: int, steps: int = 6) -> dict[str, Any]:
    """Share of CPU self-time by operator over a few default training steps at ``size``."""
    seed_everything(0)
    data = load_dataset("pneumoniamnist", split="train", size=size)
    cfg = TrainConfig(model="ddpm", conditional=True, size=size, steps=1, out="unused",
                      device="cpu")  # fmt: skip
    task = build_task(cfg, data.class_names, torch.device("cpu"))
    gen = torch.Generator().manual_seed(0)

    def step() -> None:
        idx = torch.randint(0, len(data.images), (cfg.batch_size,), generator=gen)
        task.train_step({"image": torch.as_tensor(data.images[idx]),
                         "label": torch.as_tensor(data.labels[idx])})  # fmt: skip

    step()
    start = time.perf_counter()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    seconds = (time.perf_counter() - start) / steps
    events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    total = sum(e.self_cpu_time_total for e in events)
    top = sorted(events, key=lambda e: -e.self_cpu_time_total)[:8]
    return {
        "seconds_per_step_profiled": round(seconds, 3),
        "top_ops": {e.key: round(e.self_cpu_time_total / total, 3) for e in top},
    }


def draw(run: str, n: int, guidance: float) -> tuple:
    """``n`` samples from ``run``, half per class (the bundled sets are balanced)."""
    cfg = SampleConfig(run=run, n=n, guidance=guidance, steps=50, seed=0, out="unused",
                       device="cpu")  # fmt: skip
    return generate(cfg, progress=False)


def val_scores(f_val: np.ndarray, train_feats: np.ndarray, f_fake: np.ndarray) -> dict[str, float]:
    """Domain FID of samples against the real val images, over the floor of as many real
    training images against the same val images; recall and coverage against val."""
    fid, floor = frechet_distance(f_val, f_fake), frechet_distance(f_val, train_feats)
    scores = prdc(f_val, f_fake)
    return {"val_fid": round(fid, 4), "val_floor": round(floor, 4),
            "val_fid_ratio": round(fid / floor, 3), "val_recall": round(scores["recall"], 4),
            "val_coverage": round(scores["coverage"], 4)}  # fmt: skip


def ablation(val, train) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every training change at every guidance scale; returns the table and the best row."""
    encoder = bundled_domain_encoder()
    rng = np.random.default_rng(0)
    train_feats = encoder(train.images[rng.permutation(len(train))[: len(val)]])
    f_val = encoder(val.images)  # once: every row is scored against the same val features
    rows = []
    for name, change in TRAINING_CHANGES.items():
        run, summary = trained("ddpm", f"fidelity_ablation_{len(rows)}", ABLATION_MINUTES,
                               conditional=True, **change)  # fmt: skip
        for g in GUIDANCES:
            images, _, _ = draw(run, len(val), g)
            row = {"training": name, "guidance": g, "steps": summary["steps"],
                   **val_scores(f_val, train_feats, encoder(images))}  # fmt: skip
            print(row)
            rows.append(row)
    base = next(r for r in rows if r["training"] == "default" and r["guidance"] == OLD_GUIDANCE)
    for r in rows:
        r["ratio_vs_old"] = round(r["val_fid_ratio"] / base["val_fid_ratio"], 3)
        r["kept"] = r["ratio_vs_old"] <= KEEP
    best = min(rows, key=lambda r: r["val_fid_ratio"])
    if not best["kept"]:
        best = base
    return rows, best


def headline(run: str, guidance: float, size: int, out: Path, encoder: str | None = None) -> dict:
    """N samples scored by ``radgen image eval`` against the real training set."""
    images, labels, names = draw(run, N, guidance)
    write_samples(images, labels, names, out, "npz", "bench_fidelity", overwrite=True)
    cfg = EvalConfig(synthetic=str(out / "samples.npz"), size=size, inception_n=0,
                     encoder=encoder, out=str(out / "report"), max_n=N)  # fmt: skip
    result = evaluate(cfg, progress=False)
    d, per_class = result["domain"], result["per_class"]
    weakest = result["weakest_class"]
    return {
        "fid": round(d["fid"], 4),
        "fid_real_floor": round(d["fid_real_floor"], 4),
        "fid_ratio": round(d["fid_ratio"], 3),
        "worst_class": weakest,
        "worst_class_fid_ratio": round(per_class[weakest]["fid_ratio"], 3),
        "per_class": {
            c: {k: round(float(v), 4) for k, v in b.items() if k in CLASS_KEYS}
            for c, b in per_class.items()
        },
        "recall": round(d["recall"], 4),
        "recall_real_floor": round(d["recall_real_floor"], 4),
        "coverage": round(d["coverage"], 4),
        "coverage_real_floor": round(d["coverage_real_floor"], 4),
        "precision": round(d["precision"], 4),
        "tstr_auc": result["tstr"]["synthetic"]["auc"],
        "tstr_auc_real": result["tstr"]["real"]["auc"],
        "memorized_fraction": result["memorization"]["memorized_fraction"],
        "n": d["n"],
    }


def main() -> None:
    t0 = time.monotonic()
    profile = {32: budget_profile(32), 64: budget_profile(64)}
    print("budget", profile)
    train32 = load_dataset("pneumoniamnist", split="train", size=32)
    val32 = load_dataset("pneumoniamnist", split="val", size=32)
    rows, best = ablation(val32, train32)
    new_change = TRAINING_CHANGES[best["training"]]

    old_run, old_summary = trained("ddpm", "fidelity_old_32", BUDGET, conditional=True)
    old = headline(old_run, OLD_GUIDANCE, 32, RUNS / "fidelity_old_32_samples")
    if new_change:
        new_run, new_summary = trained("ddpm", "fidelity_new_32", BUDGET, conditional=True,
                                       **new_change)  # fmt: skip
    else:
        new_run, new_summary = old_run, old_summary
    new = headline(new_run, best["guidance"], 32, RUNS / "fidelity_new_32_samples")
    print("old", old, "\nnew", new)

    result: dict[str, Any] = {
        "fid_ratio_32": new["fid_ratio"],
        "worst_class_fid_ratio_32": new["worst_class_fid_ratio"],
        "recall_32": new["recall"],
        "coverage_32": new["coverage"],
        "tstr_auc_32": new["tstr_auc"],
        "fid_ratio_64": None,
        "seconds_per_step_64": None,
        "seconds_per_step_32": round(new_summary["seconds"] / new_summary["steps"], 3),
        "ablation": rows,
        "new_recipe": {"training_change": best["training"], "guidance": best["guidance"]},
        "old_recipe": {"training_change": "default", "guidance": OLD_GUIDANCE},
        "old_32": old,
        "new_32": new,
        "budget_profile": profile,
        "steps_in_budget": {"old_32": old_summary["steps"], "new_32": new_summary["steps"]},
        "budget_minutes": BUDGET,
        "ablation_minutes": ABLATION_MINUTES,
        "n_per_set": N,
        "feature_space": "radgen domain encoder (bundled at 32 px; retrained on the real"
        " training images at 64 px)",
        "data": "PneumoniaMNIST (28 px, resized to 32 and 64 px; the bundled train and val"
        " splits are class-balanced, and so is every synthetic set); ablation scored on the val"
        " split only; headline FID, recall and coverage against the train split with a"
        " real-vs-real floor, TSTR AUC on the val split",
        "not_measured": "MNI T1/T2 and lung-CT slices at 64 px",
    }
    write_result("bench_fidelity", result)  # the 32 px half survives a failure at 64 px

    stage_64(result, best, t0)


def stage_64(result: dict[str, Any], best: dict[str, Any], t0: float) -> None:
    """The new recipe at 64 px, added to ``result`` (also run alone with ``--only-64``)."""
    new_change = TRAINING_CHANGES[best["training"]]
    train64 = load_dataset("pneumoniamnist", split="train", size=64)
    encoder64 = RUNS / "fidelity_domain_encoder_64.pt"
    if not encoder64.exists():
        train_domain_encoder(train64, encoder64, progress=False)
    run64, summary64 = trained("ddpm", "fidelity_new_64", BUDGET, conditional=True, size=64,
                               **new_change)  # fmt: skip
    at64 = headline(run64, best["guidance"], 64, RUNS / "fidelity_new_64_samples",
                    encoder=str(encoder64))  # fmt: skip
    result |= {
        "fid_ratio_64": at64["fid_ratio"],
        "seconds_per_step_64": round(summary64["seconds"] / summary64["steps"], 3),
        "new_64": at64,
        "total_minutes": round((time.monotonic() - t0) / 60, 1),
    }
    result["steps_in_budget"]["new_64"] = summary64["steps"]
    write_result("bench_fidelity", result)


if __name__ == "__main__":
    if "--only-64" in sys.argv:  # the 32 px stages already written: add the 64 px stage
        done = json.loads((RESULTS / "bench_fidelity.json").read_text())
        best = {"training": done["new_recipe"]["training_change"],
                "guidance": done["new_recipe"]["guidance"]}  # fmt: skip
        done.pop("machine", None), done.pop("date", None)
        stage_64(done, best, time.monotonic())
    else:
        main()
