import torch

from radgen.runs import load_checkpoint, save_checkpoint
from radgen.runs.loop import BatchStream


def test_batches_are_a_pure_function_of_seed_and_step():
    data = {"image": torch.arange(100.0), "label": torch.arange(100)}
    a, b = BatchStream(data, 16, seed=1), BatchStream(data, 16, seed=1)
    later = a.batch(13)
    assert torch.equal(b.batch(13)["image"], later["image"])
    assert torch.equal(later["image"], later["label"].float())  # rows stay paired
    epoch0 = torch.cat([a.batch(s)["image"] for s in range(a.steps_per_epoch)])
    assert len(set(epoch0.tolist())) == len(epoch0)  # no repeats inside an epoch
    assert not torch.equal(BatchStream(data, 16, seed=2).batch(0)["image"], a.batch(0)["image"])


def test_checkpoint_write_is_atomic(tmp_path):
    path = save_checkpoint({"step": 1}, tmp_path / "c" / "last.pt")
    save_checkpoint({"step": 2}, path)
    assert load_checkpoint(path)["step"] == 2
    assert [p.name for p in path.parent.iterdir()] == ["last.pt"]
