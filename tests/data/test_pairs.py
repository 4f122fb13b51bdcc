"""Aligned domain volumes for translation: loading, slab split, units, mismatches."""

import numpy as np
import pytest

from radgen.data.pairs import (
    from_network,
    load_pairs,
    parse_slab,
    slices_to_volume,
    to_network,
    volume_to_slices,
)
from radgen.errors import RadgenError
from radgen.io import MedicalImage, write_nifti


def _write(folder, name, array, affine=None):
    image = MedicalImage(
        array.astype(np.float32), np.diag([0.7, 0.7, 5.0, 1.0]) if affine is None else affine
    )
    return write_nifti(image, folder / f"{name}.nii.gz", synthetic=False)


def test_ct_pairs_keep_hu_and_slice_order(tmp_path):
    rng = np.random.default_rng(0)
    sharp = rng.uniform(-1000, 1000, (16, 16, 10))
    _write(tmp_path, "sharp", sharp)
    _write(tmp_path, "soft", sharp * 0.5)
    pairs = load_pairs(tmp_path, ["sharp", "soft"])
    assert pairs.intensity == "hu" and pairs.domains == ("sharp", "soft")
    assert pairs.slices.shape == (10, 2, 16, 16)
    back = from_network(slices_to_volume(pairs.domain("sharp")), "hu")
    np.testing.assert_allclose(back, sharp, atol=1e-2)


def test_slab_split_holds_out_a_block_with_a_guard_band(tmp_path):
    vol = np.random.default_rng(1).uniform(0, 100, (8, 8, 60))
    _write(tmp_path, "t1", vol)
    _write(tmp_path, "t2", 100 - vol)
    train = load_pairs(tmp_path, split="train", slab=(0.4, 0.6), guard=3)
    test = load_pairs(tmp_path, split="test", slab=(0.4, 0.6), guard=3)
    assert train.intensity == "percentile"
    assert set(test.indices) == set(range(24, 36))
    assert min(abs(i - j) for i in train.indices for j in test.indices) > 3
    with pytest.raises(RadgenError, match="slab"):
        load_pairs(tmp_path, split="train")


def test_mismatched_pair_is_a_clear_error(tmp_path):
    _write(tmp_path, "soft", np.zeros((16, 16, 4)))
    _write(tmp_path, "sharp", np.zeros((16, 12, 4)))
    with pytest.raises(RadgenError, match="mismatched pair"):
        load_pairs(tmp_path)
    with pytest.raises(RadgenError, match="no volume for domain"):
        load_pairs(tmp_path, ["soft", "bone"])


def test_misaligned_affines_are_refused(tmp_path):
    shifted = np.diag([0.7, 0.7, 5.0, 1.0])
    shifted[0, 3] = 10.0
    _write(tmp_path, "soft", np.zeros((16, 16, 4)))
    _write(tmp_path, "sharp", np.zeros((16, 16, 4)), shifted)
    with pytest.raises(RadgenError, match="affines differ"):
        load_pairs(tmp_path)


def test_units_round_trip_and_slab_parsing():
    hu = np.array([[-1000.0, 0.0, 1500.0]])
    np.testing.assert_allclose(from_network(to_network(hu, "hu"), "hu"), hu)
    assert parse_slab("0.45:0.6") == (0.45, 0.6)
    with pytest.raises(RadgenError):
        parse_slab("0.6:0.4")
    vol = np.arange(24.0).reshape(2, 3, 4)
    assert np.array_equal(slices_to_volume(volume_to_slices(vol)), vol)
