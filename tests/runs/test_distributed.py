"""Data-parallel training: two processes on one machine train what one process trains with
the same global batch; only rank 0 writes; resume keeps working."""

import torch

from radgen.image.config import TrainConfig
from radgen.image.train import train
from radgen.runs import load_checkpoint


def _weights(run):
    state = load_checkpoint(run / "checkpoints" / "last.pt")["task"]
    return {k: v for k, v in state["model"].items() if torch.is_tensor(v)}


def test_two_ranks_equal_one_process(tmp_path):
    common = {
        "model": "ddpm",
        "conditional": True,
        "steps": 4,
        "batch_size": 8,
        "width": 8,
        "device": "cpu",
        "checkpoint_every": 2,
        "log_every": 1,
    }
    one = train(TrainConfig(out=str(tmp_path / "one"), **common), progress=False)
    two = train(TrainConfig(out=str(tmp_path / "two"), nproc=2, **common), progress=False)
    assert one["steps"] == two["steps"] == 4 and two["processes"] == 2
    a, b = _weights(tmp_path / "one"), _weights(tmp_path / "two")
    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5, msg=k)
    written = sorted(p.name for p in (tmp_path / "two").iterdir())
    assert "metrics.json" in written and "config.yaml" in written  # rank 0 wrote the run
    resumed = train(
        TrainConfig(out=str(tmp_path / "two"), nproc=2, **{**common, "steps": 6}),
        resume=True,
        progress=False,
    )
    assert resumed["steps"] == 6
