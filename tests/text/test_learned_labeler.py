"""The learned labeler: held-out split never read, reproducible training, calibrated ensemble
with the rules, and the CLI's --method choices. Trained here on a small CSV written by the
test (a tiny 1-layer model for a few steps: behaviour, not accuracy)."""

import csv
import json

import numpy as np
import pytest

from radgen.errors import RadgenError
from radgen.text.extract.labeler_train import (
    LabelerTrainConfig,
    held_out_reports,
    read_labelled_reports,
    split_reports,
    train_labeler,
)
from radgen.text.extract.learned import (
    LabelerNet,
    LabelerSpec,
    LabelPolicy,
    LabelRule,
    LearnedLabeler,
    calibrate,
    combine_labels,
)

FINDINGS = {
    "Cardiomegaly": ["The heart is enlarged.", "Cardiomegaly.", "Heart size is increased."],
    "Opacity": ["Patchy opacity in the left base.", "Hazy airspace opacity at the right base."],
    "normal": ["No acute cardiopulmonary abnormality.", "The lungs are clear. Heart normal."],
}


@pytest.fixture(scope="module")
def labelled_csv(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("labels") / "reports.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["uid", "findings", "impression", "Problems"])
        writer.writeheader()
        for uid in range(1, 81):
            label = ["Cardiomegaly", "Opacity", "normal"][uid % 3]
            text = FINDINGS[label][int(rng.integers(len(FINDINGS[label])))]
            problems = label if uid % 2 == 0 else f"{label};OnlyInHeldOut"
            writer.writerow({"uid": uid, "findings": text, "impression": "", "Problems": problems})
    return path


def _config(csv_path, out, **kw) -> LabelerTrainConfig:
    base = dict(csv=str(csv_path), out=str(out), layers=1, rank=4, steps=6, batch_size=8)
    return LabelerTrainConfig(**{**base, **kw})


def test_held_out_reports_are_never_read_for_training(labelled_csv, tmp_path):
    config = _config(labelled_csv, tmp_path / "run")
    train, cal, held = split_reports(read_labelled_reports(config), config)
    assert {r.uid % 2 for r in held} == {1} and {r.uid % 2 for r in train + cal} == {0}
    summary = train_labeler(config, progress=False)
    # the label that occurs only in odd (held-out) reports is never learned
    assert "OnlyInHeldOut" not in summary["labels"]
    assert summary["split"] == {"train": 32, "calibration": 8, "held_out_unread": 40}
    assert [r.uid for r in held_out_reports(config)] == [r.uid for r in held]


def test_training_is_reproducible(labelled_csv, tmp_path):
    texts = ["The heart is enlarged.", "The lungs are clear."]
    probs = []
    for name in ("a", "b"):
        train_labeler(_config(labelled_csv, tmp_path / name), progress=False)
        probs.append(LearnedLabeler(tmp_path / name / "labeler.pt").probabilities(texts))
    np.testing.assert_allclose(probs[0], probs[1], atol=1e-6)
    other = tmp_path / "seed1"
    train_labeler(_config(labelled_csv, other, seed=1), progress=False)
    assert not np.allclose(LearnedLabeler(other / "labeler.pt").probabilities(texts), probs[0])


def test_resume_continues_to_the_same_weights(labelled_csv, tmp_path):
    straight = tmp_path / "straight"
    train_labeler(_config(labelled_csv, straight, checkpoint_every=3), progress=False)
    split = tmp_path / "split"
    train_labeler(_config(labelled_csv, split, steps=3, checkpoint_every=3), progress=False)
    train_labeler(_config(labelled_csv, split, checkpoint_every=3), resume=True, progress=False)
    texts = ["Cardiomegaly.", "Patchy opacity in the left base."]
    np.testing.assert_allclose(
        LearnedLabeler(straight / "labeler.pt").probabilities(texts),
        LearnedLabeler(split / "labeler.pt").probabilities(texts),
        atol=1e-5,
    )


def test_calibration_keeps_rules_where_they_are_right_and_adds_model_recall():
    labels = ("normal", "Cardiomegaly", "Opacity")
    gold = [{"Cardiomegaly"}, {"Cardiomegaly"}, {"normal"}, {"Opacity"}, {"Opacity"}]
    rules = [{"Cardiomegaly"}, {"normal"}, {"normal"}, {"Opacity"}, {"Opacity"}]  # one paraphrase
    probs = np.array(
        [[0.1, 0.9, 0.1], [0.2, 0.8, 0.1], [0.9, 0.1, 0.1], [0.3, 0.1, 0.4], [0.1, 0.1, 0.3]]
    )
    policy, scores = calibrate(probs, rules, gold, labels)
    assert policy.ensemble["Opacity"].combine == "rules"  # the model is weak there: rules kept
    assert scores["Cardiomegaly"]["ensemble"] == 1.0 > scores["Cardiomegaly"]["rules"]
    assert combine_labels({"normal"}, probs[1], labels, policy) == {"Cardiomegaly"}
    restored = LabelPolicy.from_json(json.loads(json.dumps(policy.to_json())))
    assert restored == policy


def test_combine_keeps_unknown_rule_labels_and_drops_normal_beside_findings():
    labels = ("normal", "Cardiomegaly")
    policy = LabelPolicy(ensemble={"normal": LabelRule("rules"), "Cardiomegaly": LabelRule()})
    assert combine_labels({"Spine"}, np.array([0.0, 0.9]), labels, policy) == {
        "Spine",
        "Cardiomegaly",
    }
    assert combine_labels({"normal"}, np.array([0.9, 0.1]), labels, policy) == {"normal"}
    assert combine_labels(set(), np.array([0.1, 0.1]), labels, policy) == {"normal"}


def test_bad_inputs_are_clear_errors(labelled_csv, tmp_path):
    with pytest.raises(RadgenError, match="needs weights"):
        LearnedLabeler(None)
    with pytest.raises(RadgenError, match="not found"):
        LearnedLabeler(tmp_path / "missing.pt")
    with pytest.raises(RadgenError, match="no column"):
        read_labelled_reports(_config(labelled_csv, tmp_path / "r", labels_column="Labels"))
    with pytest.raises(ValueError, match="no such CSV"):
        _config(tmp_path / "absent.csv", tmp_path / "r")
    net = LabelerNet(LabelerSpec(("a", "b"), layers=1, rank=2))
    assert net(*_ids()).shape == (1, 2)


def _ids():
    import torch

    return torch.tensor([[101, 2003, 102, 0]]), torch.tensor([[1, 1, 1, 0]])


def test_extract_method_choices(cli, labelled_csv, tmp_path):
    code, _, err = cli("text", "extract", "--text", "Cardiomegaly.", "--method", "learnt")
    assert code != 0 and "unknown method 'learnt'" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("text", "extract", "--text", "Cardiomegaly.", "--method", "learned")
    assert code != 0 and "train-labeler" in err
    out = tmp_path / "cli_run"
    code, stdout, err = cli(
        "text", "train-labeler", "--csv", labelled_csv, "--out", out,
        "--set", "layers=1", "--set", "steps=4", "--set", "batch_size=8",
    )  # fmt: skip
    assert code == 0, err
    assert "calibration micro-F1" in stdout
    report = "Heart size is increased. No pleural effusion."
    for method in ("learned", "ensemble"):
        code, stdout, err = cli(
            "text", "extract", "--text", report, "--method", method,
            "--labeler", out / "labeler.pt", "--json",
        )  # fmt: skip
        assert code == 0, err
        result = json.loads(stdout)
        assert result["method"] == method and set(result["probabilities"]) >= {"Cardiomegaly"}
        assert bool(result["findings"]) == (method == "ensemble")  # evidence from the rules
