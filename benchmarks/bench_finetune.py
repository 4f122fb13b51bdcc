"""Fine-tuning the local model, base and tuned side by side on the reported IU split.

The real IU chest X-ray reports (../shared, never copied) are split by uid parity, as for the
learned labeler: even uids are the development part (training examples, DPO pairs), odd uids
the reported part, never read by training. Every number below is on a seeded sample of the
reported part, and nothing was tuned on it: the recipe (rank, learning rate, lengths, counts)
was set before the first run from the CPU budget alone.

1. SFT, findings -> impression, trained on the ``impression`` task's own prompt and scored
   through it (``radgen text impression --model NAME --examples none``): ROUGE-L of the base
   model (its default, two fixed examples, and zero-shot), SFT and the extractive baseline
   against the radiologist's impression.
2. SFT, report -> labels JSON (the 9 most frequent IU labels, a bounded schema): micro-F1 and
   valid-JSON rate of base and SFT (the rules beside them, on the same reports).
3. DPO on the impression adapter: chosen = the radiologist's impression where the grounding
   guard passes it; rejected = the SFT model's own impression where the guard flags it, else
   a guard perturbation of the chosen one (negation flipped or added, side swapped, severity
   dropped, finding invented). Reported: guard-clean rate of SFT and DPO impressions, ROUGE-L
   and the output length ratio (DPO is known to game length).
4. The GGUF adapters' speed in llama.cpp, training minutes and peak memory.

    python -m benchmarks.bench_finetune [--n 60] [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_llm import extractive_impression
from benchmarks.common import RESULTS, RUNS, write_result
from benchmarks.guard_perturbations import perturb

from radgen.data import shared_data_dir
from radgen.metrics.text import multilabel_f1, rouge_l
from radgen.text.extract import RuleExtractor, report_labels
from radgen.text.finetune import data as ft
from radgen.text.finetune.config import DpoConfig, FinetuneConfig
from radgen.text.finetune.dpo import preference_tune
from radgen.text.finetune.sft import finetune

BASE = "smollm2-135m"
REJECT_KINDS = (
    "negation_removed",
    "negation_added",
    "side_swapped",
    "severity_dropped",
    "finding_invented",
)


HEADLINE = (
    "impression_rougeL_base", "impression_rougeL_sft", "impression_rougeL_extractive",
    "impression_rougeL_dpo", "base_label_micro_f1", "sft_label_micro_f1", "sft_valid_json_rate",
    "impression_guard_clean_rate_sft", "impression_guard_clean_rate_dpo",
    "output_length_ratio_dpo", "sft_minutes", "dpo_minutes", "distinct_impressions",
)  # fmt: skip


def backend(model: str) -> Any:
    from radgen.text.llm.llamacpp import LlamaCppBackend

    return LlamaCppBackend(model, threads=2, context_length=1024)


def generate(model: str, examples: list[ft.Example], schema: dict | None, max_tokens: int):
    """Greedy answers of ``model`` (a registry or fine-tuned name), with tokens per second."""
    llm = backend(model)
    outputs, t0 = [], time.monotonic()
    for e in examples:
        outputs.append(llm.chat(e.messages, max_tokens=max_tokens, json_schema=schema).strip())
    return outputs, _speed(llm, t0)


def impressions(model: str, findings: list[str], examples: str) -> tuple[list[str], dict]:
    """The product path: ``radgen text impression --model MODEL --examples EXAMPLES``."""
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.generate import impression

    llm, options = backend(model), LLMOptions(examples=examples, max_tokens=80)
    t0 = time.monotonic()
    return [impression(f, llm, options) for f in findings], _speed(llm, t0)


def _speed(llm: Any, t0: float) -> dict[str, float]:
    seconds = time.monotonic() - t0
    tokens = llm.usage.get("completion_tokens", 0)
    return {"seconds": round(seconds, 1), "tokens_per_s": round(tokens / seconds, 1)}


def mean(values: list[float]) -> float:
    return round(sum(values) / max(1, len(values)), 4)


def words(texts: list[str]) -> float:
    return sum(len(t.split()) for t in texts) / max(1, len(texts))


def guard_clean(guard: Any, sources: list[str], outputs: list[str]) -> list[bool]:
    return [not guard.check(s, o).flagged for s, o in zip(sources, outputs, strict=True)]


def dpo_pairs(
    reports: list[ft.Report], sft_outputs: list[str], guard: Any, seed: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Preference pairs from development reports (see the module docstring)."""
    rng, extractor = random.Random(seed), RuleExtractor()
    pairs, counts = [], {"gold_flagged_skipped": 0, "own_output_rejected": 0, "perturbed": 0}
    for report, own in zip(reports, sft_outputs, strict=True):
        example = ft.make_example(report, "impression", ())
        if example is None:
            continue
        if guard.check(report.findings, report.impression).flagged:
            counts["gold_flagged_skipped"] += 1
            continue
        rejected = None
        if own and own != report.impression and guard.check(report.findings, own).flagged:
            rejected = own
            counts["own_output_rejected"] += 1
        else:
            for kind in rng.sample(REJECT_KINDS, len(REJECT_KINDS)):
                edit = perturb(report.impression, kind, rng, extractor)
                if edit is not None:
                    rejected = edit[0]
                    counts["perturbed"] += 1
                    break
        if rejected is not None:
            pairs.append(
                {"prompt": example.messages, "chosen": report.impression, "rejected": rejected}
            )
    return pairs, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60, help="Reported reports scored per task.")
    ap.add_argument("--quick", action="store_true", help="Tiny sizes: a smoke run.")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--note", default="", help="What changed since the previous run.")
    args = ap.parse_args()
    root = shared_data_dir()
    csv_path = None if root is None else root / "iu_xray" / "reports_dev.csv"
    if csv_path is None or not csv_path.is_file():
        raise SystemExit("bench_finetune needs ../shared/data/iu_xray/reports_dev.csv")
    from radgen.text.grounding.guard import GroundingGuard
    from radgen.text.rag.embeddings import SentenceEmbedder

    guard = GroundingGuard(SentenceEmbedder())
    quick = args.quick
    n_eval = 6 if quick else args.n
    sizes = {"n_train": 16, "steps": 2} if quick else {"n_train": 256, "epochs": 1.0}
    runs = RUNS / ("finetune_quick" if quick else "finetune")
    reports = ft.read_reports(csv_path)
    development, reported = ft.split(reports, "odd")
    vocabulary = ft.label_vocabulary(development)
    rng = random.Random(args.seed)
    imp_eval = rng.sample(ft.examples_for(reported, "impression", vocabulary), n_eval)
    lab_eval = rng.sample(ft.examples_for(reported, "labels", vocabulary), n_eval)
    by_uid = {r.uid: r for r in reported}
    result: dict[str, Any] = {
        "model": f"{BASE} (SmolLM2-135M-Instruct, Q4_1 GGUF; trained on its fp32 de-quantised"
        " weights, served as the GGUF with the LoRA adapter)",
        "data": "IU chest X-ray reports: training and DPO pairs from even uids only; scores on"
        f" {n_eval} odd-uid (reported) reports per task, seeded sample",
        "tuned_on_reported_split": False,
        "recipe_chosen_before_first_run": True,
        "quick": quick,
    }

    # --- SFT: two adapters ---------------------------------------------------------------
    sft: dict[str, dict[str, Any]] = {}
    for task, length in (("impression", 192), ("labels", 256)):
        config = FinetuneConfig(
            out=str(runs / f"iu_sft_{task}"), base=BASE, csv=str(csv_path), task=task,
            max_length=length, batch_size=8, lr=3e-4, eval_examples=16, seed=args.seed,
            **sizes,
        )  # fmt: skip
        t0 = time.monotonic()
        sft[task] = finetune(config, overwrite=True, progress=not quick)
        sft[task]["wall_minutes"] = round((time.monotonic() - t0) / 60, 2)
    result["sft_minutes"] = round(sum(s["seconds"] for s in sft.values()) / 60, 2)
    result["sft_runs"] = {k: {key: v[key] for key in ("steps", "seconds", "examples",
                                                       "peak_memory_mb", "last_losses")}
                          for k, v in sft.items()}  # fmt: skip
    result["peak_memory_mb"] = max(s["peak_memory_mb"] for s in sft.values())

    # --- impressions: base, SFT, extractive ---------------------------------------------
    gold = [by_uid[e.uid].impression for e in imp_eval]
    findings = [by_uid[e.uid].findings for e in imp_eval]
    base_imp, base_speed = impressions(BASE, findings, "fixed")  # the default: 2 examples
    base_zero, _ = impressions(BASE, findings, "none")
    sft_imp, sft_speed = impressions("iu_sft_impression", findings, "none")
    extractor = RuleExtractor()
    extractive = [extractive_impression(f, extractor) for f in findings]
    outputs = (("base", base_imp), ("base_zero_shot", base_zero), ("sft", sft_imp),
               ("extractive", extractive))  # fmt: skip
    for name, outs in outputs:
        result[f"impression_rougeL_{name}"] = mean(
            [rouge_l(o, g) for o, g in zip(outs, gold, strict=True)]
        )
    result["impression_guard_clean_rate_base"] = mean(guard_clean(guard, findings, base_imp))
    result["impression_guard_clean_rate_sft"] = mean(guard_clean(guard, findings, sft_imp))
    result["gguf_tokens_per_s"] = {"base": base_speed, "iu_sft_impression": sft_speed}

    # --- labels: base, SFT, rules --------------------------------------------------------
    schema = ft.labels_schema(vocabulary)
    lab_gold = [set(by_uid[e.uid].labels) & set(vocabulary) or {"normal"} for e in lab_eval]
    labels = list(vocabulary)
    for name, model in (("base", BASE), ("sft", "iu_sft_labels")):
        raw, _ = generate(model, lab_eval, schema, 64)
        parsed = [ft.parse_labels(r, vocabulary) for r in raw]
        result[f"{name}_valid_json_rate"] = mean([p is not None for p in parsed])
        predicted = [p or set() for p in parsed]
        f1 = multilabel_f1(predicted, lab_gold, labels)
        result[f"{name}_label_micro_f1"] = round(float(f1["micro_f1"]), 4)
    rules = [
        report_labels(extractor.extract(ft.report_text(by_uid[e.uid]))) & set(vocabulary)
        or {"normal"}
        for e in lab_eval
    ]
    result["rules_label_micro_f1"] = round(
        float(multilabel_f1(rules, lab_gold, labels)["micro_f1"]), 4
    )

    # --- DPO on the impression adapter ----------------------------------------------------
    n_pairs = 8 if quick else 200
    pool = [r for r in development if r.findings and r.impression]
    random.Random(args.seed + 1).shuffle(pool)
    pool = pool[:n_pairs]
    own, _ = impressions("iu_sft_impression", [r.findings for r in pool], "none")
    pairs, pair_counts = dpo_pairs(pool, own, guard, args.seed)
    runs.mkdir(parents=True, exist_ok=True)
    pairs_path = runs / "dpo_pairs.jsonl"
    pairs_path.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    dpo_config = DpoConfig(
        out=str(runs / "iu_dpo_impression"), base=BASE, sft_run=str(runs / "iu_sft_impression"),
        pairs=str(pairs_path), n_pairs=len(pairs), batch_size=4, lr=1e-4, beta=0.1,
        max_length=192, seed=args.seed,
        **({"steps": 2} if quick else {"epochs": 1.0}),
    )  # fmt: skip
    dpo = preference_tune(dpo_config, overwrite=True, progress=not quick)
    result["dpo_minutes"] = round(dpo["seconds"] / 60, 2)
    result["dpo_pairs"] = {"pairs": len(pairs), **pair_counts}
    result["dpo_run"] = {k: dpo[k] for k in ("steps", "seconds", "last_losses", "peak_memory_mb")}
    dpo_imp, dpo_speed = impressions("iu_dpo_impression", findings, "none")
    result["gguf_tokens_per_s"]["iu_dpo_impression"] = dpo_speed
    result["impression_rougeL_dpo"] = mean(
        [rouge_l(o, g) for o, g in zip(dpo_imp, gold, strict=True)]
    )
    result["impression_guard_clean_rate_dpo"] = mean(guard_clean(guard, findings, dpo_imp))
    result["output_length_ratio_dpo"] = round(words(dpo_imp) / max(words(sft_imp), 1e-9), 3)
    result["mean_words"] = {
        "gold": round(words(gold), 1), "base": round(words(base_imp), 1),
        "sft": round(words(sft_imp), 1), "dpo": round(words(dpo_imp), 1),
    }  # fmt: skip
    result["distinct_impressions"] = {
        "gold": len(set(gold)), "base": len(set(base_imp)), "sft": len(set(sft_imp)),
        "dpo": len(set(dpo_imp)), "of": len(gold),
    }  # fmt: skip
    result["examples"] = [
        {"findings": f, "gold": g, "base": b, "sft": s, "dpo": d}
        for f, g, b, s, d in list(zip(findings, gold, base_imp, sft_imp, dpo_imp, strict=True))[:4]
    ]
    result["not_measured"] = (
        "patient-friendly rewrites (rewrite_grade_ok_rate, rewrite_guard_clean_rate_*): no"
        " rewrite adapter was trained; DPO is measured on impressions instead"
    )
    name = "bench_finetune_quick" if quick else "bench_finetune"
    result["run_note"] = args.note
    result["previous_runs"] = previous_runs(RESULTS / f"{name}.json")
    write_result(name, result)


def previous_runs(path: Path) -> list[dict[str, Any]]:
    """The headline numbers of every earlier run, so a rerun never hides the first."""
    if not path.is_file():
        return []
    prior = json.loads(path.read_text(encoding="utf-8"))
    keep = {k: v for k, v in prior.items() if k in HEADLINE or k in ("date", "run_note")}
    return [*prior.get("previous_runs", []), keep]


if __name__ == "__main__":
    main()
