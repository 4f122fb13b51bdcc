"""From image to preliminary report: calibration, drafts that never turn "not assessed" into
"normal", the guard refusing invented findings, and the image privacy gate for VLMs."""

import base64
import json

import numpy as np
import pytest
from pydicom.data import get_testdata_file

from radgen.errors import RadgenError
from radgen.image.findings.calibration import (
    expected_calibration_error,
    fit_temperature,
    softmax,
)
from radgen.image.findings.draft import NOT_ASSESSED, PRELIMINARY, check_draft, draft_report
from radgen.privacy.gate import PrivacyError
from radgen.privacy.images import local_image, remote_image
from radgen.text.llm.openai_http import OpenAICompatibleBackend


def test_temperature_scaling_lowers_ece_of_an_overconfident_model():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    true_logit = (y * 2 - 1) * 1.0 + rng.normal(0, 1.2, 2000)  # a fair, noisy score
    logits = np.stack([np.zeros(2000), true_logit], 1) * 6.0  # made overconfident
    before = expected_calibration_error(softmax(logits), y)
    t = fit_temperature(logits, y)
    after = expected_calibration_error(softmax(logits, t), y)
    assert t > 2 and after < before / 2 and after < 0.05


@pytest.mark.parametrize("call", ["present", "absent", "indeterminate"])
def test_not_assessed_never_becomes_normal(call):
    findings = {"findings": {"LUNG_OPACITY": {"call": call, "probability": 0.5}}}
    draft = draft_report(findings)
    others = {k: v for k, v in draft.fields["FINDINGS"].items() if k != "LUNG_OPACITY"}
    assert others and all(v == NOT_ASSESSED for v in others.values())
    assert "normal" not in draft.text.lower() and draft.text.startswith(PRELIMINARY)
    if call == "indeterminate":
        assert "needs radiologist review" in draft.fields["IMPRESSION"]


def test_the_guard_rejects_an_invented_finding():
    findings = {"findings": {"LUNG_OPACITY": {"call": "absent", "probability": 0.03}}}
    ok = check_draft(["No lung opacity to suggest pneumonia."], findings)
    assert not ok.flagged
    bad = check_draft(
        ["No lung opacity to suggest pneumonia.", "Large right pleural effusion."], findings
    )
    assert [s.text for s in bad.flagged] == ["Large right pleural effusion."]
    flip = check_draft(["Lung opacity consistent with pneumonia."], findings)
    assert flip.flagged and flip.flagged[0].verdict == "contradicted"


@pytest.fixture(scope="module")
def findings_run(tmp_path_factory):
    from radgen.image.findings.model import FindingsConfig, train_findings

    out = tmp_path_factory.mktemp("findings") / "run"
    result = train_findings(FindingsConfig(out=str(out), steps=80), progress=False)
    return out, result


def test_findings_model_trains_calibrates_and_drafts(findings_run, cli, tmp_path):
    from radgen.data import load_dataset
    from radgen.io import MedicalImage, write_png

    run, result = findings_run
    assert (
        result["val_auc"] > 0.8
        and 0 <= result["thresholds"]["low"] <= result["thresholds"]["high"] <= 1
    )
    assert (run / "report.md").exists() and (run / "figures" / "reliability_after.png").exists()
    val = load_dataset("pneumoniamnist", split="val", size=28)
    for i in range(2):
        write_png(
            MedicalImage((val.images[i].T * 255).astype(np.uint8)),
            tmp_path / f"x{i}.png",
            synthetic=False,
        )
    code, _, err = cli(
        "image",
        "report",
        tmp_path / "x0.png",
        tmp_path / "x1.png",
        "--run",
        run,
        "--out",
        tmp_path / "out",
        "--review",
        tmp_path / "review",
    )
    assert code == 0, err
    draft = (tmp_path / "out" / "x0.draft.txt").read_text()
    assert draft.startswith(PRELIMINARY) and NOT_ASSESSED in draft
    findings = json.loads((tmp_path / "out" / "x0.findings.json").read_text())
    assert findings["preliminary"] and findings["machine_generated"]
    assert (tmp_path / "out" / "x0.saliency.png").exists()
    (tmp_path / "bad.png").write_text("not an image")
    code, _, err = cli(
        "image", "findings", "predict", tmp_path / "bad.png", "--run", run, "--out", tmp_path / "o2"
    )
    assert code == 2 and err.count("\n") == 1


def test_image_gate_refuses_pixels_that_were_not_deidentified(tmp_path, vendor):
    from radgen.privacy.dicom_deid import DicomDeidentifier
    from radgen.privacy.keystore import KeyStore

    raw = get_testdata_file("CT_small.dcm")
    with pytest.raises(RadgenError, match="not de-identified"):
        remote_image(raw)
    DicomDeidentifier(KeyStore(tmp_path / "k.sqlite")).deidentify_file(raw, tmp_path / "ct.dcm")
    image = remote_image(tmp_path / "ct.dcm")
    url, received = vendor
    backend = OpenAICompatibleBackend(url, "vlm", remote=True, audit=None)
    from radgen.privacy.audit import AuditLog

    backend.audit = AuditLog(tmp_path / "audit.sqlite")
    with pytest.raises(PrivacyError):
        backend.describe_image(_trusted("Describe."), local_image(raw))  # raw pixels: refused
    assert received == []
    backend.describe_image(_trusted("Describe."), image)
    parts = received[0]["messages"][0]["content"]
    assert parts[0]["type"] == "text" and parts[1]["type"] == "image_url"
    data = parts[1]["image_url"]["url"]
    assert data.startswith("data:image/png;base64,")
    assert base64.b64decode(data.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def _trusted(text):
    from radgen.privacy.gate import trusted

    return trusted(text)
