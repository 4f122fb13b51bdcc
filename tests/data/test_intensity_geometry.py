import numpy as np
import pytest

from radgen.data import (
    CT_WINDOWS,
    apply_window,
    center_crop_or_pad,
    extract_slices,
    percentile_normalise,
    resize,
    slices_with_mask,
)
from radgen.errors import RadgenError


def test_lung_window_maps_level_to_mid_grey_and_clips():
    hu = np.array([-2000.0, -1350.0, -600.0, 150.0, 3000.0])
    np.testing.assert_allclose(apply_window(hu, "lung"), [0.0, 0.0, 0.5, 1.0, 1.0])


@pytest.mark.parametrize("preset", sorted(CT_WINDOWS))
def test_each_preset_maps_its_level_to_half(preset):
    level, width = CT_WINDOWS[preset]
    assert apply_window(np.array([level]), preset)[0] == pytest.approx(0.5)
    assert apply_window(np.array([level + width]), preset)[0] == 1.0


def test_explicit_window_and_bad_window():
    assert apply_window(np.array([40.0]), level=40, width=400)[0] == pytest.approx(0.5)
    with pytest.raises(RadgenError, match="choose one of"):
        apply_window(np.zeros(3), "liver-ish")
    with pytest.raises(RadgenError):
        apply_window(np.zeros(3), level=0, width=0)


def test_percentile_normalisation_uses_the_mask():
    img = np.concatenate([np.zeros(50), np.linspace(100, 200, 50)])
    mask = img > 0
    out = percentile_normalise(img, 0, 100, mask)
    assert out[mask].min() == 0.0 and out[mask].max() == 1.0
    with pytest.raises(RadgenError):
        percentile_normalise(img, 99, 1)


def test_extract_slices_returns_display_orientation():
    vol = np.zeros((5, 7, 3))  # (column, row, slice)
    vol[4, 1, 2] = 1
    slices = extract_slices(vol)
    assert slices.shape == (3, 7, 5)
    assert slices[2, 1, 4] == 1


def test_mask_based_slice_selection():
    mask = np.zeros((10, 10, 6))
    mask[:, :, 2] = 1
    mask[:2, :2, 4] = 1  # 4 % of the slice
    assert slices_with_mask(mask).tolist() == [2, 4]
    assert slices_with_mask(mask, min_fraction=0.05).tolist() == [2]


def test_crop_pad_and_resize_shapes():
    x = np.ones((2, 28, 28))
    padded = center_crop_or_pad(x, 32)
    assert padded.shape == (2, 32, 32) and padded[0, 0, 0] == 0 and padded[0, 2, 2] == 1
    assert center_crop_or_pad(np.ones((40, 30)), 32).shape == (32, 32)
    assert resize(x, 32).shape == (2, 32, 32)
