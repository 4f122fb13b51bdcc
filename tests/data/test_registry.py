import numpy as np
import pytest

from radgen.data import load_dataset
from radgen.data.registry import mni152_slab_split
from radgen.errors import RadgenError
from radgen.io import MedicalImage, write_nifti, write_png


def test_bundled_pneumoniamnist():
    train = load_dataset("pneumoniamnist", split="train")
    val = load_dataset("pneumoniamnist", split="val", size=32)
    assert train.images.shape == (2428, 28, 28) and val.images.shape == (270, 32, 32)
    assert train.class_names == ("normal", "pneumonia")
    assert train.images.min() >= 0.0 and train.images.max() <= 1.0
    assert train.label_id("pneumonia") == 1 and train.label_id("0") == 0
    with pytest.raises(RadgenError, match="unknown label"):
        train.label_id("fracture")


def test_mni_split_is_by_slab_with_a_guard_band():
    split = mni152_slab_split(100, (0.4, 0.6), guard=3)
    assert set(split["train"]).isdisjoint(split["test"])
    gaps = np.abs(split["train"][:, None] - split["test"][None]).min()
    assert gaps > 3
    test = np.sort(split["test"])
    assert np.all(np.diff(test) == 1)  # one contiguous slab


def _check_pairs(path=None):
    train = load_dataset("mni152-t1t2", split="train", size=64, path=path)
    test = load_dataset("mni152-t1t2", split="test", size=64, path=path)
    assert train.targets is not None and train.images.shape == train.targets.shape
    assert len(test) > 5 and len(train) > 3 * len(test)
    assert set(train.meta["slices"]).isdisjoint(test.meta["slices"])
    # T1 and T2 share the brain outline slice by slice
    assert np.array_equal(train.images[10] > 0, train.targets[10] > 0)
    # and they are different contrasts: CSF is dark on T1 and bright on T2
    assert np.corrcoef(train.images[10].ravel(), train.targets[10].ravel())[0, 1] < 0.9


def test_mni152_pairs_are_aligned_and_disjoint():
    _check_pairs()  # the 2 mm copy bundled in the package


@pytest.mark.needs_shared_data
def test_full_resolution_mni152_from_a_folder(shared_data):
    _check_pairs(shared_data / "mri_mni152_t1t2")


def test_folder_dataset_with_labels(tmp_path):
    rng = np.random.default_rng(0)
    for i in range(4):
        write_png(MedicalImage(rng.random((20, 20))), tmp_path / f"img{i}.png", synthetic=False)
    write_nifti(MedicalImage(rng.random((20, 20, 3))), tmp_path / "vol.nii.gz", synthetic=False)
    csv = tmp_path / "labels.csv"
    rows = [f"img{i}.png,{'a' if i % 2 else 'b'}" for i in range(4)] + ["vol.nii.gz,a"]
    csv.write_text("filename,label\n" + "\n".join(rows))
    data = load_dataset("folder", path=tmp_path, labels_csv=csv, size=16)
    assert data.images.shape == (7, 16, 16)
    assert data.class_names == ("a", "b") and data.labels.tolist().count(0) == 5


def test_registry_errors(tmp_path):
    with pytest.raises(RadgenError, match="choose one of"):
        load_dataset("imagenet")
    (tmp_path / "e").mkdir()
    with pytest.raises(RadgenError, match="empty"):
        load_dataset("folder", path=tmp_path / "e")
    with pytest.raises(RadgenError, match="data-path"):
        load_dataset("folder")
