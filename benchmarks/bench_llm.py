"""The language engine on the real IU chest X-ray reports (../shared, never copied).

- Label F1 on the 9 most frequent IU "Problems" labels (normal, Lung, Opacity, Cardiomegaly,
  Pulmonary Atelectasis, Calcinosis, Calcified Granuloma, Thoracic Vertebrae, Cicatrix):
  the rule extractor on all 2,695 reports (and on each half: even uids were used to tune the
  lexicon first), then each local model zero-/few-shot with chain-of-thought off/on, on a
  fixed random subset (the rules are scored on the same subset beside them).
- Structuring: the default pipeline's schema validity and label F1 of its fields; the LLM
  structurer on a subset, with valid-JSON rates before and after repair.
- Impression: ROUGE-L and finding-level agreement against the radiologist's impression.
- Speed: reports/s; tokens/s and peak RAM per model (each model runs in its own process).

    python benchmarks/bench_llm.py [--n 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import RUNS, write_result

from radgen.data import shared_data_dir
from radgen.metrics.text import multilabel_f1, rouge_l
from radgen.text.extract import RuleExtractor, report_labels

LABELS = [
    "normal", "Lung", "Opacity", "Cardiomegaly", "Pulmonary Atelectasis", "Calcinosis",
    "Calcified Granuloma", "Thoracic Vertebrae", "Cicatrix",
]  # fmt: skip
CONFIGS = [  # (model, examples, cot): the grid that fitted this session's CPU budget
    ("qwen2.5-coder-0.5b", "none", False),
    ("qwen2.5-coder-0.5b", "fixed", False),
    ("qwen2.5-coder-0.5b", "fixed", True),
    ("qwen2.5-coder-1.5b", "fixed", False),
    ("smollm2-135m", "fixed", False),
]


def load_reports() -> list[dict[str, str]]:
    path = shared_data_dir() / "iu_xray" / "reports_dev.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["text"] = " ".join(f"{r['findings']} {r['impression']}".split())
        r["gold"] = {p.strip() for p in r["Problems"].split(";")}
    return [r for r in rows if r["text"]]


def subset(rows: list[dict[str, str]], n: int) -> list[dict[str, str]]:
    picked = rows[:]
    random.Random(0).shuffle(picked)
    return picked[:n]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rules_part(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The default pipeline: rule extraction + rule structuring, on every report."""
    from radgen.text.tasks.structure import structure_rules
    from radgen.text.tasks.templates import template_model

    extractor = RuleExtractor()
    t0 = time.monotonic()
    preds, structured_preds, valid = [], [], 0
    model = template_model("XRAY_CHEST")
    for r in rows:
        preds.append(report_labels(extractor.extract(r["text"])))
        s = structure_rules(r["text"], template="XRAY_CHEST")
        model.model_validate(s.fields)  # raises if the output broke the schema
        valid += 1
        structured_preds.append(report_labels(extractor.extract(s.text())))
    seconds = time.monotonic() - t0
    gold = [r["gold"] for r in rows]
    even = [i for i, r in enumerate(rows) if int(r["uid"]) % 2 == 0]
    odd = [i for i, r in enumerate(rows) if int(r["uid"]) % 2 == 1]
    return {
        "extraction": multilabel_f1(preds, gold, LABELS),
        "extraction_tune_half": multilabel_f1(
            [preds[i] for i in even], [gold[i] for i in even], LABELS
        ),
        "extraction_other_half": multilabel_f1(
            [preds[i] for i in odd], [gold[i] for i in odd], LABELS
        ),
        "structuring": multilabel_f1(structured_preds, gold, LABELS),
        "structuring_valid_rate": valid / len(rows),
        "reports_per_s": len(rows) / seconds,
        "reports": len(rows),
    }


def extractive_impression(text: str, extractor: RuleExtractor) -> str:
    """Baseline impression: the sentences with positive findings, else the normal phrase."""
    from radgen.text.extract.context import sentences

    keep = [
        s.text.strip()
        for s in sentences(text)
        if any(
            f.presence != "absent" and f.finding != "other_abnormality"
            for f in extractor.extract(s.text)
        )
    ]
    return " ".join(keep[:3]) or "No acute cardiopulmonary abnormality."


def multilingual(backend: Any, model: str, extractor: RuleExtractor) -> dict[str, Any]:
    """Where the model earns its place: reports in other languages (written by the project,
    benchmarks/data/multilingual_reports.jsonl). Rules alone vs hybrid (model translates,
    rules extract)."""
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.structure import structure_report

    path = Path(__file__).parent / "data" / "multilingual_reports.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    gold = [set(i["gold"]) for i in items]
    rules = [report_labels(extractor.extract(i["text"])) for i in items]
    hybrid, translations = [], []
    for item in items:
        s = structure_report(item["text"], "hybrid", backend, LLMOptions(model=model),
                             template="XRAY_CHEST")  # fmt: skip
        hybrid.append(report_labels(extractor.extract(s.text())))
        translations.append(s.text())
    return {
        "reports": len(items),
        "rules_only_micro_f1": multilabel_f1(rules, gold, LABELS)["micro_f1"],
        "hybrid_micro_f1": multilabel_f1(hybrid, gold, LABELS)["micro_f1"],
        "examples": [
            {"source": i["text"], "translated_structured": t}
            for i, t in list(zip(items, translations, strict=True))[:3]
        ],
    }


def worker(model: str, n: int, threads: int) -> dict[str, Any]:
    """Every LLM measurement of one model, in this process (for its peak RAM)."""
    from radgen.text.llm.llamacpp import LlamaCppBackend
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.extract import extract_llm
    from radgen.text.tasks.generate import impression
    from radgen.text.tasks.structure import structure

    rows = subset(load_reports(), n)
    t_load = time.monotonic()
    backend = LlamaCppBackend(model, threads=threads)
    load_s = time.monotonic() - t_load
    extractor = RuleExtractor()
    out: dict[str, Any] = {"model": model, "load_seconds": round(load_s, 1), "configs": {}}
    gold = [r["gold"] for r in rows]
    out["rules_on_subset"] = multilabel_f1(
        [report_labels(extractor.extract(r["text"])) for r in rows], gold, LABELS
    )
    for m, examples, cot in CONFIGS:
        if m != model:
            continue
        options = LLMOptions(model=model, examples=examples, cot=cot, max_tokens=300, retries=1)
        before = dict(backend.usage)
        t0 = time.monotonic()
        preds, first, ok = [], 0, 0
        for r in rows:
            result = extract_llm(r["text"], backend, options)
            preds.append(report_labels(result.findings))
            first += result.valid_first_try
            ok += result.ok
        seconds = time.monotonic() - t0
        tokens = backend.usage["completion_tokens"] - before["completion_tokens"]
        name = f"{'few-shot' if examples != 'none' else 'zero-shot'}, CoT {'on' if cot else 'off'}"
        out["configs"][name] = {
            **multilabel_f1(preds, gold, LABELS),
            "valid_json_first_try": first / len(rows),
            "valid_json_after_repair": ok / len(rows),
            "reports_per_s": len(rows) / seconds,
            "completion_tokens_per_s": tokens / seconds,
        }
        print(model, name, json.dumps(out["configs"][name]), flush=True)
    # structuring with the model filling the template (English reports, no translation)
    k = min(n, 3)
    t0 = time.monotonic()
    s_first = s_ok = 0
    s_preds = []
    for r in rows[:k]:
        s = structure(r["text"], backend, LLMOptions(model=model, max_tokens=400, retries=1),
                      template="XRAY_CHEST")  # fmt: skip
        s_first += s.valid_first_try
        s_ok += s.ok
        body = s.text()
        s_preds.append(report_labels(extractor.extract(body)) if body else {"normal"})
    out["structuring_llm"] = {
        **multilabel_f1(s_preds, gold[:k], LABELS),
        "valid_json_first_try": s_first / k,
        "valid_json_after_repair": s_ok / k,
        "reports_per_s": k / (time.monotonic() - t0),
    }
    # impressions from the findings section
    imp_rows = [r for r in rows if r["findings"].strip() and r["impression"].strip()][:6]
    gen, base = [], []
    t0 = time.monotonic()
    for r in imp_rows:
        gen.append(impression(r["findings"], backend, LLMOptions(model=model)))
        base.append(extractive_impression(r["findings"], extractor))
    imp_s = time.monotonic() - t0
    ref = [r["impression"] for r in imp_rows]
    ref_labels = [report_labels(extractor.extract(x)) for x in ref]
    out["impression"] = {
        "reports": len(imp_rows),
        "rouge_l": sum(rouge_l(g, x) for g, x in zip(gen, ref, strict=True)) / len(imp_rows),
        "finding_agreement_f1": multilabel_f1(
            [report_labels(extractor.extract(g)) for g in gen], ref_labels, LABELS
        )["micro_f1"],
        "baseline_extractive_rouge_l": sum(rouge_l(b, x) for b, x in zip(base, ref, strict=True))
        / len(imp_rows),
        "baseline_finding_agreement_f1": multilabel_f1(
            [report_labels(extractor.extract(b)) for b in base], ref_labels, LABELS
        )["micro_f1"],
        "seconds_per_impression": imp_s / len(imp_rows),
        "examples": [
            {"generated": g, "radiologist": x} for g, x in list(zip(gen, ref, strict=True))[:3]
        ],
    }
    out["multilingual"] = multilingual(backend, model, extractor)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["usage"] = backend.usage
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20, help="reports per LLM configuration")
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp threads")
    parser.add_argument("--models", help="comma-separated subset of the models (default: all)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(args.worker, args.n, args.threads)), flush=True)
        return
    rows = load_reports()
    rules = rules_part(rows)
    print(
        "rules",
        json.dumps(
            {k: v for k, v in rules.items() if "f1" in str(v)[:20] or k == "reports_per_s"},
            default=str,
        )[:400],
    )
    models = {}
    cache = RUNS / "llm"
    cache.mkdir(parents=True, exist_ok=True)
    wanted = args.models.split(",") if args.models else None
    for model in dict.fromkeys(m for m, _, _ in CONFIGS):
        if wanted is not None and model not in wanted:
            continue
        done = cache / f"{model}_n{args.n}.json"
        if done.exists():
            models[model] = json.loads(done.read_text())
            continue
        cmd = [sys.executable, "-m", "benchmarks.bench_llm", "--worker", model,
               "--n", str(args.n), "--threads", str(args.threads)]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            models[model] = {"error": (proc.stderr or proc.stdout)[-800:]}
            continue
        models[model] = json.loads(lines[-1][7:])
        done.write_text(json.dumps(models[model]))
    best_llm = max(
        (
            (m, name, c["micro_f1"])
            for m, r in models.items()
            for name, c in r.get("configs", {}).items()
        ),
        key=lambda x: x[2],
        default=None,
    )
    write_result(
        "bench_llm",
        {
            "default_model": "qwen2.5-coder-0.5b",
            "default_pipeline": "rules extract and structure (deterministic); the local model"
            " translates non-English reports and writes impressions and patient text",
            "label_micro_f1": round(rules["extraction"]["micro_f1"], 4),
            "rule_baseline_micro_f1": round(rules["extraction"]["micro_f1"], 4),
            "valid_json_rate": rules["structuring_valid_rate"],
            "reports_per_s": round(rules["reports_per_s"], 1),
            "best_llm_extraction": best_llm,
            "rules": rules,
            "llm": models,
            "llm_subset_size": args.n,
            "llama_threads": args.threads,
        },
    )


if __name__ == "__main__":
    main()
