"""The real path on SmolLM2-135M: GGUF -> Hugging Face folder -> LoRA SFT through the run loop
-> exact resume -> GGUF adapter that llama.cpp loads and answers with -> registry -> CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from radgen.errors import RadgenError
from radgen.text.finetune.config import FinetuneConfig, LoraOptions
from radgen.text.finetune.convert import load_base_model
from radgen.text.finetune.export import write_gguf_adapter
from radgen.text.finetune.lora import apply_lora
from radgen.text.finetune.registry import finetuned_models, register, resolve_finetuned
from radgen.text.finetune.sft import ADAPTER_DIR, finetune


def _config(csv, out, base, **kw) -> FinetuneConfig:
    settings = dict(n_train=4, eval_examples=2, batch_size=2, max_length=64, lr=1e-3,
                    lora=LoraOptions(rank=2, alpha=4, target_modules=["q_proj", "v_proj"]))  # fmt: skip
    return FinetuneConfig(out=str(out), csv=str(csv), base=base, **{**settings, **kw})


def _adapter(run) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(run / ADAPTER_DIR / "adapter_model.safetensors"))


def test_resume_after_a_kill_gives_the_same_adapter(smollm, reports_csv, tmp_path):
    straight = _config(reports_csv, tmp_path / "straight", smollm, steps=4, checkpoint_every=2)
    finetune(straight, progress=False, export=False)
    first = _config(reports_csv, tmp_path / "resumed", smollm, steps=2, checkpoint_every=2)
    finetune(first, progress=False, export=False)  # "killed" after its step-2 checkpoint
    again = _config(reports_csv, tmp_path / "resumed", smollm, steps=4, checkpoint_every=2)
    summary = finetune(again, resume=True, progress=False, export=False)
    assert summary["steps"] == 4 and summary["reported_unread"] == 6
    a, b = _adapter(tmp_path / "straight"), _adapter(tmp_path / "resumed")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(v.abs().sum() > 0 for k, v in a.items() if "lora_B" in k)


def test_gguf_adapter_loads_in_llamacpp_and_answers(smollm, reports_csv, tmp_path, cli):
    from radgen.text.llm.llamacpp import LlamaCppBackend

    run = tmp_path / "iu-test-sft"
    summary = finetune(_config(reports_csv, run, smollm, steps=2), progress=False)
    assert (run / "adapter.gguf").is_file() and summary["gguf_adapter"].endswith("adapter.gguf")
    base, adapter = resolve_finetuned("iu-test-sft")
    assert base.suffix == ".gguf" and adapter.is_file()
    llm = LlamaCppBackend("iu-test-sft", threads=2, context_length=512)
    answer = llm.chat([{"role": "user", "content": "Lungs are clear. Impression?"}], max_tokens=8)
    assert answer.strip()
    (meta,) = [m for m in finetuned_models() if m["name"] == "iu-test-sft"]
    assert meta["base"] == smollm and meta["task"] == "impression" and meta["kind"] == "sft"
    code, out, _ = cli("models", "list")
    assert code == 0 and "iu-test-sft" in out


def test_exported_adapter_matches_training_in_llamacpp(smollm, tmp_path):
    """llama.cpp's change of logits from the adapter follows transformers'; this fails when
    the query/key rows are not permuted as llama.cpp stores them (correlation about -0.2)."""
    from llama_cpp import Llama

    model, tokenizer, gguf = load_base_model(smollm)
    options = LoraOptions(rank=4, alpha=8, dropout=0.0, target_modules=["q_proj", "k_proj"])
    model = apply_lora(model, options).eval()
    torch.manual_seed(0)
    for name, p in model.named_parameters():
        if "lora_B" in name:
            p.data.normal_(0, 0.1)
    write_gguf_adapter(model, options, gguf, tmp_path / "qk.gguf")
    ids = tokenizer("The lungs are clear. The heart is normal in size. There is no")["input_ids"]
    with torch.no_grad():
        tuned = model(input_ids=torch.tensor([ids])).logits[0].numpy()
        with model.disable_adapter():
            plain = model(input_ids=torch.tensor([ids])).logits[0].numpy()

    def llama_logits(lora: str | None) -> np.ndarray:
        llm = Llama(model_path=str(gguf), lora_path=lora, logits_all=True, n_ctx=128,
                    n_threads=2, verbose=False)  # fmt: skip
        llm.eval(ids)
        return np.array(llm.scores[: len(ids)])

    delta_cpp = llama_logits(str(tmp_path / "qk.gguf")) - llama_logits(None)
    corr = np.corrcoef((tuned - plain).ravel(), delta_cpp.ravel())[0, 1]
    assert corr > 0.6


def test_registry_refuses_bad_names(smollm, tmp_path):
    adapter = tmp_path / "a.gguf"
    adapter.write_bytes(b"GGUF")
    with pytest.raises(RadgenError, match="registry model"):
        register("smollm2-135m", adapter, {})
    with pytest.raises(RadgenError, match="letters, digits"):
        register("../escape", adapter, {})
    assert resolve_finetuned("no-such-model") is None


def test_cli_bad_config_is_one_clear_error(smollm, reports_csv, tmp_path, cli):
    code, _out, err = cli("text", "finetune", "--csv", reports_csv, "--out", tmp_path / "r",
                         "--set", "lora.rank=0")  # fmt: skip
    assert code != 0 and "rank" in err and "Traceback" not in err
    code, _out, err = cli("text", "finetune", "--csv", reports_csv, "--out", tmp_path / "r2",
                         "--set", "lora.target_modules=[qkv]", "--set", "steps=1")  # fmt: skip
    assert code != 0 and "unknown LoRA target module" in err and "Traceback" not in err
