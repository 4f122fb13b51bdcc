"""Text-generation metrics: ROUGE-L and multi-label F1."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence of word tokens, beta = 1)."""
    a, b = _tokens(candidate), _tokens(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    p, r = lcs / len(a), lcs / len(b)
    return 2 * p * r / (p + r)


def multilabel_f1(
    predicted: Iterable[set[str]], gold: Iterable[set[str]], labels: list[str]
) -> dict[str, object]:
    """Micro and macro F1 over ``labels``, with per-label counts."""
    tp = dict.fromkeys(labels, 0)
    fp = dict.fromkeys(labels, 0)
    fn = dict.fromkeys(labels, 0)
    n = 0
    for p, g in zip(predicted, gold, strict=True):
        n += 1
        for label in labels:
            if label in p and label in g:
                tp[label] += 1
            elif label in p:
                fp[label] += 1
            elif label in g:
                fn[label] += 1
    per = {label: 2 * tp[label] / max(1, 2 * tp[label] + fp[label] + fn[label]) for label in labels}
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return {
        "micro_f1": 2 * t / max(1, 2 * t + f_p + f_n),
        "macro_f1": sum(per.values()) / len(labels),
        "per_label_f1": {k: round(v, 4) for k, v in per.items()},
        "reports": n,
    }
