"""The full evaluation of the best synthesis model (the 15-minute conditional DDPM).

2,000 synthetic images (1,000 per class, DDIM 50, CFG 3.0) against the real PneumoniaMNIST
training set, with the val split as held-out real data for TSTR and for calibration. Times
the evaluation alone (sampling excluded), with and without the slow CPU Inception FID.
Writes the report beside the JSON: benchmarks/results/bench_eval_report/.
"""

from __future__ import annotations

import shutil
import time

from common import RESULTS, RUNS, write_result
from radgen.errors import RadgenError
from radgen.image.sample import SampleConfig, generate, write_samples
from radgen.metrics.evaluate import EvalConfig, evaluate
from radgen.metrics.report import write_report

N = 2000


def main() -> None:
    run = RUNS / "ddpm_radgen"
    if not (run / "checkpoints" / "last.pt").exists():
        raise RadgenError("run benchmarks/bench_diffusion_train.py first", run)
    samples = RUNS / "eval_samples"
    if not (samples / "samples.npz").exists():
        cfg = SampleConfig(
            run=str(run), n=N, guidance=3.0, steps=50, out=str(samples), device="cpu"
        )
        images, labels, names = generate(cfg)
        write_samples(images, labels, names, samples, "npz", "bench_eval", overwrite=True)
    report_dir = RESULTS / "bench_eval_report"
    shutil.rmtree(report_dir, ignore_errors=True)
    config = EvalConfig(
        synthetic=str(samples / "samples.npz"), inception_n=200, out=str(report_dir)
    )
    start = time.perf_counter()
    result = evaluate(config)
    seconds = time.perf_counter() - start
    write_report(result, report_dir)
    d, t, m = result["domain"], result["tstr"], result["memorization"]
    write_result(
        "bench_eval",
        {
            "seconds": round(seconds, 1),
            "seconds_without_inception": round(seconds - result["inception"]["seconds"], 1),
            "n_synthetic": result["n_synthetic"],
            "n_compared": d["n"],
            "fid": round(d["fid"], 4),
            "fid_real_floor": round(d["fid_real_floor"], 4),
            "kid": round(d["kid"], 6),
            "kid_real_floor": round(d["kid_real_floor"], 6),
            "precision": round(d["precision"], 4),
            "recall": round(d["recall"], 4),
            "density": round(d["density"], 4),
            "coverage": round(d["coverage"], 4),
            "precision_real_floor": round(d["precision_real_floor"], 4),
            "recall_real_floor": round(d["recall_real_floor"], 4),
            "inception_fid": round(result["inception"]["fid"], 3),
            "inception_fid_real_floor": round(result["inception"]["fid_real_floor"], 3),
            "inception_n": result["inception"]["n"],
            "ms_ssim_diversity": round(result["ms_ssim_diversity"], 4),
            "ms_ssim_diversity_real_floor": round(result["ms_ssim_diversity_real_floor"], 4),
            "tstr_auc_synthetic": t["synthetic"]["auc"],
            "tstr_auc_real": t["real"]["auc"],
            "tstr_auc_real_plus_synthetic": t["real+synthetic"]["auc"],
            "tstr": t,
            "memorized_fraction": m["memorized_fraction"],
            "memorization": m,
            "outlier_fraction": result["outliers"]["outlier_fraction"],
            "feature_space": result["feature_space"],
            "report": "benchmarks/results/bench_eval_report/report.md",
        },
    )


if __name__ == "__main__":
    main()
