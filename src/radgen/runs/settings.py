"""One way every training command takes its settings: defaults, a YAML file, the options
typed, then ``--set key=value`` (dotted keys reach nested settings). The pydantic config of
the command validates the result, so the CLI copies none of its fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from radgen.errors import RadgenError


def merge_settings(
    defaults: dict[str, Any],
    config_file: str | Path | None,
    given: dict[str, Any],
    settings: list[str],
) -> dict[str, Any]:
    """Later sources win; values of ``--set`` are read as YAML (numbers, lists, booleans);
    paths become strings."""
    data: dict[str, Any] = {k: v for k, v in defaults.items() if v is not None}
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise RadgenError("config file not found", path)
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise RadgenError("a config file holds key: value settings", path)
        data.update(loaded)
    data.update(given)
    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise RadgenError(f"--set takes key=value, got '{item}'")
        node = data
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise RadgenError(f"--set {key}: '{part}' is not a group of settings")
        node[leaf] = yaml.safe_load(raw)
    return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}
