"""The one exception type the CLI turns into a single clear error line."""

from __future__ import annotations

from pathlib import Path


class RadgenError(Exception):
    """A user-facing error: names the file (when there is one) and the problem."""

    def __init__(self, problem: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path is not None else problem)
