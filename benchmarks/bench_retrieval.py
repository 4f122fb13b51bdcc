"""Retrieval over the starter knowledge pack: recall@1, recall@5 and MRR for dense, BM25
and hybrid (RRF) search, with latency per query.

60 questions written by the project (benchmarks/data/retrieval_questions.jsonl), each with
the section (guidance note) or template that answers it; a hit is a retrieved chunk from it.

    python benchmarks/bench_retrieval.py
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, write_result

from radgen.text.rag.store import KnowledgeBase, starter_documents

QUESTIONS = ROOT / "data" / "retrieval_questions.jsonl"


def _is_gold(section: str, gold: str) -> bool:
    return section == gold or section.endswith(f"> {gold}")


def main() -> None:
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "kb.sqlite")
        t0 = time.monotonic()
        for doc in starter_documents():
            kb.add_file(doc)
        index_s = time.monotonic() - t0
        kb.search("warm up", 1)
        results = {}
        for mode in ("dense", "bm25", "hybrid"):
            ranks, times = [], []
            for item in questions:
                t = time.monotonic()
                hits = kb.search(item["q"], 10, mode)  # type: ignore[arg-type]
                times.append(time.monotonic() - t)
                rank = next(
                    (i for i, h in enumerate(hits, 1) if _is_gold(h.chunk.section, item["gold"])),
                    None,
                )
                ranks.append(rank)
            n = len(ranks)
            results[mode] = {
                "recall_at_1": round(sum(r == 1 for r in ranks) / n, 4),
                "recall_at_5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
                "mrr_at_10": round(sum(1 / r for r in ranks if r) / n, 4),
                "ms_per_query": round(1000 * sum(times) / n, 2),
                "misses_at_5": [
                    q["q"] for q, r in zip(questions, ranks, strict=True) if r is None or r > 5
                ],
            }
        stats = kb.stats()
        kb.close()
    write_result(
        "bench_retrieval",
        {
            "hybrid_recall_at_5": results["hybrid"]["recall_at_5"],
            "questions": len(questions),
            "chunks": stats["chunks"],
            "index_seconds": round(index_s, 2),
            "embedder": stats["embedder"],
            "fusion": "reciprocal rank fusion, k=60",
            "modes": results,
        },
    )


if __name__ == "__main__":
    main()
