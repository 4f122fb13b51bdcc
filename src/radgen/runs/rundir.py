"""One directory per command: config.yaml, log.txt, checkpoints/, metrics, figures/."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from radgen.errors import RadgenError

C = TypeVar("C", bound=BaseModel)


class RunDir:
    """The run directory layout, created safely: never clobbered without ``overwrite``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def create(cls, root: str | Path, *, overwrite: bool = False, resume: bool = False) -> RunDir:
        """Start a run (fresh, or resuming one whose config is already there)."""
        run = cls(root)
        if resume:
            if not run.config_path.is_file():
                raise RadgenError("cannot resume: no config.yaml in the run directory", run.root)
            return run
        if run.root.exists() and any(run.root.iterdir()):
            if not overwrite:
                raise RadgenError(
                    "run directory exists; pass --overwrite to restart it"
                    " (or --resume to continue a training run)",
                    run.root,
                )
            shutil.rmtree(run.root)
        run.root.mkdir(parents=True, exist_ok=True)
        return run

    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def last_checkpoint(self) -> Path:
        return self.checkpoint_dir / "last.pt"

    @property
    def figures(self) -> Path:
        path = self.root / "figures"
        path.mkdir(exist_ok=True)
        return path

    def save_config(self, config: BaseModel) -> None:
        """The resolved config as YAML: what ran, reloadable for resume and sampling."""
        self.config_path.write_text(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False))

    def start(self, config: C, *, resume: bool) -> C:
        """The configuration to run, saved: on resume the saved one, taking only the
        stopping rule (steps, minutes) and the device from ``config``."""
        if resume:
            saved = type(config).model_validate(self.read_config())
            update = {"steps": config.steps, "minutes": config.minutes, "device": config.device}
            if "nproc" in type(config).model_fields:
                update["nproc"] = config.nproc  # type: ignore[attr-defined]
            config = saved.model_copy(update=update)
        self.save_config(config)
        return config

    def read_config(self) -> dict[str, Any]:
        if not self.config_path.is_file():
            raise RadgenError("not a radgen run directory (no config.yaml)", self.root)
        return yaml.safe_load(self.config_path.read_text())

    def logger(self, name: str = "radgen") -> logging.Logger:
        """A logger writing to ``log.txt`` in the run (appending across resumes)."""
        log = logging.getLogger(f"{name}.{self.root.resolve()}")
        if not log.handlers:
            handler = logging.FileHandler(self.root / "log.txt")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
        return log

    def append_metrics(self, row: dict[str, Any]) -> None:
        """One JSON line per logged step in ``metrics.jsonl``."""
        with (self.root / "metrics.jsonl").open("a") as fh:
            fh.write(json.dumps(row) + "\n")

    def truncate_metrics(self, last_step: int) -> None:
        """Drop rows logged after ``last_step``: a resumed run logs them again."""
        rows = [r for r in self.read_metrics() if r.get("step", 0) <= last_step]
        (self.root / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    def read_metrics(self) -> list[dict[str, Any]]:
        path = self.root / "metrics.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def write_json(self, name: str, data: dict[str, Any]) -> Path:
        path = self.root / name
        path.write_text(json.dumps(data, indent=2))
        return path
