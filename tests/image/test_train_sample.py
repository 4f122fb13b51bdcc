"""Every model trains a few steps through the shared loop, resumes exactly, and samples."""

import json

import numpy as np
import pytest

from radgen.image.config import TrainConfig
from radgen.image.sample import SampleConfig, generate, write_samples
from radgen.image.train import train
from radgen.io import is_synthetic, load_image

TINY = {"batch_size": 8, "width": 8, "checkpoint_every": 2, "log_every": 1, "device": "cpu"}


def _cfg(tmp_path, name, model, **kw):
    base = {**TINY, **kw}
    if model == "ddpm":
        base.setdefault("diffusion", {"mults": (1, 2), "timesteps": 50})
    if model in ("gan", "cgan"):
        base["width"] = 16
    return TrainConfig(model=model, out=str(tmp_path / name), **base)


def _losses(run):
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    return {r["step"]: {k: v for k, v in r.items() if "loss" in k} for r in rows if "step" in r}


@pytest.mark.parametrize(
    ("model", "conditional"), [("ddpm", True), ("cgan", True), ("vae", False), ("ddpm", False)]
)
def test_resume_gives_identical_next_step_losses(tmp_path, model, conditional):
    full = _cfg(tmp_path, "full", model, conditional=conditional, steps=4)
    train(full, progress=False)
    part = _cfg(tmp_path, "part", model, conditional=conditional, steps=2)
    train(part, progress=False)
    resumed = part.model_copy(update={"steps": 4})
    train(resumed, resume=True, progress=False)
    a, b = _losses(tmp_path / "full"), _losses(tmp_path / "part")
    for step in (3, 4):
        assert a[step] == pytest.approx(b[step], rel=1e-6, abs=1e-7), (step, a[step], b[step])
    assert (tmp_path / "full" / "figures" / "losses.png").exists()


def test_ddpm_run_samples_every_format_marked_synthetic(tmp_path):
    cfg = _cfg(tmp_path, "run", "ddpm", conditional=True, steps=2)
    train(cfg, progress=False)
    sample = SampleConfig(run=cfg.out, n=4, steps=3, label="pneumonia", out=str(tmp_path / "s"))
    images, labels, names = generate(sample, progress=False)
    assert images.shape == (4, 32, 32) and images.min() >= 0 and images.max() <= 1
    assert labels.tolist() == [1, 1, 1, 1] and names == ("normal", "pneumonia")
    for fmt in ("npz", "png", "nifti", "dicom"):
        root = write_samples(images, labels, names, tmp_path / fmt, fmt, "test")
        files = [p for p in root.iterdir() if p.suffix not in (".csv", ".json")]
        assert len(files) >= 2, fmt
        assert all(is_synthetic(p) for p in files), fmt
        assert is_synthetic(root / "grid.png")
    back = load_image(tmp_path / "nifti" / "sample_00000.nii.gz").array.T
    np.testing.assert_allclose(back, images[0], atol=1e-6)


def test_sampling_errors_are_clear(tmp_path):
    from radgen.errors import RadgenError

    cfg = _cfg(tmp_path, "vae", "vae", steps=1)
    train(cfg, progress=False)
    with pytest.raises(RadgenError, match="unconditional"):
        generate(SampleConfig(run=cfg.out, n=2, label="normal", out=str(tmp_path / "x")))
    cond = _cfg(tmp_path, "cvae", "vae", conditional=True, steps=1)
    train(cond, progress=False)
    with pytest.raises(RadgenError, match="unknown label"):
        generate(SampleConfig(run=cond.out, n=2, label="fracture", out=str(tmp_path / "y")))
    with pytest.raises(RadgenError, match=r"config\.yaml"):
        generate(SampleConfig(run=str(tmp_path / "nowhere"), n=2, out=str(tmp_path / "z")))
