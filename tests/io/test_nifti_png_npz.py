import json

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from radgen.errors import RadgenError
from radgen.io import (
    MedicalImage,
    is_synthetic,
    load_image,
    read_npz_splits,
    save_image,
    write_montage,
    write_nifti,
    write_npz_samples,
    write_png,
)
from radgen.io.synthetic import PNG_KEY, sidecar_path


@pytest.fixture(scope="module")
def mri_crop(bundled):
    t1 = load_image(bundled / "mni152" / "t1.nii.gz")  # real MNI152 T1, 2 mm, in the package
    crop = t1.array[30:50, 35:60, 40:45]
    affine = t1.affine.copy()
    affine[:3, 3] = (t1.affine @ np.array([30, 35, 40, 1]))[:3]
    return MedicalImage(crop.copy(), affine)


def test_real_nifti_round_trip_keeps_spacing_and_orientation(mri_crop, tmp_path):
    path = write_nifti(mri_crop, tmp_path / "crop.nii.gz")
    back = load_image(path)
    np.testing.assert_array_equal(back.array, mri_crop.array)
    np.testing.assert_allclose(back.affine, mri_crop.affine)
    assert back.spacing == pytest.approx((2.0, 2.0, 2.0))
    assert nib.aff2axcodes(back.affine) == nib.aff2axcodes(mri_crop.affine)


def test_nifti_to_dicom_to_nifti_keeps_geometry(mri_crop, tmp_path):
    save_image(mri_crop, tmp_path / "dicom")
    back = load_image(tmp_path / "dicom")
    np.testing.assert_allclose(back.affine, mri_crop.affine, atol=1e-4)
    assert np.abs(back.array - mri_crop.array).max() < 1e-2


@pytest.mark.parametrize("target", ["x.nii.gz", "x.nii", "x.png", "dicom_out"])
def test_every_written_format_carries_the_synthetic_marker(target, tmp_path):
    image = MedicalImage(np.random.default_rng(0).random((16, 12)).astype(np.float32))
    path = save_image(image, tmp_path / target)
    assert is_synthetic(path)


def test_marker_details_per_format(tmp_path):
    image = MedicalImage(
        np.random.default_rng(0).random((16, 12)).astype(np.float32), modality="CT"
    )
    nii = write_nifti(image, tmp_path / "a.nii.gz")
    assert b"SYNTHETIC" in nib.load(nii).header["descrip"].item()
    png = write_png(image, tmp_path / "a.png", note="ddpm sample")
    with Image.open(png) as img:
        assert "SYNTHETIC" in img.info[PNG_KEY]
    assert json.loads(sidecar_path(png).read_text())["synthetic"] is True
    save_image(image, tmp_path / "dcm")
    ds = __import__("pydicom").dcmread(next((tmp_path / "dcm").iterdir()))
    assert "SYNTHETIC" in list(ds.ImageType)
    assert "SYNTHETIC" in ds.ImageComments and "SYNTHETIC" in ds.DerivationDescription
    npz = write_npz_samples(tmp_path / "s.npz", np.zeros((3, 8, 8)), np.array([0, 1, 0]))
    assert is_synthetic(npz)
    montage = write_montage(np.zeros((4, 8, 8)), tmp_path / "m.png", synthetic=True)
    assert is_synthetic(montage)


def test_real_outputs_are_not_marked(tmp_path):
    image = MedicalImage(np.zeros((8, 8), np.float32))
    assert not is_synthetic(write_nifti(image, tmp_path / "r.nii.gz", synthetic=False))
    assert not is_synthetic(write_montage(np.zeros((2, 8, 8)), tmp_path / "r.png"))


def test_png_reads_back_in_dicom_orientation(tmp_path):
    rows_cols = np.zeros((10, 20), np.uint8)
    rows_cols[2, 15] = 255
    Image.fromarray(rows_cols).save(tmp_path / "p.png")
    image = load_image(tmp_path / "p.png")
    assert image.array.shape == (20, 10)  # (column, row)
    assert image.array[15, 2] == 255


def test_medmnist_npz_reads_splits(bundled):
    splits = read_npz_splits(bundled / "pneumoniamnist_trainval.npz")
    images, labels = splits["train"]
    assert images.shape == (2428, 28, 28) and labels.shape == (2428,)
    assert set(np.unique(labels)) == {0, 1}
    stack = load_image(bundled / "pneumoniamnist_trainval.npz")
    assert stack.array.shape == (28, 28, 2428)


def test_nothing_is_overwritten_without_permission(tmp_path):
    image = MedicalImage(np.zeros((4, 4), np.float32))
    write_nifti(image, tmp_path / "a.nii.gz")
    with pytest.raises(RadgenError, match="--overwrite"):
        write_nifti(image, tmp_path / "a.nii.gz")
    write_nifti(image, tmp_path / "a.nii.gz", overwrite=True)
    save_image(image, tmp_path / "d")
    with pytest.raises(RadgenError, match="--overwrite"):
        save_image(image, tmp_path / "d")


def test_nan_volume_is_refused(tmp_path):
    vol = np.full((4, 4, 3), np.nan, np.float32)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path / "nan.nii.gz")
    with pytest.raises(RadgenError, match="NaN"):
        load_image(tmp_path / "nan.nii.gz")


def test_bad_paths_and_files(tmp_path):
    with pytest.raises(RadgenError, match="no such file"):
        load_image(tmp_path / "missing.nii.gz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RadgenError, match="empty"):
        load_image(tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(RadgenError, match="unsupported file type"):
        load_image(tmp_path / "notes.txt")
    (tmp_path / "fake.png").write_text("not a png")
    with pytest.raises(RadgenError, match="not a readable PNG"):
        load_image(tmp_path / "fake.png")
    (tmp_path / "fake.nii.gz").write_bytes(b"\x00" * 100)
    with pytest.raises(RadgenError, match="not a readable NIfTI"):
        load_image(tmp_path / "fake.nii.gz")
