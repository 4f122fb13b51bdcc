"""The learned condition reader: windows, labels, phrase augmentation, training, and how the
advisor uses what it reads (only what the rules left open, always with a warning)."""

from __future__ import annotations

import json
import random

import pytest
import torch

from radgen.errors import RadgenError
from radgen.text.protocol.advice import ProtocolAdvisor
from radgen.text.protocol.config import ReaderTrainConfig
from radgen.text.protocol.reader import (
    READER_FACTS,
    ConditionReader,
    ReadFact,
    add_read_facts,
    windows,
)
from radgen.text.protocol.reader_train import (
    augmented,
    insert_phrase,
    read_labelled,
    read_phrases,
    train_reader,
)
from radgen.text.protocol.request import parse_request


def test_windows_cover_every_word_and_reach_the_end():
    words = [f"w{i}" for i in range(25)]
    cut = windows(" ".join(words), size=10, stride=3)
    assert all(len(w.split()) == 10 for w in cut)
    assert cut[0].startswith("w0 ") and cut[-1].endswith("w24")
    assert {x for w in cut for x in w.split()} == set(words)
    assert windows("hives after dye", 10, 3) == ["hives after dye"]
    assert windows("   ", 10, 3) == []


def test_labelled_examples_skip_rows_without_conditions_and_refuse_unknown_facts(tmp_path):
    path = tmp_path / "mine.jsonl"
    rows = [
        {"request": "30F, 20w pregnant", "entry": "none", "conditions": ["pregnant"]},
        {"request": "no facts given", "entry": "none"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert read_labelled(path) == [("30F, 20w pregnant", ["pregnant"])]
    path.write_text(json.dumps({"request": "x", "conditions": ["asthma"]}) + "\n")
    with pytest.raises(RadgenError, match="asthma"):
        read_labelled(path)
    path.write_text('{"phrase": "hives after dye", "fact": "contrast_reaction"}\nnot json\n')
    with pytest.raises(RadgenError, match="line 2: expected"):
        read_phrases(path)
    with pytest.raises(ValueError, match="no such examples file"):
        ReaderTrainConfig(out="x", examples=str(tmp_path / "missing.jsonl"))


def test_phrases_go_between_clauses_and_label_only_facts():
    rng = random.Random(0)
    host = "45F, right lower quadrant pain, fever. Suspected appendicitis"
    out = insert_phrase(host, "went blotchy after the CT dye", rng)
    assert "went blotchy after the CT dye" in out
    assert out.replace("went blotchy after the CT dye", "").split() != []
    for piece in ("45F,", "right lower quadrant pain,", "fever.", "Suspected appendicitis"):
        assert piece in out
    examples = [(host, []), ("32F, 12 weeks pregnant, ?DVT", ["pregnant"])]
    phrases = [("blotchy after CT dye", "contrast_reaction"), ("allergic to penicillin", "none")]
    made = augmented(examples, phrases, per_phrase=2, seed=1)
    assert len(made) == 4 and all("32F" not in a.request and a.host == 0 for a in made)
    assert [a.facts for a in made] == [["contrast_reaction"]] * 2 + [[]] * 2
    assert made == augmented(examples, phrases, per_phrase=2, seed=1)


def test_the_bundled_phrases_and_examples_carry_known_labels():
    from radgen.text.protocol.reader_train import bundled_examples_path, bundled_phrases_path

    phrases = read_phrases(bundled_phrases_path())
    assert len(phrases) > 300 and {f for _, f in phrases} == {
        "pregnant", "contrast_reaction", "kidney", "mri_device", "none",
    }  # fmt: skip
    labelled = read_labelled(bundled_examples_path())
    assert len(labelled) > 2000 and sum("contrast_reaction" in f for _, f in labelled) > 40


TOY = [
    ("52M, anaphylaxis to iodinated contrast, ?PE", ["contrast_reaction"]),
    ("60F, hives after CT contrast, suspected appendicitis", ["contrast_reaction"]),
    ("48M, severe reaction to contrast dye before, tearing chest pain", ["contrast_reaction"]),
    ("70F, wheeze and rash after contrast injection, abdominal pain", ["contrast_reaction"]),
    ("55M, pleuritic chest pain, ?PE", []),
    ("30F, right lower quadrant pain, fever", []),
    ("67M, tearing chest pain to the back", []),
    ("40F, penicillin allergy, cough and fever", []),
    ("22M, twisted ankle, cannot bear weight", []),
    ("80F, fall, hip pain, leg shortened", []),
]


def _train(tmp_path, embedder, name: str):
    config = ReaderTrainConfig(
        out=str(tmp_path / name), bundled_examples=False, phrases=False, heads=1, epochs=60
    )
    return train_reader(config, examples=TOY, embedder=embedder)


def test_training_is_reproducible_and_the_reader_reads_what_it_was_taught(tmp_path, embedder):
    first, second = _train(tmp_path, embedder, "a"), _train(tmp_path, embedder, "b")
    a = torch.load(first["weights"], weights_only=False)["heads"][0]
    b = torch.load(second["weights"], weights_only=False)["heads"][0]
    assert all(torch.equal(a[k], b[k]) for k in a)  # same seed, same heads
    reader = ConditionReader(first["weights"], embedder=embedder)
    _, probs = reader.scores("61M, hives after contrast, chest pain")
    assert probs[:, 1].max() > 0.5  # contrast_reaction
    _, probs = reader.scores("35F, twisted knee playing football")
    assert probs[:, 1].max() < 0.5


def test_missing_reader_weights_say_how_to_train_them(tmp_path):
    with pytest.raises(RadgenError, match="protocol-reader-train"):
        ConditionReader(tmp_path / "none.pt")


class FixedReader:
    """Reads one fact with a fixed window, whatever the request (the gate is the test)."""

    def __init__(self, fact: str, condition: str) -> None:
        self.fact, self.condition = fact, condition

    def read(self, request, facts):
        from radgen.text.protocol.reader import left_open

        if not left_open(self.fact, facts):
            return []
        return [ReadFact(self.fact, self.condition, "the window", 0.9)]


def test_the_reader_adds_only_what_the_rules_left_open():
    pregnant = FixedReader("pregnant", "pregnant")
    advisor = ProtocolAdvisor(condition_reader=pregnant)
    for request in (
        "40F, right lower quadrant pain, negative pregnancy test, ?appendicitis",
        "40M, right lower quadrant pain, ?appendicitis",
        "75F, right lower quadrant pain, ?appendicitis",
    ):
        assert advisor.facts(request).read_by_reader == {}, request
    kidney = ProtocolAdvisor(condition_reader=FixedReader("kidney", "iodinated_contraindicated"))
    assert kidney.facts("70M, eGFR 62, ?PE").read_by_reader == {}


def test_a_read_fact_changes_the_answer_and_says_so():
    request = "45F, right lower quadrant pain and fever, ?appendicitis"
    plain = ProtocolAdvisor(reader=False).advise(request)
    assert plain.exam.modality == "CT" and plain.exam.contrast == "iodinated"
    read = ProtocolAdvisor(
        condition_reader=FixedReader("contrast_reaction", "iodinated_contraindicated")
    ).advise(request)
    assert read.exam.contrast != "iodinated"
    assert read.facts.read_by_reader and any("confirm it" in w for w in read.warnings)
    assert "learned reader" in read.facts.evidence["iodinated_contraindicated"]


def test_add_read_facts_leaves_the_rules_facts_alone():
    facts = parse_request("30F, suspected PE")
    read = [ReadFact("pregnant", "pregnant", "20 wks along", 0.8)]
    added = add_read_facts(facts, read)
    assert added.pregnant and "pregnant" in added.conditions and not facts.pregnant
    assert add_read_facts(facts, []) is facts


def test_the_shipped_reader_reads_an_implant_in_shorthand_the_rules_miss():
    # written14's "cochlear I" (development): the rules read no implant and sent a first
    # seizure to MRI; the reader, trained on its sheet's label, reads it
    request = "67M, cochlear I, 1st seizure, recovered"
    rules_only = ProtocolAdvisor(reader=False).advise(request)
    assert rules_only.exam.modality == "MRI"
    advice = ProtocolAdvisor().advise(request)
    assert advice.exam.modality == "CT" and "mri_device" in advice.facts.read_by_reader
    assert any("implant" in w and "confirm it" in w for w in advice.warnings)


def test_cli_trains_a_reader_on_your_examples_and_advises_without_it(tmp_path, cli):
    mine = tmp_path / "mine.jsonl"
    mine.write_text("".join(json.dumps({"request": r, "conditions": f}) + "\n" for r, f in TOY))
    out = tmp_path / "run"
    code, text, err = cli(
        "text", "protocol-reader-train", "--out", out, "--examples", mine,
        "--no-bundled-examples", "--heads", "1", "--epochs", "5",
    )  # fmt: skip
    assert code == 0, err
    assert "10 examples" in text and (out / "condition_reader.pt").exists()
    mine.write_text(json.dumps({"request": "x", "conditions": ["asthma"]}) + "\n")
    code, _, err = cli(
        "text", "protocol-reader-train", "--out", tmp_path / "bad", "--examples", mine,
        "--no-bundled-examples",
    )  # fmt: skip
    assert code != 0 and "asthma" in err
    code, text, _ = cli(
        "text", "protocol", "--request", "67M, cochlear I, 1st seizure, recovered", "--no-reader"
    )
    assert code == 0 and "MRI" in text


@pytest.mark.parametrize(
    ("request_text", "fact"),
    [
        (
            "58M, ?PE. His mother had an anaphylactic reaction to iodinated contrast.",
            "contrast_reaction",
        ),
        ("34F, hx of pregnancy 3 years ago, RLQ pain, ?appendicitis", "pregnant"),
        ("45F, ?renal colic, previous pregnancy in 2019", "pregnant"),
        ("40M, ?appendicitis; his wife is 20 weeks pregnant", "pregnant"),
        ("60M, ?PE; his father is on dialysis.", "kidney"),
        ("55F, first seizure; her husband has a pacemaker.", "mri_device"),
    ],
)
def test_a_relatives_or_a_past_fact_is_set_aside_and_the_reader_cannot_add_it(request_text, fact):
    """ConText's experiencer and temporality, narrowly: the fact is shown to confirm, and
    neither the rules nor a reader that reads it assume it."""
    condition = READER_FACTS[fact]
    advisor = ProtocolAdvisor(condition_reader=FixedReader(fact, condition))
    advice = advisor.advise(request_text)
    assert not advice.facts.has(condition) and fact in advice.facts.set_aside
    assert any("not assumed" in w and "confirm it" in w for w in advice.warnings)


@pytest.mark.parametrize(
    ("request_text", "condition"),
    [
        ("30F, ?appendicitis. Her mother says she is 20 weeks pregnant.", "pregnant"),
        ("29F, ?PE, history of pregnancy-induced hypertension, now 30 weeks pregnant", "pregnant"),
        (
            "40F, ?PE; her mother had a contrast reaction and so did she: anaphylaxis to iodinated contrast in 2019",
            "iodinated_contraindicated",
        ),
        ("38F, previous pregnancy loss, now 8 weeks pregnant, ?appendicitis", "pregnant"),
        ("55F, first seizure; she has a pacemaker, like her husband.", "mri_contraindicated"),
        ("70M, ?PE, on dialysis; his brother is too.", "iodinated_contraindicated"),
    ],
)
def test_the_patients_own_fact_beside_a_relative_or_a_past_one_is_still_read(
    request_text, condition
):
    facts = parse_request(request_text)
    assert facts.has(condition), facts.evidence


def test_not_currently_pregnant_is_a_stated_no():
    facts = parse_request("45F, ?renal colic; previous pregnancy in 2019, not currently pregnant")
    assert facts.pregnancy_stated and not facts.pregnant
