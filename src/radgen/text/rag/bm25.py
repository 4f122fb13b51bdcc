"""Okapi BM25 over tokenised chunks (k1 = 1.5, b = 0.75), rebuilt from the store on change."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_STOP = set(
    "a an and are as at be by for from has have in is it its of on or that the this to was"
    " were will with what which who when where how should does do i my".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stop words, with a light plural strip."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return [t[:-1] if len(t) > 4 and t.endswith("s") else t for t in tokens if t not in _STOP]


class BM25:
    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.lengths = np.array([len(d) for d in docs], dtype=np.float64)
        self.avg = float(self.lengths.mean()) if len(docs) else 0.0
        df: Counter[str] = Counter()
        for tf in self.tf:
            df.update(tf.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(len(self.tf))
        if not self.tf:
            return out
        norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avg, 1e-9))
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            f = np.array([tf.get(term, 0) for tf in self.tf], dtype=np.float64)
            out += idf * f * (self.k1 + 1) / (f + norm)
        return out
