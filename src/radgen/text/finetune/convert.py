"""A GGUF model as a Hugging Face folder (fp32 safetensors and tokenizer), made once.

Training needs full-precision weights that torch can differentiate; the registry ships GGUF.
transformers' GGUF loader de-quantises (Q4_K_M, Q4_1...) into a model object that refuses to
save, so its weights are copied into a plain model of the same config and saved from there.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from radgen.errors import RadgenError
from radgen.text.llm.models import model_dir, resolve_model


def hf_cache_dir(model: str) -> Path:
    """Where a base model's Hugging Face folder goes: named after the registry name, or the
    GGUF file's name without ``.gguf`` (not ``Path.stem``: "qwen2.5-coder-0.5b" keeps its
    dots)."""
    return model_dir() / "hf" / Path(model).name.removesuffix(".gguf")


@contextlib.contextmanager
def _gguf_read_once() -> Iterator[None]:
    """transformers parses the GGUF three times (config, tokenizer, weights) and builds the
    tensor-name map once per module (397 times for SmolLM2): both are memoised while one file
    converts, which takes about a third of the time (51 s for SmolLM2 before)."""
    import gguf

    reader, names = gguf.GGUFReader, gguf.get_tensor_name_map
    gguf.GGUFReader = functools.cache(reader)  # keyed by the path: read-only memory maps
    gguf.get_tensor_name_map = functools.cache(names)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = reader, names


def gguf_to_hf(gguf: str | Path, out: str | Path, *, overwrite: bool = False) -> Path:
    """Convert one GGUF file into ``out`` (config.json, model.safetensors, tokenizer)."""
    src, target = Path(gguf), Path(out)
    if not src.is_file():
        raise RadgenError("GGUF file not found", src)
    if (target / "config.json").is_file() and not overwrite:
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        with _gguf_read_once():
            tokenizer = AutoTokenizer.from_pretrained(str(src.parent), gguf_file=src.name)
            loaded = AutoModelForCausalLM.from_pretrained(str(src.parent), gguf_file=src.name)
    except (ValueError, KeyError, NotImplementedError) as err:
        raise RadgenError(f"transformers cannot read this GGUF: {err}", src) from err
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the weights are de-quantised fp32 now
    plain = AutoModelForCausalLM.from_config(config)
    missing, unexpected = plain.load_state_dict(loaded.state_dict(), strict=False)
    if unexpected or [k for k in missing if "lm_head" not in k]:
        raise RadgenError(f"weights did not map: missing {missing[:3]}, extra {unexpected[:3]}")
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    plain.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    (tmp / "radgen_source.txt").write_text(str(src.resolve()) + "\n", encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        import shutil

        shutil.rmtree(target)
    tmp.replace(target)  # atomic: a crash never leaves a half-written folder behind
    return target


def base_model_folder(base: str) -> tuple[Path, Path]:
    """(Hugging Face folder, GGUF file) of a base model given as a registry name or .gguf."""
    gguf = resolve_model(base)
    return gguf_to_hf(gguf, hf_cache_dir(base)), gguf


def load_base_model(base: str, device: str = "cpu") -> tuple[Any, Any, Path]:
    """(model, tokenizer, GGUF) of a base model, fp32, on ``device``; converted on first use."""
    folder, gguf = base_model_folder(base)
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True)
    return model.to(device), tokenizer, gguf
