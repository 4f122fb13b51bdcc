"""Leave-one-batch-out: how the learned matcher scores, and at which bars it names an entry.

The 5-fold cross-validation (``protocol_matcher_cv.py``) mixes every batch of requests in each
fold; a new user's requests come from a writer the matcher never saw. Here each test batch is
scored by the weights that were shipped *before* that batch existed (read from git history):

- written4, by the weights of commit c63bc10 (479 examples, none from written4);
- written5, by the weights of commit c92a184 (652 examples, none from written5);
- written6, by the weights of commit 56f2f99 (818 examples, none from written6; its bars were
  chosen on the first two batches alone, before written6's one run);
- written7, by the weights of commit e095269 (947 examples, none from written7; added after
  written7's one run, with the bars chosen on written4-6 left as they were for written8).

Two scores per entry are compared: the cosine with the entry's text alone (the matcher before
2026-11-30) and the larger of that and the cosine with the nearest training example labelled
with the entry (the training examples are read from the same commit). For each acceptance
rule (a bar, or a floor with a margin over the runner-up) it reports the in-scope requests
named rightly and wrongly and the out-of-scope requests let through. Written to
``results/protocol_matcher_batches.json``. The rule kept is the one that named most in-scope
requests rightly, averaged over the batches, with no out-of-scope request through and at most
2% named wrongly in any. All four batches are development sets now (their errors were read);
the held-out test of the rule was written6's one run (``bench_protocol.py --extra
written6-held``), then written7's and written8's.

    .venv/bin/python benchmarks/protocol_matcher_batches.py   # about 1 min; needs git history
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from itertools import product
from pathlib import Path

import numpy as np

from common import ROOT, write_result
from radgen.errors import RadgenError
from radgen.text.protocol.guidance import load_guidance
from radgen.text.protocol.matcher import LearnedMatcher, nearest_of_each
from radgen.text.protocol.matcher_train import bundled_examples_path

REPO = ROOT.parent
ASSET = "src/radgen/assets/protocol"
# batch: the commit before its run
BATCHES = {
    "written4": "c63bc10",
    "written5": "c92a184",
    "written6": "56f2f99",
    "written7": "e095269",
}
BARS = (0.7, 0.75, 0.8, 0.85, 0.9)
FLOORS = (0.4, 0.5, 0.6, 0.7)
MARGINS = (0.1, 0.15, 0.2, 0.25, 1.0)  # 1.0: the bar alone
# the least lead a score above the bar needs (a near tie at 0.94 named a hip fracture for
# renal colic in written6)
BAR_LEADS = (0.0, 0.02, 0.05, 0.1)
MAX_WRONG = 0.02
PREVIOUS = (0.7, 0.5, 0.25, 0.0)  # the rule chosen for entry text alone (protocol_matcher_cv.py)


def git_file(commit: str, path: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError) as err:
        raise RadgenError(f"needs the git history (commit {commit})") from err


def scores(commit: str, test: list[dict], ids: list[str], texts: list[str]) -> dict:
    """(requests x entries) scores from the weights and examples of ``commit``."""
    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp) / "matcher.pt"
        weights.write_bytes(git_file(commit, f"{ASSET}/entry_matcher.pt"))
        matcher = LearnedMatcher(weights)
        raw = git_file(commit, f"{ASSET}/examples.jsonl").decode().splitlines()
        train = [json.loads(x) for x in raw if x.strip()]
        queries = matcher.encode([r["request"] for r in test])
        entry = queries @ matcher.encode(texts).T
        near = queries @ matcher.encode([r["request"] for r in train]).T
    labels = np.array([r["entry"] for r in train])
    best = np.maximum(entry, nearest_of_each(near, labels, ids))
    none = nearest_of_each(near, labels, ["none"])
    return {
        "entry text": entry,
        "entry text or nearest example": best,
        # out-of-scope examples compete: a request nearer to one than to an entry's best
        # evidence names nothing, and the lead is over the nearer of runner-up and "none"
        "entry text or nearest example, none competes": np.concatenate([best, none], 1),
    }


def tally(s: np.ndarray, gold: list[str], ids: list[str], rule: tuple) -> dict:
    """A score column past the entries is "none": naming it names nothing."""
    bar, floor, margin, bar_lead = rule
    ids = [*ids, "none"]
    ranked = np.sort(s, 1)
    best, lead = ranked[:, -1], ranked[:, -1] - ranked[:, -2]
    top = s.argmax(1)
    above = (best >= bar) & (lead > bar_lead)
    accept = (above | ((best >= floor) & (lead >= margin))) & (top < len(ids) - 1)
    right = np.array([ids[t] == g for t, g in zip(top, gold, strict=True)])
    inside = np.array([g != "none" for g in gold])
    return {
        "named_right": round(float((accept & right & inside).sum() / inside.sum()), 3),
        "named_wrong": round(float((accept & ~right & inside).sum() / inside.sum()), 3),
        "out_of_scope_through": int((accept & ~inside).sum()),
    }


def main() -> None:
    entries = list(load_guidance(None).values())
    ids, texts = [e.id for e in entries], [e.text for e in entries]
    rows = [json.loads(x) for x in bundled_examples_path().read_text().splitlines() if x.strip()]
    rules = list(product(BARS, FLOORS, MARGINS, BAR_LEADS))
    table: dict[str, dict] = {}
    for batch, commit in BATCHES.items():
        test = [r for r in rows if r["source"].startswith(f"benchmarks/{batch}:")]
        gold = [r["entry"] for r in test]
        for method, s in scores(commit, test, ids, texts).items():
            inside = [(t, g) for t, g in zip(s.argmax(1), gold, strict=True) if g != "none"]
            top1 = np.mean([t < len(ids) and ids[t] == g for t, g in inside])
            per_rule = {str(rule): tally(s, gold, ids, rule) for rule in rules}
            table.setdefault(method, {})[batch] = {
                "n": len(test),
                "top1_in_scope": round(float(top1), 3),
                "rules": per_rule,
            }
    best: dict[str, dict] = {}
    for method, per_batch in table.items():

        def batches(k: str, per_batch: dict = per_batch) -> list[dict]:
            return [b["rules"][k] for b in per_batch.values()]

        keys = per_batch["written4"]["rules"].keys()
        ok = [
            k
            for k in keys
            if all(
                b["rules"][k]["out_of_scope_through"] == 0
                and b["rules"][k]["named_wrong"] <= MAX_WRONG
                for b in per_batch.values()
            )
        ]
        k = max(ok, key=lambda k: np.mean([r["named_right"] for r in batches(k)]))
        prev = {b: v["rules"][str(PREVIOUS)] for b, v in per_batch.items()}
        best[method] = {"rule (bar, floor, margin, bar lead)": k, "previous rule": prev} | {
            b: v["rules"][k] for b, v in per_batch.items()
        }
        best[method]["top1_in_scope"] = {b: v["top1_in_scope"] for b, v in per_batch.items()}
        # the ten rules within the limits that named most rightly: (rule, right, wrong per batch)
        ok.sort(key=lambda k: -np.mean([r["named_right"] for r in batches(k)]))
        best[method]["runners_up"] = [
            [k, *[[r["named_right"], r["named_wrong"]] for r in batches(k)]] for k in ok[:10]
        ]
        print(f"{method}: {best[method]}")
    write_result(
        "protocol_matcher_batches",
        {"batches": BATCHES, "best": best, "rules_tried": len(rules), "max_wrong": MAX_WRONG},
        show=False,
    )


if __name__ == "__main__":
    main()
