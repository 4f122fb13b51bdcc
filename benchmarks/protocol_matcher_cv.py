"""How the learned entry matcher's confidence bar was chosen: 5-fold cross-validation on the
bundled example requests (``assets/protocol/examples.jsonl``, all from development sets whose
errors were read), grouped so that the two wordings of one fact sheet fall in the same fold.

For each fold a matcher is trained on the other four and scores the held fold. Printed and
written to ``results/protocol_matcher_cv.json``: the learned matcher's entry accuracy alone,
the frozen MiniLM similarity's beside it, and, for each candidate bar, how many in-scope
requests the rules miss that it would rescue and how many out-of-scope requests it would
wrongly match. These are development figures: the rules were fitted to these requests, so
the held-out test is ``bench_protocol.py --extra written4-held``.

    .venv/bin/python benchmarks/protocol_matcher_cv.py   # about 15 min on 2 cores
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import numpy as np

from common import write_result
from radgen.text.protocol.advice import ProtocolAdvisor
from radgen.text.protocol.config import MatcherTrainConfig
from radgen.text.protocol.matcher import LearnedMatcher
from radgen.text.protocol.matcher_train import bundled_examples_path, train_matcher

FOLDS = 5
BARS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75)


def group_of(source: str) -> str:
    """One fact sheet's wordings share a group ("written2:t02ed" and "written2:t02gp")."""
    name, sid = source.removeprefix("benchmarks/").split(":")
    if name.startswith("written") and sid[-2:] in ("ed", "gp"):
        sid = sid[:-2]
    return f"{name}:{sid}"


def main() -> None:
    rows = [json.loads(x) for x in bundled_examples_path().read_text().splitlines() if x.strip()]
    groups = sorted({group_of(r["source"]) for r in rows})
    random.Random(0).shuffle(groups)
    fold = {g: i % FOLDS for i, g in enumerate(groups)}
    rules = ProtocolAdvisor(matcher="rules")
    entries = list(rules.entries.values())
    ids = np.array([e.id for e in entries])
    scored = []
    for k in range(FOLDS):
        train = [(r["request"], r["entry"]) for r in rows if fold[group_of(r["source"])] != k]
        test = [r for r in rows if fold[group_of(r["source"])] == k]
        with tempfile.TemporaryDirectory() as tmp:
            config = MatcherTrainConfig(out=str(Path(tmp) / "run"))
            summary = train_matcher(config, examples=train, progress=False)
            matcher = LearnedMatcher(summary["weights"])
            for r in test:
                sims = matcher.similarities(r["request"], entries)
                ranked = rules.match(r["request"])
                frozen = {m.entry.id: m.similarity for m in ranked}
                scored.append(
                    {
                        "entry": r["entry"],
                        "learned": ids[int(np.argmax(sims))],
                        "learned_cos": float(np.max(sims)),
                        "frozen": max(frozen, key=frozen.get),
                        "rules_found": ranked[0].score >= rules.threshold,
                    }
                )
        print(f"fold {k + 1}/{FOLDS}: {len(test)} requests", flush=True)
    inside = [s for s in scored if s["entry"] != "none"]
    outside = [s for s in scored if s["entry"] == "none"]

    def rate(rows: list[dict], keep) -> float:
        return round(float(np.mean([keep(s) for s in rows])), 4)

    bars = {
        bar: {
            "in_scope_rescued_right": rate(
                inside, lambda s, b=bar: s["learned_cos"] >= b and s["learned"] == s["entry"]
            ),
            "in_scope_above_bar_wrong": rate(
                inside, lambda s, b=bar: s["learned_cos"] >= b and s["learned"] != s["entry"]
            ),
            "out_of_scope_above_bar": rate(outside, lambda s, b=bar: s["learned_cos"] >= b),
        }
        for bar in BARS
    }
    # The rule, fixed before the run: the lowest bar that no out-of-scope request passes and
    # at which at most 2% of in-scope requests get a wrong entry (a wrong match sends a
    # patient to the wrong test; an abstention sends the request to a radiologist).
    safe = [
        b
        for b, v in bars.items()
        if v["out_of_scope_above_bar"] == 0 and v["in_scope_above_bar_wrong"] <= 0.02
    ]
    result = {
        "n": len(scored),
        "out_of_scope": len(outside),
        "learned_entry_accuracy": rate(inside, lambda s: s["learned"] == s["entry"]),
        "frozen_minilm_entry_accuracy": rate(inside, lambda s: s["frozen"] == s["entry"]),
        "rules_found_in_scope": rate(inside, lambda s: s["rules_found"]),
        "bars": {str(b): v for b, v in bars.items()},
        "chosen_bar": min(safe) if safe else max(BARS),
        "rule": "lowest bar with no out-of-scope request above it and at most 2% of in-scope"
        " requests above it with a wrong entry (else the highest bar)",
        "note": "development figures (5-fold cross-validation by fact sheet on the bundled"
        " examples, whose rules were fitted to them); chooses LEARNED_THRESHOLD in advice.py",
    }
    print(json.dumps(result, indent=1))
    write_result("protocol_matcher_cv", result)


if __name__ == "__main__":
    main()
