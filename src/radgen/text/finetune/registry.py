"""The registry of fine-tuned models: a folder per model under the model cache, holding its
GGUF LoRA adapter and a manifest (base, task, data, date). ``radgen models list`` shows them
and every text task takes their name with ``--model``. Light to import (no torch)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from radgen.errors import RadgenError
from radgen.text.llm.models import MODELS, model_dir

MANIFEST = "model.json"
ADAPTER_GGUF = "adapter.gguf"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def finetuned_dir() -> Path:
    return model_dir() / "finetuned"


def register(name: str, adapter: Path, meta: dict[str, Any]) -> Path:
    """Copy an adapter and its manifest into the registry of fine-tuned models."""
    if not _NAME.fullmatch(name):
        raise RadgenError(f"model name '{name}' must be letters, digits, '.', '_' or '-'")
    if name in MODELS:
        raise RadgenError(f"'{name}' is a registry model's name; choose another")
    folder = finetuned_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(adapter, folder / ADAPTER_GGUF)
    (folder / MANIFEST).write_text(json.dumps({"name": name, **meta}, indent=2) + "\n")
    return folder


def finetuned_models() -> list[dict[str, Any]]:
    """Every registered fine-tuned model's manifest (name, base, task, data, date...)."""
    root = finetuned_dir()
    if not root.is_dir():
        return []
    out = []
    for manifest in sorted(root.glob(f"*/{MANIFEST}")):
        try:
            out.append(json.loads(manifest.read_text(encoding="utf-8")))
        except json.JSONDecodeError:
            continue  # a torn manifest is skipped, not fatal for the listing
    return out


def resolve_finetuned(name: str) -> tuple[Path, Path] | None:
    """(base GGUF, adapter GGUF) of a registered fine-tuned model; None if no such name."""
    folder = finetuned_dir() / name
    manifest = folder / MANIFEST
    if not _NAME.fullmatch(name) or not manifest.is_file():
        return None
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    base = Path(meta["base_gguf"])
    if not base.is_file():
        raise RadgenError(f"fine-tuned model '{name}': its base GGUF is gone", base)
    return base, folder / ADAPTER_GGUF
