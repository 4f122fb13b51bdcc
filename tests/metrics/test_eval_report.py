"""``radgen image eval`` end to end on a small synthetic set, Inception FID included."""

import functools
import json

import numpy as np

from radgen.data import load_dataset
from radgen.io import write_npz_samples


def test_eval_writes_report_and_metrics(cli, tmp_path):
    val = load_dataset("pneumoniamnist", split="val", size=32)
    rng = np.random.default_rng(0)
    idx = np.concatenate([np.flatnonzero(val.labels == c)[:30] for c in (0, 1)])
    noise = np.where(val.labels[idx, None, None] == 1, 0.25, 0.05)  # pneumonia made worse
    fake = np.clip(val.images[idx] + rng.normal(0, 1, (60, 32, 32)) * noise, 0, 1)
    path = write_npz_samples(tmp_path / "s.npz", fake, val.labels[idx], class_names=val.class_names)
    out = tmp_path / "eval"
    code, stdout, err = cli(
        "image", "eval", "--synthetic", path, "--inception-n", "6", "--tstr-steps", "30",
        "--out", out,
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("fid", "fid_real_floor", "kid", "precision", "recall", "density", "coverage"):
        assert np.isfinite(metrics["domain"][key]), key
    assert set(metrics["per_class"]) == {"normal", "pneumonia"}
    assert metrics["weakest_class"] == "pneumonia"
    ratios = {k: v["fid_ratio"] for k, v in metrics["per_class"].items()}
    assert ratios["pneumonia"] > ratios["normal"]
    assert set(metrics["tstr"]) == {"real", "synthetic", "real+synthetic"}
    assert metrics["inception"]["n"] == 6 and np.isfinite(metrics["inception"]["fid"])
    assert 0 <= metrics["memorization"]["memorized_fraction"] <= 1
    report = (out / "report.md").read_text()
    assert "real vs real (floor)" in report and "Inception FID" in report
    assert "Weakest class: **`pneumonia`**" in report
    for fig in ("synthetic_grid", "nearest_pairs", "outliers", "pr_curve"):
        assert (out / "figures" / f"{fig}.png").exists()
    assert "domain FID" in stdout


def test_eval_rejects_a_missing_synthetic_set(cli, tmp_path):
    code, _, err = cli(
        "image", "eval", "--synthetic", tmp_path / "none.npz", "--out", tmp_path / "e"
    )
    assert code == 2 and "no such file" in err


def test_sample_chains_into_eval(cli, tmp_path, monkeypatch):
    from radgen.cli import image
    from radgen.image.config import TrainConfig
    from radgen.image.train import train

    # the chain, not Inception FID (tested above; 27 s of CPU here)
    monkeypatch.setattr(image, "EvalConfig", functools.partial(image.EvalConfig, inception_n=0))

    run = tmp_path / "run"
    # unconditional: unlabelled samples, so no TSTR (tested above); this tests the chaining
    cfg = TrainConfig(model="vae", conditional=False, steps=2, width=8, out=str(run), device="cpu")
    train(cfg, progress=False)
    out = tmp_path / "s"
    code, stdout, err = cli("image", "sample", "--run", run, "--n", "40", "--format", "png",
                            "--out", out, "--eval")  # fmt: skip
    assert code == 0, err
    assert (out / "npz" / "samples.npz").exists() and (out / "eval" / "report.md").exists()
    assert "domain FID" in stdout
