"""The memorization audit, end to end through ``evaluate``: copies injected among genuine
samples of a trained DDPM, on the bundled dataset and on a folder of PNGs written from it.

Copy families (50 each): exact, light noise (sigma 0.02), flipped (half left-right, half
up-down), shifted by 2-3 px with a 3-8 degree turn. Genuine samples must not be flagged.
Thresholds come from the held-out real set only; nothing here was tuned on these copies.
"""

from __future__ import annotations

import shutil
import time

import numpy as np
from scipy.ndimage import rotate, shift

from common import RUNS, trained, write_result
from radgen.data import load_dataset
from radgen.image.sample import SampleConfig, generate
from radgen.io import MedicalImage, write_npz_samples, write_png
from radgen.metrics.evaluate import EvalConfig, evaluate

N_COPIES = 50
N_SAMPLES = 500


def copies(real: np.ndarray, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each family's images and the index of the training image each one copies."""
    rng = np.random.default_rng(seed)
    out = {}
    for family in ("exact", "noisy", "flipped", "shifted"):
        idx = rng.choice(len(real), N_COPIES, replace=False)
        src = real[idx]
        if family == "noisy":
            src = np.clip(src + rng.normal(0, 0.02, src.shape), 0, 1)
        elif family == "flipped":
            src = np.stack([im[:, ::-1] if i % 2 else im[::-1] for i, im in enumerate(src)])
        elif family == "shifted":
            src = np.stack(
                [
                    rotate(
                        shift(im, rng.choice([-3, -2, 2, 3], 2), mode="nearest"),
                        rng.choice([-1, 1]) * rng.uniform(3, 8),
                        reshape=False,
                        mode="nearest",
                    )
                    for im in src
                ]
            )
        out[family] = (src.astype(np.float32), idx)
    return out


def run_input(name: str, real_source: str, real_images: np.ndarray, samples: np.ndarray) -> dict:
    families = copies(real_images, seed=len(name))
    parts = [samples[:N_SAMPLES]] + [imgs for imgs, _ in families.values()]
    synth = np.concatenate(parts)
    work = RUNS / f"memorization_{name}"
    shutil.rmtree(work, ignore_errors=True)
    npz = write_npz_samples(work / "synthetic.npz", synth, np.zeros(len(synth), np.int64))
    config = EvalConfig(
        real=real_source, synthetic=str(npz), labels=False, inception_n=0, out=str(work / "eval")
    )
    t0 = time.perf_counter()
    result = evaluate(config, progress=False)
    seconds = time.perf_counter() - t0
    flagged = {f["index"]: f for f in result["memorization"]["flagged"]}
    out: dict = {
        "sets": result["sets"],
        "false_flag_rate_samples": round(
            sum(i in flagged for i in range(N_SAMPLES)) / N_SAMPLES, 4
        ),
        "seconds": round(seconds, 1),
        "thresholds": {
            k: result["memorization"][k]
            for k in ("threshold", "pixel_threshold", "aligned_threshold")
        },
        "holdout_flagged_fraction": result["memorization"]["holdout_flagged_fraction"],
    }
    start = N_SAMPLES
    for family in families:
        hit = [start + j in flagged for j in range(N_COPIES)]
        out[f"{family}_copy_recall"] = round(float(np.mean(hit)), 4)
        out[f"{family}_transforms"] = sorted(
            {flagged[start + j]["transform"] for j in range(N_COPIES) if hit[j]}
        )[:8]
        start += N_COPIES
    print(name, {k: v for k, v in out.items() if not k.endswith("transforms")})
    return out


def main() -> None:
    run, _ = trained("ddpm", "memorization_ddpm", minutes=10.0, conditional=True)
    cfg = SampleConfig(
        run=run, n=N_SAMPLES, guidance=3.0, steps=50, out=str(RUNS / "memo_s"), device="cpu"
    )
    samples, _, _ = generate(cfg)
    train = load_dataset("pneumoniamnist", split="train", size=32)
    bundled = run_input("bundled", "pneumoniamnist", train.images, samples)

    folder = RUNS / "memorization_folder_real"
    shutil.rmtree(folder, ignore_errors=True)
    subset = train.images[:800]
    for i, im in enumerate(subset):
        pixels = (np.clip(im, 0, 1).T * 255).astype(np.uint8)  # (column, row) like nibabel
        write_png(MedicalImage(pixels), folder / f"img{i:04d}.png", synthetic=False)
    from radgen.data import load_dataset as load

    folder_images = load("folder", path=folder, size=32).images  # as the audit will see them
    user = run_input("folder", str(folder), folder_images, samples)

    write_result(
        "bench_memorization",
        {
            "exact_copy_recall": bundled["exact_copy_recall"],
            "noisy_copy_recall": bundled["noisy_copy_recall"],
            "flipped_copy_recall": bundled["flipped_copy_recall"],
            "shifted_copy_recall": bundled["shifted_copy_recall"],
            "false_flag_rate_samples": bundled["false_flag_rate_samples"],
            "folder_exact_copy_recall": user["exact_copy_recall"],
            "bundled_dataset": bundled,
            "folder": user,
            "samples": f"{N_SAMPLES} DDIM-50 samples (CFG 3) of a 10-minute conditional DDPM",
            "copies_per_family": N_COPIES,
        },
    )


if __name__ == "__main__":
    main()
