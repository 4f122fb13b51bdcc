"""Preliminary reports from the image, on PneumoniaMNIST's validation split (never trained or
calibrated on): findings AUC, calibration error, drafts agreeing with the label
(indeterminate excluded), how many go to review as indeterminate, unsupported statements
(the grounding guard), and end-to-end seconds per image (prediction, saliency, draft, guard).
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import roc_auc_score

from common import RUNS, write_result
from radgen.data import load_dataset
from radgen.image.findings.calibration import expected_calibration_error, softmax
from radgen.image.findings.draft import check_draft, draft_report
from radgen.image.findings.model import FindingsConfig, FindingsModel, findings_json, train_findings


def main() -> None:
    run = RUNS / "findings_model"
    train_result = train_findings(FindingsConfig(out=str(run)), overwrite=True, progress=False)
    model = FindingsModel.load(run)
    val = load_dataset("pneumoniamnist", split="val", size=model.size)
    y = (val.labels == model.positive).astype(int)
    t0 = time.perf_counter()
    probs = model.probability(val.images)
    calls, unsupported, statements = [], 0, 0
    for image, p in zip(val.images, probs, strict=True):
        model.saliency(image)
        findings = findings_json(model, float(p))
        draft = draft_report(findings)
        report = check_draft([v["text"] for v in draft.verdicts], findings)
        statements += len(report.statements)
        unsupported += len(report.flagged)
        calls.append(draft.call)
    seconds = (time.perf_counter() - t0) / len(val.images)
    calls = np.array(calls)
    decided = calls != "indeterminate"
    agree = (calls[decided] == "present") == (y[decided] == 1)
    logits = model.logits(val.images)
    write_result(
        "bench_xray_report",
        {
            "findings_auc": round(float(roc_auc_score(y, probs)), 4),
            "ece": round(
                expected_calibration_error(softmax(logits, model.temperature), val.labels), 4
            ),
            "ece_uncalibrated": round(expected_calibration_error(softmax(logits), val.labels), 4),
            "draft_label_agreement": round(float(agree.mean()), 4),
            "indeterminate_rate": round(float((~decided).mean()), 4),
            "unsupported_statement_rate": round(unsupported / max(statements, 1), 4),
            "seconds_per_image": round(seconds, 4),
            "val_images": len(val.images),
            "thresholds": train_result["thresholds"],
            "temperature": train_result["temperature"],
            "training": train_result,
            "note": "PneumoniaMNIST val split (28x28 resized to 32): never trained or calibrated"
            " on; one finding (pneumonia/opacity) assessed, every other field 'not assessed'",
        },
    )


if __name__ == "__main__":
    main()
