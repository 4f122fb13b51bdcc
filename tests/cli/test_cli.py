"""The CLI lists its commands, runs the demo, and turns bad input into one clear line."""

import json

import numpy as np
import pytest

from radgen.io import MedicalImage, write_dicom_series


def test_help_lists_the_commands(cli):
    code, out, _ = cli("--help")
    assert code == 0
    for command in ("demo", "doctor", "image", "info", "text", "kb", "models", "deid", "data"):
        assert command in out


def test_demo_runs_the_story_and_refuses_to_overwrite(cli, tmp_path):
    code, out, err = cli(
        "demo", "--out", tmp_path / "demo", "--minutes", "0.1", "--n", "40", "--tstr-steps", "20"
    )
    assert code == 0, err
    assert "1214" in out and "domain FID" in out
    root = tmp_path / "demo"
    assert (root / "figures" / "real_montage.png").stat().st_size > 1000
    assert (root / "samples" / "grid.png").exists() and (root / "eval" / "report.md").exists()
    fields = json.loads((root / "report" / "structured.json").read_text())
    assert fields["CARDIOMEGALY"] != "Not mentioned."  # the sample report, structured
    assert (root / "report" / "patient.txt").read_text().strip()
    assert "reading grade" in out and "grounding guard" in out
    code, _, err = cli("demo", "--out", root)
    assert code == 2 and "--overwrite" in err


@pytest.fixture
def no_shared_data(tmp_path, monkeypatch):
    """An empty shared-data folder, as on a user's machine: the doctor tests read no
    developers' data and must read the same on a bare clone."""
    monkeypatch.setenv("RADGEN_SHARED_DATA", str(tmp_path))


def test_doctor_reports_assets_and_device(cli, no_shared_data):
    code, out, _ = cli("doctor")
    assert code == 0 and "pneumoniamnist" in out and "device" in out


def test_doctor_says_what_optional_data_and_models_enable(cli, no_shared_data, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = cli("doctor")
    assert code == 0
    assert "shared data" in out and "absent (developers only)" in out
    assert "phi-tagger" in out and "enables" in out and "mni152" in out


def test_info_reads_real_dicom(cli, dicom_dir):
    code, out, _ = cli("info", dicom_dir / "693_UNCI.dcm")
    assert code == 0 and "CT" in out and "synthetic False" in out


def _two_series(root):
    write_dicom_series(MedicalImage(np.zeros((4, 4, 2), np.float32)), root / "a")
    write_dicom_series(MedicalImage(np.ones((4, 4, 2), np.float32)), root / "b")
    for f in (root / "b").iterdir():
        f.rename(root / "a" / f"b_{f.name}")
    return root / "a"


def _nan_nifti(root):
    import nibabel as nib

    nib.save(nib.Nifti1Image(np.full((3, 3, 3), np.nan, np.float32), np.eye(4)), root / "n.nii")
    return root / "n.nii"


def _corrupt(root):
    (root / "c.dcm").write_bytes(b"DICM" * 10)
    return root / "c.dcm"


def _text(root):
    (root / "r.txt").write_text("report")
    return root / "r.txt"


def _empty(root):
    (root / "empty").mkdir()
    return root / "empty"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_corrupt, "DICOM"),
        (_text, "unsupported file type"),
        (_empty, "empty"),
        (_two_series, "mismatched series"),
        (_nan_nifti, "NaN"),
        (lambda root: root / "nowhere.nii.gz", "no such file"),
    ],
)
def test_bad_input_gives_one_clear_line(cli, tmp_path, make, message):
    path = make(tmp_path)
    code, _, err = cli("info", path)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert message in lines[0] and path.name in lines[0]
    assert "Traceback" not in err


def test_debug_shows_the_traceback(cli, tmp_path):
    with pytest.raises(Exception, match="no such file"):
        cli("--debug", "info", tmp_path / "nowhere.nii.gz")


def test_invalid_config_is_one_line(cli, tmp_path):
    code, _, err = cli("image", "train", "--model", "classifier", "--out", tmp_path / "r")
    assert code == 2 and "steps or minutes" in err and len(err.strip().splitlines()) == 1


def test_every_train_setting_is_reachable(cli, tmp_path):
    import yaml

    cfg = tmp_path / "train.yaml"
    cfg.write_text(yaml.safe_dump({"model": "ddpm", "steps": 1, "width": 8,
                                   "diffusion": {"schedule": "linear", "timesteps": 50}}))  # fmt: skip
    code, _, err = cli("image", "train", "--config", cfg, "--set", "diffusion.min_snr_gamma=3",
                       "--set", "diffusion.cfg_dropout=0.3", "--batch-size", "8", "--device", "cpu",
                       "--out", tmp_path / "run")  # fmt: skip
    assert code == 0, err
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())
    assert saved["diffusion"]["schedule"] == "linear" and saved["diffusion"]["timesteps"] == 50
    assert saved["diffusion"]["min_snr_gamma"] == 3 and saved["diffusion"]["cfg_dropout"] == 0.3
    assert saved["batch_size"] == 8 and saved["width"] == 8
    code, _, err = cli("image", "train", "--set", "nonsense", "--out", tmp_path / "r2")
    assert code == 2 and "key=value" in err
