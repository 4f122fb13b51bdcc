"""A protocol scenario set whose wording radgen's author did not write: the local 1.5B model
turns each fact sheet in ``data/protocol_specs_written.jsonl`` into a clinical request, in
two styles (an emergency doctor's terse form, a GP's referral sentences).

The fact sheets and their accepted answers were written from the guidance passages before
any request was generated and before the engine saw any of them. Sheets are split in two by
a fixed shuffle: ``dev`` (its errors may be read and fixed) and ``held`` (run once, never
examined). The writer may drop or change a fact; such label noise is counted, not repaired,
on the held half.

    .venv/bin/python benchmarks/write_protocol_requests.py   # about 15 min on 2 cores
"""

from __future__ import annotations

import hashlib
import json
import random
import time

from common import ROOT
from radgen.text.llm.base import message
from radgen.text.llm.llamacpp import LlamaCppBackend

SPECS = ROOT / "data" / "protocol_specs_written.jsonl"
OUT = ROOT / "data" / "protocol_scenarios_written.jsonl"
WRITER = "qwen2.5-coder-1.5b"
STYLES = {
    "ed": "Write it as a busy emergency doctor fills in an imaging request form: one or two"
    " terse lines, with the abbreviations doctors use (yo, M/F, c/o, hx, ?, w/, o/e). Do not"
    " name any imaging test.",
    "gp": "Write it as a family doctor's referral to radiology: two or three plain sentences"
    " in your own words. Do not name any imaging test.",
}
SYSTEM = (
    "You write realistic clinical requests for testing a hospital system. Use only the facts"
    " given, all of them, in your own words. Answer with the request text only."
)


def main() -> None:
    specs = [json.loads(line) for line in SPECS.read_text().splitlines() if line.strip()]
    order = list(range(len(specs)))
    random.Random(20261129).shuffle(order)
    held = set(order[: len(order) // 2])
    backend = LlamaCppBackend(WRITER, threads=2)
    rows = []
    t0 = time.perf_counter()
    for i, spec in enumerate(specs):
        for style, how in STYLES.items():
            text = backend.chat(
                [
                    message("system", SYSTEM),
                    message("user", f"Facts: {spec['facts']}\n\n{how}"),
                ],
                max_tokens=90,
            )
            request = " ".join(text.strip().strip('"').split())
            row = {
                "id": f"{spec['spec']}{style}",
                "split": "held" if i in held else "dev",
                "request": request,
                "kind": spec["kind"],
                "accept": spec["accept"],
                "style": style,
                "spec": spec["spec"],
            }
            row.update({k: spec[k] for k in ("no_ionising", "no_iodinated") if k in spec})
            rows.append(row)
            print(f"{len(rows)}/{2 * len(specs)} {time.perf_counter() - t0:.0f}s", flush=True)
    OUT.write_text("".join(json.dumps(r) + "\n" for r in rows))
    meta = {
        "writer": WRITER,
        "styles": STYLES,
        "system": SYSTEM,
        "specs_sha256": hashlib.sha256(SPECS.read_bytes()).hexdigest(),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
    }
    OUT.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
