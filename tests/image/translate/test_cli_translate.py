"""train-translate and translate end to end: geometry kept, output marked, clear errors."""

import nibabel as nib
import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from radgen.io import MedicalImage, is_synthetic, load_image, write_nifti


@pytest.fixture(scope="module")
def kernel_pairs(tmp_path_factory):
    """A tiny oblique-affine CT and a blurred copy, as a pairs folder."""
    root = tmp_path_factory.mktemp("pairs")
    rng = np.random.default_rng(0)
    body = gaussian_filter(rng.normal(0, 1, (48, 48, 6)), (4, 4, 0)) * 300
    body[:6] = body[-6:] = -1000.0  # air around the body: the data are recognised as CT
    sharp = body + rng.normal(0, 80, body.shape)
    soft = gaussian_filter(sharp, (1.2, 1.2, 0))
    affine = np.array([[0.6, 0.1, 0, -30], [-0.1, 0.6, 0, 20], [0, 0, 5.0, 40], [0, 0, 0, 1]])
    for name, vol in (("sharp", sharp), ("soft", soft), ("standard", (sharp + soft) / 2)):
        write_nifti(
            MedicalImage((vol - 200).astype(np.float32), affine, "CT"),
            root / f"{name}.nii.gz",
            synthetic=False,
        )
    return root


@pytest.fixture(scope="module")
def trained_run(kernel_pairs, tmp_path_factory):
    from radgen.cli.main import main

    out = tmp_path_factory.mktemp("runs") / "p2p"
    args = ["image", "train-translate", "--model", "pix2pix", "--pairs", kernel_pairs, "--source", "sharp",
            "--target", "soft", "--steps", "4", "--crop", "32", "--width", "8", "--batch-size", "2", "--out", out]  # fmt: skip
    assert main([str(a) for a in args]) == 0
    return out


def test_translate_volume_keeps_geometry_and_marks_output(cli, kernel_pairs, trained_run, tmp_path):
    src = kernel_pairs / "sharp.nii.gz"
    out = tmp_path / "soft_pred.nii.gz"
    code, _, err = cli(
        "image", "translate", "--run", trained_run, "--input", src, "--to", "soft", "--out", out
    )
    assert code == 0, err
    a, b = nib.load(src), nib.load(out)
    assert a.shape == b.shape
    np.testing.assert_allclose(a.affine, b.affine, atol=1e-5)
    np.testing.assert_allclose(a.header.get_zooms(), b.header.get_zooms(), atol=1e-5)
    assert is_synthetic(out)
    assert np.isfinite(b.get_fdata()).all()
    assert abs(float(b.get_fdata().mean()) - float(a.get_fdata().mean())) < 100  # still HU


def test_translate_to_dicom_series(cli, kernel_pairs, trained_run, tmp_path):
    code, _, err = cli("image", "translate", "--run", trained_run, "--input", kernel_pairs / "sharp.nii.gz",
                       "--to", "soft", "--out", tmp_path / "dcm")  # fmt: skip
    assert code == 0, err
    files = sorted((tmp_path / "dcm").glob("*.dcm"))
    assert len(files) == 6 and all(is_synthetic(f) for f in files)
    back = load_image(tmp_path / "dcm")
    ref = load_image(kernel_pairs / "sharp.nii.gz")
    np.testing.assert_allclose(back.spacing, ref.spacing, atol=1e-3)


def test_clear_errors_for_4d_input_and_unknown_target(cli, trained_run, tmp_path):
    four_d = tmp_path / "fmri.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((8, 8, 4, 3), np.float32), np.eye(4)), str(four_d))
    code, _, err = cli(
        "image",
        "translate",
        "--run",
        trained_run,
        "--input",
        four_d,
        "--to",
        "soft",
        "--out",
        tmp_path / "o.nii.gz",
    )
    assert code == 2 and "2D slices" in err and "4D" in err
    code, _, err = cli(
        "image",
        "translate",
        "--run",
        trained_run,
        "--input",
        four_d,
        "--to",
        "bone",
        "--out",
        tmp_path / "o.nii.gz",
    )
    assert code == 2 and "translates into" in err


def test_train_translate_refuses_mismatched_pairs_and_resumes(
    cli, kernel_pairs, trained_run, tmp_path
):
    bad = tmp_path / "bad"
    bad.mkdir()
    write_nifti(
        MedicalImage(np.zeros((16, 16, 3), np.float32)), bad / "soft.nii.gz", synthetic=False
    )
    write_nifti(
        MedicalImage(np.zeros((16, 14, 3), np.float32)), bad / "sharp.nii.gz", synthetic=False
    )
    code, _, err = cli("image", "train-translate", "--model", "pix2pix", "--pairs", bad, "--source", "sharp",
                       "--target", "soft", "--steps", "1", "--out", tmp_path / "r")  # fmt: skip
    assert code == 2 and "mismatched pair" in err
    code, _, err = cli("image", "train-translate", "--model", "pix2pix", "--pairs", kernel_pairs, "--source", "sharp",
                       "--target", "soft", "--steps", "6", "--out", trained_run, "--resume")  # fmt: skip
    assert code == 0, err
    assert "resumed at step 4" in (trained_run / "log.txt").read_text()
