"""Run directories, seeding, devices, checkpoints and the one shared training loop."""

from radgen.runs.checkpoint import load_checkpoint, save_checkpoint
from radgen.runs.device import resolve_device
from radgen.runs.rundir import RunDir
from radgen.runs.seed import seed_everything

__all__ = ["RunDir", "load_checkpoint", "resolve_device", "save_checkpoint", "seed_everything"]
