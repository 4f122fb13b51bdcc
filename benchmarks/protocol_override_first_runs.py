"""Should a sure learned matcher override an entry the rules named by a phrase?

Each batch is scored as it was at its one held-out run: the engine (rules and matcher) of the
commit before that run, checked out from git history into a temporary worktree and imported
from there. For every valid request where the rules named their entry by a phrase and the
matcher's top entry is another one, it records both, the matcher's score and its lead, and the
sheet's entry. Then, for each override rule (a least score and a least lead, never with an entry
that yields to the rules' one), it counts the overrides that would have been right and wrong.

The rule kept in ``advice.py`` (OVERRIDE_SCORE, OVERRIDE_LEAD) was chosen on written8 to
written11; they are development sets for it. written12 to written15, written after the rule
was chosen and run once on engines that carried it, are its held-out test: the JSON's
``held_out`` counts the kept rule's overrides on them alone (the table pools every batch).
Written to ``results/protocol_override_first_runs.json``.

    .venv/bin/python benchmarks/protocol_override_first_runs.py   # about 3 min; needs git history
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from itertools import product
from pathlib import Path

from common import ROOT, write_result
from radgen.text.protocol.advice import OVERRIDE_LEAD, OVERRIDE_SCORE
from radgen.text.protocol.guidance import load_guidance
from radgen.text.protocol.matcher_train import bundled_examples_path

REPO = ROOT.parent
# batch: the commit its one run was made on
BATCHES = {"written8": "03741e3", "written9": "8d49e30", "written10": "c567824",
           "written11": "c50d286", "written12": "fc28a3d", "written13": "38582ff",
           "written14": "c7e61e9", "written15": "96b624f"}  # fmt: skip
# written after the rule was chosen
HELD_OUT = ("written12", "written13", "written14", "written15")
SCORES = (0.8, 0.85, 0.9, 0.95)
LEADS = (0.0, 0.1, 0.2, 0.3)
# Run inside the old worktree: the rules' entry (found by a phrase?) and the matcher's top entry
PROBE = """
import json, sys
from radgen.text.protocol.advice import ProtocolAdvisor, _precedence
advisor, out = ProtocolAdvisor(), []
for request in json.load(sys.stdin):
    best = _precedence(advisor.match(request), advisor.threshold)
    learned, lead = advisor.learned_match(request)
    out.append({"rules": best.entry.id, "phrase": bool(best.score >= advisor.threshold
                and best.phrase), "learned": learned.entry.id, "score": learned.score,
                "lead": lead})
print(json.dumps(out))
"""


def first_run(commit: str, requests: list[str]) -> list[dict]:
    """The engine of ``commit`` on ``requests``, in a subprocess importing that commit's code."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        git = ["git", "-C", str(REPO)]
        subprocess.run([*git, "worktree", "add", "-q", "--detach", str(tree), commit], check=True)
        try:
            env = {**os.environ, "PYTHONPATH": str(tree / "src")}
            done = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(requests),
                                  capture_output=True, text=True, env=env, check=True)  # fmt: skip
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    yields = {e.id: set(e.yields_to) for e in load_guidance(None).values()}
    rows = [json.loads(x) for x in bundled_examples_path().read_text().splitlines() if x.strip()]
    cases = []
    for batch, commit in BATCHES.items():
        test = [r for r in rows if r["source"].startswith(f"benchmarks/{batch}:")]
        for r, got in zip(test, first_run(commit, [r["request"] for r in test]), strict=True):
            if got["phrase"] and got["learned"] not in (got["rules"], "none"):
                cases.append({"batch": batch, "id": r["source"].split(":")[1],
                              "entry": r["entry"], **got})  # fmt: skip
        print(batch, len(test), "requests", flush=True)
    eligible = [c for c in cases if c["rules"] not in yields[c["learned"]]]
    table = {}
    for score, lead in product(SCORES, LEADS):
        flips = [c for c in eligible if c["score"] >= score and c["lead"] >= lead]
        right = sum(c["learned"] == c["entry"] for c in flips)
        wrong = sum(c["rules"] == c["entry"] for c in flips)
        table[f"{score}/{lead}"] = {"overrides": len(flips), "right": right, "wrong": wrong}
        print(f"score >= {score}, lead >= {lead}: {len(flips)} overrides, {right} right, {wrong}"
              " wrong")  # fmt: skip
    kept = [c for c in eligible if c["score"] >= OVERRIDE_SCORE and c["lead"] >= OVERRIDE_LEAD]
    held = {
        batch: {
            "disagreements": sum(c["batch"] == batch for c in cases),
            "overrides": sum(c["batch"] == batch for c in kept),
            "right": sum(c["batch"] == batch and c["learned"] == c["entry"] for c in kept),
            "wrong": sum(c["batch"] == batch and c["rules"] == c["entry"] for c in kept),
        }
        for batch in HELD_OUT
    }
    print(f"kept rule ({OVERRIDE_SCORE}/{OVERRIDE_LEAD}) on the batches after it: {held}")
    write_result(
        "protocol_override_first_runs",
        {
            "batches": BATCHES,
            "held_out": held,
            "requests": sum(1 for r in rows if r["source"].split(":")[0][11:] in BATCHES),
            "disagreements": len(cases),
            "disagreements_matcher_right": sum(c["learned"] == c["entry"] for c in cases),
            "disagreements_rules_right": sum(c["rules"] == c["entry"] for c in cases),
            "after_yields_to_guard": len(eligible),
            "rules": table,
            "cases": cases,
            "note": "each batch scored by the engine of the commit its one run was made on;"
            " the override rule in advice.py was chosen on written8 to written11 (development"
            " for it); held_out counts it on the batches written after it was chosen",
        },
        show=False,  # the table above is the summary; the JSON holds every case
    )


if __name__ == "__main__":
    main()
