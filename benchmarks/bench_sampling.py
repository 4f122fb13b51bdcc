"""Wall time for 256 samples from the conditional DDPM: DDPM 1000 steps vs DDIM 50 and 25.

Uses the run trained by bench_diffusion_train (benchmarks/runs/ddpm_radgen), classifier-free
guidance 3.0 throughout, and reports the requested-class accuracy of each sampler beside its time.
"""

from __future__ import annotations

import time

from common import RUNS, label_accuracy, reference_classifier, write_result
from radgen.errors import RadgenError
from radgen.image.sample import SampleConfig, generate

N = 256


def main() -> None:
    run = RUNS / "ddpm_radgen"
    if not (run / "checkpoints" / "last.pt").exists():
        raise RadgenError("run benchmarks/bench_diffusion_train.py first", run)
    classifier, _ = reference_classifier(32)
    rows = {}
    for name, sampler, steps in (
        ("ddpm1000", "ddpm", 1000),
        ("ddim50", "ddim", 50),
        ("ddim25", "ddim", 25),
    ):
        cfg = SampleConfig(run=str(run), n=N, sampler=sampler, steps=steps, guidance=3.0,
                           batch_size=N, out="unused", device="cpu")  # fmt: skip
        start = time.perf_counter()
        images, labels, _ = generate(cfg)
        seconds = time.perf_counter() - start
        rows[name] = {
            "seconds": round(seconds, 2),
            "accuracy": round(label_accuracy(classifier, images, labels), 4),
        }
        print(name, rows[name])
    write_result(
        "bench_sampling",
        {
            "ddim50_speedup": round(rows["ddpm1000"]["seconds"] / rows["ddim50"]["seconds"], 2),
            "ddim25_speedup": round(rows["ddpm1000"]["seconds"] / rows["ddim25"]["seconds"], 2),
            "samples": N,
            "guidance": 3.0,
            "results": rows,
        },
    )


if __name__ == "__main__":
    main()
