"""Does each conditional model make the class it is asked for?

A SmallCNN trained on real PneumoniaMNIST labels 500 class-conditional samples (250 per class)
from each model: the conditional DDPM after its 15-minute budget (reused from
bench_diffusion_train when present) under classifier-free guidance at several scales and
under classifier guidance (a noise-aware classifier trained here), and the cGAN and the
conditional VAE after a shorter budget (default 8 minutes each, one core each, side by side).
Reports the fraction labelled as the requested class.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from common import RUNS, label_accuracy, reference_classifier, trained, write_result
from radgen.image.sample import SampleConfig, generate

BUDGET = float(os.environ.get("RADGEN_BENCH_MINUTES", "15"))
# The cGAN and cVAE got a shorter budget than the DDPM to fit the benchmark in one session.
GAN_VAE_MINUTES = float(os.environ.get("RADGEN_BENCH_GAN_VAE_MINUTES", "8"))
CLASSIFIER_MINUTES = min(BUDGET, 3.0)
N = 500


def trained_in_parallel(jobs: dict[str, list[str]], minutes: float) -> dict[str, tuple]:
    """Train several runs at once, each pinned to its own core with one thread."""
    procs = {}
    for core, (name, args) in enumerate(jobs.items()):
        out = RUNS / name
        if (out / "metrics.json").exists() and f"minutes: {minutes}" in (
            out / "config.yaml"
        ).read_text():
            continue
        cmd = ["taskset", "-c", str(core % os.cpu_count()), sys.executable, "-m", "radgen.cli.main",
               "image", "train", *args, "--minutes", str(minutes), "--device", "cpu",
               "--out", str(out), "--overwrite"]  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        procs[name] = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    for name, proc in procs.items():
        if proc.wait() != 0:
            raise RuntimeError(f"training {name} failed")
    return {n: (str(RUNS / n), json.loads((RUNS / n / "metrics.json").read_text())) for n in jobs}


def main() -> None:
    classifier, ref_acc = reference_classifier(32)
    results, runs = [], {}
    runs["ddpm"] = trained("ddpm", "ddpm_radgen", BUDGET, conditional=True)
    runs["noisy-classifier"] = trained("noisy-classifier", "noisy_classifier", CLASSIFIER_MINUTES)
    # The GAN and VAE train side by side, one core each, to fit the benchmark in the session.
    parallel = trained_in_parallel(
        {"cgan": ["--model", "cgan"], "cvae": ["--model", "vae", "--conditional"]},
        GAN_VAE_MINUTES,
    )
    runs.update(parallel)

    def measure(model: str, setting: str, **kw) -> None:
        start = time.perf_counter()
        cfg = SampleConfig(run=runs[model][0], n=N, out="unused", device="cpu", **kw)
        images, labels, _ = generate(cfg, progress=False)
        acc = label_accuracy(classifier, images, labels)
        per_class = [
            label_accuracy(classifier, images[labels == c], labels[labels == c]) for c in (0, 1)
        ]
        row = {
            "model": model,
            "setting": setting,
            "accuracy": round(acc, 4),
            "accuracy_normal": round(per_class[0], 4),
            "accuracy_pneumonia": round(per_class[1], 4),
            "sampling_seconds": round(time.perf_counter() - start, 1),
        }
        print(row)
        results.append(row)

    for scale in (1.0, 2.0, 3.0, 5.0):
        measure("ddpm", f"cfg {scale}", guidance=scale, steps=50)
    for scale in (1.0, 3.0, 10.0):
        measure(
            "ddpm",
            f"classifier guidance {scale} (no CFG)",
            guidance=1.0,
            steps=50,
            classifier=runs["noisy-classifier"][0],
            classifier_scale=scale,
        )
    measure("cgan", "EMA generator")
    measure("cvae", "prior samples")

    best = max(results, key=lambda r: r["accuracy"])
    write_result(
        "bench_conditioning",
        {
            "best_conditional_accuracy": best["accuracy"],
            "best_setting": f"{best['model']}: {best['setting']}",
            "results": results,
            "budget_minutes": BUDGET,
            "budget_note": f"ddpm: {BUDGET:g} min on 2 threads (shared with other work, see"
            f" bench_diffusion_train); cgan and cvae: {GAN_VAE_MINUTES:g} min each on one pinned"
            f" core, side by side; noisy classifier: {CLASSIFIER_MINUTES:g} min",
            "training": {
                k: {"steps": v[1]["steps"], "seconds": v[1]["seconds"]} for k, v in runs.items()
            },
            "samples_per_setting": N,
            "reference_classifier_val_accuracy": round(ref_acc, 4),
            "chance": 0.5,
        },
    )


if __name__ == "__main__":
    main()
