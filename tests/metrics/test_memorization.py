"""The memorization audit on the user's own data: an honest held-out set, copies under
augmentation (flips, shifts and turns, intensity scaling) caught, clean sets left alone."""

import json

import numpy as np
import pytest
from scipy.ndimage import rotate, shift

from radgen.data import bundled_asset, load_dataset
from radgen.io import MedicalImage, write_nifti, write_npz_samples, write_png
from radgen.metrics.domain_encoder import bundled_domain_encoder
from radgen.metrics.privacy import memorization_audit


@pytest.fixture(scope="module")
def sets():
    real = load_dataset("pneumoniamnist", split="train", size=32).images[:800]
    hold = load_dataset("pneumoniamnist", split="val", size=32).images
    return real, hold, bundled_domain_encoder()


def _shift_turn(img, dy, dx, angle):
    return rotate(shift(img, (dy, dx), mode="nearest"), angle, reshape=False, mode="nearest")


FAMILIES = {
    "exact": (lambda im, i: im, "identity"),
    "horizontal flip": (lambda im, i: im[:, ::-1], "hflip"),
    "vertical flip": (lambda im, i: im[::-1], "vflip"),
    "shift and turn": (lambda im, i: _shift_turn(im, 2 + i % 2, -2 - i % 2, 4 + i % 3), "shift"),
    "intensity scaling": (lambda im, i: 0.8 * im + 0.1, "identity"),
}
N = 12  # copies per family


@pytest.fixture(scope="module")
def audit(sets):
    """One audit of every family's copies followed by 100 clean held-out images."""
    real, hold, enc = sets
    parts = [
        np.stack([make(real[i * 37 + k], i) for i in range(N)])
        for k, (make, _) in enumerate(FAMILIES.values())
    ]
    synth = np.concatenate([*parts, hold[:100]]).astype(np.float32)
    return memorization_audit(enc(real), enc(hold[100:]), enc(synth), real, hold[100:], synth)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_transform_family_is_caught(audit, family):
    k = list(FAMILIES).index(family)
    part = slice(k * N, (k + 1) * N)
    assert audit["flagged"][part].mean() >= (N - 1) / N, family
    assert (audit["nn_index"][part] == np.arange(N) * 37 + k).mean() >= (N - 1) / N
    named = [t for t in audit["transform"][part] if t]
    expected = FAMILIES[family][1]
    assert sum(expected in t for t in named) >= len(named) - 1, (family, named)


def test_clean_images_are_not_flagged(audit):
    clean = audit["flagged"][len(FAMILIES) * N :]  # real images the reference never saw
    assert clean.mean() <= 0.03
    assert audit["holdout_flagged_fraction"] <= 0.1


def _folder(root, images, n_copies=0):
    for i, im in enumerate(images):
        write_png(
            MedicalImage((im.T * 255).astype(np.uint8)), root / f"p{i:03d}.png", synthetic=False
        )
    return root


def test_folder_as_real_splits_off_a_holdout_and_flags_copies(cli, tmp_path):
    real = load_dataset("pneumoniamnist", split="train", size=32).images[:300]
    folder = _folder(tmp_path / "mine", real)
    synth = np.concatenate(
        [
            real[:10],
            real[10:20, :, ::-1],
            load_dataset("pneumoniamnist", split="val", size=32).images[:60],
        ]
    )
    npz = write_npz_samples(tmp_path / "s.npz", synth, np.zeros(len(synth), np.int64))
    encoder = bundled_asset("domain_encoder_pneumoniamnist.pt")
    code, _, err = cli(
        "image",
        "eval",
        "--synthetic",
        npz,
        "--real",
        folder,
        "--encoder",
        encoder,
        "--no-labels",
        "--inception-n",
        "0",
        "--out",
        tmp_path / "e",
    )
    assert code == 0, err
    m = json.loads((tmp_path / "e" / "metrics.json").read_text())
    sets = m["sets"]
    assert sets["n_reference"] + sets["n_holdout"] == 300 and "seed" in sets["holdout_how"]
    flagged = {f["index"] for f in m["memorization"]["flagged"]}
    assert set(range(20)) - flagged == set() or len(set(range(20)) & flagged) >= 19
    assert len(flagged - set(range(20))) <= 2  # the 60 val images are not copies
    report = (tmp_path / "e" / "report.md").read_text()
    assert "cannot see" in report and "hflip" in report and "held-out" in report


def test_overlapping_holdout_is_refused(cli, tmp_path):
    real = load_dataset("pneumoniamnist", split="train", size=32).images[:40]
    a = _folder(tmp_path / "a", real[:30])
    b = _folder(tmp_path / "b", real[25:40])  # five images in both
    npz = write_npz_samples(tmp_path / "s.npz", real[:20], np.zeros(20, np.int64))
    code, _, err = cli(
        "image",
        "eval",
        "--synthetic",
        npz,
        "--real",
        a,
        "--holdout",
        b,
        "--no-labels",
        "--inception-n",
        "0",
        "--out",
        tmp_path / "e",
    )
    assert code == 2 and "shares 5" in err and err.count("\n") == 1


def test_volume_slices_in_a_folder_are_audited(cli, tmp_path):
    t1 = load_dataset("mni152-t1t2", split="train", size=32).images  # real MRI slices
    vol = np.transpose(t1, (2, 1, 0))  # (x, y, slices): a volume the folder loader slices
    root = tmp_path / "vols"
    write_nifti(MedicalImage(vol.astype(np.float32)), root / "t1.nii.gz", synthetic=False)
    synth = np.concatenate(
        [t1[5:15, :, ::-1], load_dataset("mni152-t1t2", split="test", size=32).targets]
    )
    npz = write_npz_samples(tmp_path / "s.npz", synth, np.zeros(len(synth), np.int64))
    encoder = bundled_asset("domain_encoder_pneumoniamnist.pt")
    code, _, err = cli(
        "image",
        "eval",
        "--synthetic",
        npz,
        "--real",
        root,
        "--no-labels",
        "--encoder",
        encoder,
        "--inception-n",
        "0",
        "--out",
        tmp_path / "e",
    )
    assert code == 0, err
    m = json.loads((tmp_path / "e" / "metrics.json").read_text())
    flagged = {f["index"] for f in m["memorization"]["flagged"]}
    assert len(flagged & set(range(10))) >= 9  # flipped copies of slices of the real volume
