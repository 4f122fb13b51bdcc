"""The CT kernel simulator: faithful without noise, sharper kernels carry more high frequency."""

import nibabel as nib
import numpy as np
import pytest
from skimage.data import shepp_logan_phantom
from skimage.transform import resize

from radgen.data.ct_kernels import high_frequency_power, simulate_kernels
from radgen.errors import RadgenError
from radgen.io import MedicalImage, is_synthetic, write_nifti


@pytest.fixture(scope="module")
def phantom_hu():
    phantom = resize(shepp_logan_phantom(), (64, 64), anti_aliasing=True)
    return -1000.0 + 2000.0 * phantom  # air outside, soft-tissue-like values inside


def test_noiseless_reconstruction_approximates_the_input(phantom_hu):
    recon = simulate_kernels(phantom_hu, 1.0, ["sharp"], angles=180, dose=None)["sharp"]
    inside = phantom_hu > -900
    assert np.corrcoef(recon[inside], phantom_hu[inside])[0, 1] > 0.95
    flat = np.abs(phantom_hu - phantom_hu[inside].mean())[inside].mean()
    assert np.abs(recon - phantom_hu)[inside].mean() < 0.3 * flat  # far better than no image


def test_sharp_kernel_has_more_high_frequency_power_than_soft(phantom_hu):
    recon = simulate_kernels(phantom_hu, 0.7, ["soft", "standard", "sharp"], angles=120, dose=2e4)
    power = {k: high_frequency_power(v) for k, v in recon.items()}
    assert power["sharp"] > power["standard"] > power["soft"], power


def test_unknown_kernel_and_bad_shape(phantom_hu):
    with pytest.raises(RadgenError, match="choose one of"):
        simulate_kernels(phantom_hu, 1.0, ["B70f"])
    with pytest.raises(RadgenError, match="square"):
        simulate_kernels(phantom_hu[:, :40], 1.0, ["soft"])


def test_cli_writes_aligned_marked_volumes(cli, phantom_hu, tmp_path):
    affine = np.diag([0.7, 0.7, 5.0, 1.0])
    affine[:3, 3] = [-20.0, 10.0, 30.0]
    vol = np.stack([phantom_hu, phantom_hu[::-1]], axis=-1).astype(np.float32)
    src = write_nifti(MedicalImage(vol, affine, "CT"), tmp_path / "ct.nii.gz", synthetic=False)
    code, _, err = cli("data", "ct-kernels", "--input", src, "--out", tmp_path / "k",
                       "--angles", "60", "--kernels", "soft,sharp,bone")  # fmt: skip
    assert code == 0, err
    for k in ("soft", "sharp", "bone"):
        out = tmp_path / "k" / f"{k}.nii.gz"
        assert is_synthetic(out)
        img = nib.load(out)
        assert img.shape == vol.shape
        np.testing.assert_allclose(img.affine, affine)
