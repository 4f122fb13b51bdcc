import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from radgen.errors import RadgenError
from radgen.io import MedicalImage, load_image, read_dicom_series, write_dicom_series


def test_ct_is_rescaled_to_hounsfield_units():
    path = get_testdata_file("CT_small.dcm")
    ds = pydicom.dcmread(path)
    image = load_image(path)
    expected = ds.pixel_array.astype(np.float32) * float(ds.RescaleSlope) + float(
        ds.RescaleIntercept
    )
    assert image.modality == "CT"
    np.testing.assert_array_equal(image.array, expected.T)
    assert image.array.min() < -800  # air is about -1000 HU, impossible in raw stored values


def test_real_ct_round_trip_keeps_pixels_and_geometry(dicom_dir, tmp_path):
    src = load_image(dicom_dir / "693_UNCI.dcm")
    write_dicom_series(src, tmp_path / "out")
    back = read_dicom_series(tmp_path / "out")
    np.testing.assert_array_equal(back.array[:, :, 0], src.array)
    np.testing.assert_allclose(back.affine[:3, :2], src.affine[:3, :2], atol=1e-5)
    np.testing.assert_allclose(back.origin, src.origin, atol=1e-4)
    assert back.spacing[:2] == pytest.approx(src.spacing[:2])
    assert back.modality == "CT"


def test_multiframe_mr_reads_as_volume(dicom_dir):
    image = load_image(dicom_dir / "emri_small.dcm")
    assert image.array.shape == (64, 64, 10)
    assert image.modality == "MR"


def test_series_is_sorted_by_position_not_by_name(bundled, tmp_path):
    ct = load_image(bundled / "ct" / "lung1_crop_image.nii.gz")  # real chest CT, HU
    sub = MedicalImage(ct.array[20:84, 30:110, 4:10].copy(), ct.affine.copy(), "CT")
    files = write_dicom_series(sub, tmp_path / "series")
    for i, f in enumerate(reversed(files)):  # file names now run against slice position
        f.rename(f.with_name(f"x{i:03d}.dcm"))
    back = read_dicom_series(tmp_path / "series")
    np.testing.assert_array_equal(back.array, sub.array)
    assert back.spacing == pytest.approx(sub.spacing, abs=1e-4)
    np.testing.assert_allclose(back.direction, sub.direction, atol=1e-5)


def test_oblique_geometry_round_trips(tmp_path):
    theta = np.deg2rad(20)
    rot = np.array(
        [[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]]
    )
    affine = np.eye(4)
    affine[:3, :3] = rot @ np.diag([0.7, 0.9, 2.5])
    affine[:3, 3] = [-10.0, 25.0, 40.0]
    vol = np.random.default_rng(0).integers(-1000, 1000, (12, 10, 4)).astype(np.float32)
    write_dicom_series(MedicalImage(vol, affine, "CT"), tmp_path / "s")
    back = read_dicom_series(tmp_path / "s")
    np.testing.assert_allclose(back.affine, affine, atol=1e-4)
    np.testing.assert_array_equal(back.array, vol)


def test_float_images_round_trip_within_quantisation(tmp_path):
    vol = np.random.default_rng(1).random((8, 8, 2)).astype(np.float32)
    write_dicom_series(MedicalImage(vol, np.eye(4), "MR"), tmp_path / "f")
    back = read_dicom_series(tmp_path / "f")
    assert np.abs(back.array - vol).max() < 1e-4


def test_two_series_in_one_folder_is_mismatched(tmp_path):
    vol = np.zeros((4, 4, 2), np.float32)
    write_dicom_series(MedicalImage(vol), tmp_path / "a")
    write_dicom_series(MedicalImage(vol + 1), tmp_path / "b")
    for f in (tmp_path / "b").iterdir():
        f.rename(tmp_path / "a" / f"b_{f.name}")
    with pytest.raises(RadgenError, match="mismatched series"):
        read_dicom_series(tmp_path / "a")


def test_slice_sizes_that_differ_are_mismatched(tmp_path):
    write_dicom_series(MedicalImage(np.zeros((4, 4, 2), np.float32)), tmp_path / "a")
    write_dicom_series(MedicalImage(np.zeros((6, 6, 1), np.float32)), tmp_path / "b")
    odd = next((tmp_path / "b").iterdir())
    ds = pydicom.dcmread(odd)
    ds.SeriesInstanceUID = pydicom.dcmread(next((tmp_path / "a").iterdir())).SeriesInstanceUID
    ds.ImagePositionPatient = [0, 0, 99]
    ds.save_as(tmp_path / "a" / "odd.dcm")
    with pytest.raises(RadgenError, match=r"mismatched series: \dx\d slice beside \dx\d"):
        read_dicom_series(tmp_path / "a")


def test_corrupt_dicom_names_the_file(dicom_dir, tmp_path):
    bad = tmp_path / "broken.dcm"
    bad.write_bytes((dicom_dir / "693_UNCI.dcm").read_bytes()[:3000])
    with pytest.raises(RadgenError) as err:
        load_image(bad)
    assert "broken.dcm" in str(err.value)


def test_text_file_named_dcm_is_not_dicom(tmp_path):
    bad = tmp_path / "notes.dcm"
    bad.write_text("this is a report, not an image")
    with pytest.raises(RadgenError, match="not a DICOM file"):
        load_image(bad)
