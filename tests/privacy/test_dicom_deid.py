"""PS3.15 Basic Profile on real pydicom-data files: nothing on the remove list survives."""

import numpy as np
import pydicom
import pytest

from radgen.privacy.dicom_deid import REMOVE_TAGS, DicomDeidentifier
from radgen.privacy.keystore import KeyStore

FILES = ["693_UNCI.dcm", "MR2_UNCI.dcm", "MR2_UNCR.dcm", "emri_small.dcm", "US1_UNCI.dcm"]


def _all_tags(ds):
    for elem in ds:
        yield int(elem.tag)
        if elem.VR == "SQ":
            for item in elem.value:
                yield from _all_tags(item)


@pytest.fixture
def deid(tmp_path):
    return DicomDeidentifier(KeyStore(tmp_path / "key.sqlite"))


@pytest.mark.parametrize("name", FILES)
def test_profile_applied_and_file_still_reads(deid, dicom_dir, tmp_path, name):
    src = dicom_dir / name
    report = deid.deidentify_file(src, tmp_path / name)
    before, after = pydicom.dcmread(src), pydicom.dcmread(tmp_path / name)
    survivors = set(_all_tags(after)) & REMOVE_TAGS
    assert not survivors, [hex(t) for t in survivors]
    assert not any(e.tag.is_private for e in after.iterall())
    assert str(after.get("PatientName", "")) != str(
        before.get("PatientName", "x")
    ) or not before.get("PatientName")
    assert after.PatientIdentityRemoved == "YES"
    assert after.StudyInstanceUID != before.StudyInstanceUID
    assert after.SOPInstanceUID == after.file_meta.MediaStorageSOPInstanceUID
    np.testing.assert_array_equal(after.pixel_array, before.pixel_array)  # pixels untouched
    assert report.removed + report.replaced + report.uids_remapped > 0


def test_uids_and_dates_stay_consistent_within_a_study(deid, dicom_dir, tmp_path):
    a_src, b_src = (
        pydicom.dcmread(dicom_dir / "MR2_UNCI.dcm"),
        pydicom.dcmread(dicom_dir / "MR2_UNCR.dcm"),
    )
    assert a_src.StudyInstanceUID == b_src.StudyInstanceUID
    deid.deidentify_file(dicom_dir / "MR2_UNCI.dcm", tmp_path / "a.dcm")
    deid.deidentify_file(dicom_dir / "MR2_UNCR.dcm", tmp_path / "b.dcm")
    a, b = pydicom.dcmread(tmp_path / "a.dcm"), pydicom.dcmread(tmp_path / "b.dcm")
    assert a.StudyInstanceUID == b.StudyInstanceUID != a_src.StudyInstanceUID
    assert a.SeriesInstanceUID == b.SeriesInstanceUID
    if a_src.get("StudyDate"):
        assert a.StudyDate == b.StudyDate != a_src.StudyDate


def test_burned_in_candidates_are_flagged(deid, dicom_dir, tmp_path):
    us = deid.deidentify_file(dicom_dir / "US1_UNCI.dcm", tmp_path / "us.dcm")
    ct = deid.deidentify_file(dicom_dir / "693_UNCI.dcm", tmp_path / "ct.dcm")
    assert us.pixel_review and not ct.pixel_review


def test_existing_output_is_not_overwritten(deid, dicom_dir, tmp_path):
    from radgen.errors import RadgenError

    deid.deidentify_file(dicom_dir / "693_UNCI.dcm", tmp_path / "x.dcm")
    with pytest.raises(RadgenError, match="--overwrite"):
        deid.deidentify_file(dicom_dir / "693_UNCI.dcm", tmp_path / "x.dcm")
