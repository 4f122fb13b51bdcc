"""How the learned entry matcher's confidence bar was chosen: 5-fold cross-validation on the
bundled example requests (``assets/protocol/examples.jsonl``, all from development sets whose
errors were read), grouped so that the wordings of one fact sheet fall in the same fold.

For each fold a matcher is trained on the other four and scores the held fold. Printed and
written to ``results/protocol_matcher_cv.json``: the learned matcher's entry accuracy alone,
the frozen MiniLM similarity's beside it, and, for each candidate bar, how many in-scope
requests it would name rightly and wrongly and how many out-of-scope requests it would let
through; then the same for a lower floor with a margin over the runner-up entry. These are
development figures: the rules were fitted to these requests, so the held-out test is
``bench_protocol.py --extra written5-held`` (written4, the earlier one, is now development).

    .venv/bin/python benchmarks/protocol_matcher_cv.py   # about 20 min on 2 cores
"""

from __future__ import annotations

import json
import random
import re
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
# A lower cosine may also name the entry when it leads the runner-up by this margin.
FLOORS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
MARGINS = (0.15, 0.2, 0.25, 0.3, 0.35)


def group_of(source: str) -> str:
    """One fact sheet's wordings share a group ("written2:t02ed" and "written2:t02gp")."""
    name, sid = source.removeprefix("benchmarks/").split(":")
    if name.startswith("written"):
        sid = re.sub(r"(?:ed|gp|ward|sbar|clinic)$", "", sid)
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
                top2 = np.sort(sims)[-2:]
                ranked = rules.match(r["request"])
                frozen = {m.entry.id: m.similarity for m in ranked}
                scored.append(
                    {
                        "entry": r["entry"],
                        "learned": ids[int(np.argmax(sims))],
                        "learned_cos": float(top2[1]),
                        "learned_margin": float(top2[1] - top2[0]),
                        "frozen": max(frozen, key=frozen.get),
                        "rules_found": ranked[0].score >= rules.threshold,
                    }
                )
        print(f"fold {k + 1}/{FOLDS}: {len(test)} requests", flush=True)
    inside = [s for s in scored if s["entry"] != "none"]
    outside = [s for s in scored if s["entry"] == "none"]

    def rate(rows: list[dict], keep) -> float:
        return round(float(np.mean([keep(s) for s in rows])), 4)

    def tally(accept) -> dict:
        """What one acceptance rule does: in-scope requests it names rightly or wrongly, and
        out-of-scope requests it lets through."""
        return {
            "in_scope_rescued_right": rate(
                inside, lambda s: accept(s) and s["learned"] == s["entry"]
            ),
            "in_scope_above_bar_wrong": rate(
                inside, lambda s: accept(s) and s["learned"] != s["entry"]
            ),
            "out_of_scope_above_bar": rate(outside, accept),
        }

    def safe(v: dict) -> bool:
        # a wrong match sends a patient to the wrong test; an abstention sends the request to
        # a radiologist: no out-of-scope request may pass, at most 2% of in-scope go wrong
        return v["out_of_scope_above_bar"] == 0 and v["in_scope_above_bar_wrong"] <= 0.02

    bars = {bar: tally(lambda s, b=bar: s["learned_cos"] >= b) for bar in BARS}
    # The rule, fixed before the run: the lowest safe bar.
    bar = min((b for b, v in bars.items() if safe(v)), default=max(BARS))
    # Then, fixed before the run too: below that bar, a cosine of at least ``floor`` that
    # leads the runner-up by ``margin`` may also name the entry; of the safe pairs, the one
    # that rescues most (ties: the higher floor, then the larger margin); none if none is safe.
    pairs = {
        f"{floor}+{margin}": tally(
            lambda s, f=floor, m=margin: (
                s["learned_cos"] >= bar or (s["learned_cos"] >= f and s["learned_margin"] >= m)
            )
        )
        for floor in FLOORS
        for margin in MARGINS
        if floor < bar
    }
    best_pair = max(
        (k for k, v in pairs.items() if safe(v)),
        key=lambda k: (pairs[k]["in_scope_rescued_right"], *map(float, k.split("+"))),
        default=None,
    )
    result = {
        "n": len(scored),
        "out_of_scope": len(outside),
        "learned_entry_accuracy": rate(inside, lambda s: s["learned"] == s["entry"]),
        "frozen_minilm_entry_accuracy": rate(inside, lambda s: s["frozen"] == s["entry"]),
        "rules_found_in_scope": rate(inside, lambda s: s["rules_found"]),
        "bars": {str(b): v for b, v in bars.items()},
        "chosen_bar": bar,
        "floor_margin_rules": pairs,
        "chosen_floor_margin": best_pair,
        "rule": "lowest bar with no out-of-scope request above it and at most 2% of in-scope"
        " requests above it with a wrong entry (else the highest bar); then, below that bar, the"
        " (floor, margin over the runner-up) pair that rescues most under the same two limits",
        "note": "development figures (5-fold cross-validation by fact sheet on the bundled"
        " examples, whose rules were fitted to them); chooses LEARNED_THRESHOLD in advice.py",
    }
    print(json.dumps(result, indent=1))
    write_result("protocol_matcher_cv", result)


if __name__ == "__main__":
    main()
