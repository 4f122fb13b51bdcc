"""Back into the default engine: a trained LoRA adapter as a GGUF adapter for llama.cpp, and the
registry of fine-tuned models that ``radgen models list`` shows and ``--model`` resolves.

The adapter keeps the base GGUF untouched (quantised as shipped); llama.cpp adds
``alpha/r * B @ A`` at run time, as PEFT does in training. Llama-architecture GGUFs store the
query and key projections with their rows permuted for llama.cpp's rotary embedding, so those
adapters' B factors get the same permutation (as llama.cpp's own converter does).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from radgen.errors import RadgenError
from radgen.runs.rundir import RunDir
from radgen.text.finetune.config import LoraOptions
from radgen.text.finetune.registry import ADAPTER_GGUF, MANIFEST, register

SUPPORTED_ARCHS = ("llama", "qwen2")
_KEY = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<factor>[AB])\.weight$")


def gguf_architecture(gguf_path: Path) -> str:
    from gguf import GGUFReader

    field = GGUFReader(str(gguf_path)).fields.get("general.architecture")
    if field is None:
        raise RadgenError("the GGUF names no architecture", gguf_path)
    return bytes(field.parts[field.data[0]]).decode()


def _permute_rows(b: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp's q/k row order (convert_hf_to_gguf ``LlamaModel.permute``) on B's rows."""
    out_dim = b.shape[0]
    return (
        b.reshape(n_head, 2, out_dim // n_head // 2, *b.shape[1:]).swapaxes(1, 2).reshape(b.shape)
    )


def gguf_adapter_tensors(state: dict[str, Any], config: Any, arch: str) -> dict[str, np.ndarray]:
    """PEFT adapter tensors renamed to llama.cpp's (``blk.N.attn_q.weight.lora_a`` ...)."""
    import gguf

    if arch not in SUPPORTED_ARCHS:
        raise RadgenError(
            f"GGUF adapter export supports {', '.join(SUPPORTED_ARCHS)}, not '{arch}'"
        )
    arch_enum = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}[arch]
    names = gguf.get_tensor_name_map(arch_enum, int(config.num_hidden_layers))
    n_head = int(config.num_attention_heads)
    n_kv = int(getattr(config, "num_key_value_heads", None) or n_head)
    tensors: dict[str, np.ndarray] = {}
    for key, value in state.items():
        match = _KEY.match(key)
        if match is None:
            raise RadgenError(f"not a LoRA factor: {key}")
        module, factor = match["module"], match["factor"]
        target = names.get_name(module + ".weight", try_suffixes=(".weight",))
        if target is None:
            raise RadgenError(f"no llama.cpp tensor for {module}")
        array = value.float().cpu().numpy()
        if factor == "B" and arch == "llama" and module.endswith(("q_proj", "k_proj")):
            array = _permute_rows(array, n_head if module.endswith("q_proj") else n_kv)
        tensors[f"{target}.lora_{factor.lower()}"] = np.ascontiguousarray(array, np.float32)
    return tensors


def write_gguf_adapter(model: Any, options: LoraOptions, base_gguf: Path, out: str | Path) -> Path:
    """Write the model's LoRA adapter as a llama.cpp GGUF adapter for ``base_gguf``."""
    import gguf

    from radgen.text.finetune.lora import adapter_state

    arch = gguf_architecture(base_gguf)
    config = model.get_base_model().config if hasattr(model, "get_base_model") else model.config
    tensors = gguf_adapter_tensors(adapter_state(model), config, arch)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    writer = gguf.GGUFWriter(str(tmp), arch=arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(options.alpha))
    for name, array in sorted(tensors.items()):
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out)
    return out


def export_run(
    model: Any, options: LoraOptions, base_gguf: Path, run: RunDir, meta: dict[str, Any]
) -> Path:
    """The run's adapter as ``adapter.gguf`` plus ``model.json``, registered under the run
    folder's name."""
    adapter = write_gguf_adapter(model, options, base_gguf, run.root / ADAPTER_GGUF)
    meta = {**meta, "base_gguf": str(base_gguf), "run": str(run.root.resolve())}
    (run.root / MANIFEST).write_text(json.dumps(meta, indent=2) + "\n")
    register(run.root.name, adapter, meta)
    return adapter
