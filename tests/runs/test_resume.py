"""Training survives SIGKILL: resume continues from the last checkpoint and ends identically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from radgen.runs import load_checkpoint

ARGS = [
    "image", "train", "--model", "classifier", "--steps", "160", "--batch-size", "16",
    "--width", "8", "--checkpoint-every", "10", "--device", "cpu", "--seed", "3",
]  # fmt: skip


def _radgen(*args: str, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "radgen.cli.main", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)


def _logged_step(run: Path) -> int:
    path = run / "metrics.jsonl"
    if not path.exists():
        return 0
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return max((r["step"] for r in lines), default=0)


def test_sigkill_then_resume_matches_an_uninterrupted_run(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    ref = _radgen(*ARGS, "--out", str(tmp_path / "ref"), env=env)
    assert ref.returncode == 0, ref.stderr

    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "radgen.cli.main", *ARGS, "--out", str(killed)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while _logged_step(killed) < 60 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    at_kill = load_checkpoint(killed / "checkpoints" / "last.pt")["step"]
    assert 0 < at_kill < 160

    resumed = _radgen(*ARGS, "--out", str(killed), "--resume", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed at step {at_kill}" in (killed / "log.txt").read_text()

    a = load_checkpoint(tmp_path / "ref" / "checkpoints" / "last.pt")
    b = load_checkpoint(killed / "checkpoints" / "last.pt")
    assert a["step"] == b["step"] == 160
    for key, value in a["task"]["model"].items():
        assert torch.equal(value, b["task"]["model"][key]), key
    steps = [r["step"] for r in map(json.loads, (killed / "metrics.jsonl").open()) if "loss" in r]
    assert steps == sorted(set(steps)), "metrics rows after the checkpoint were not rewound"


def test_fresh_run_refuses_an_existing_directory(tmp_path, cli):
    # in-process: the refusal is the CLI's, and two interpreter starts cost more than training
    out = tmp_path / "run"
    first, _, err = cli(*ARGS[:5], "5", "--width", "8", "--out", str(out))
    assert first == 0, err
    again, _, err = cli(*ARGS[:5], "5", "--width", "8", "--out", str(out))
    assert again == 2
    assert "--overwrite" in err and "Traceback" not in err
