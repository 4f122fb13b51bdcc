"""The learned entry matcher: rules first, the matcher only where they find no entry, its
confidence bar, the safety check on what it finds, the shipped weights on a paraphrase, and
training (reproducible, resumable, clear errors)."""

import json

import numpy as np
import pytest
import torch

from radgen.errors import RadgenError
from radgen.text.protocol.advice import ABSTAIN, ProtocolAdvisor
from radgen.text.protocol.config import MatcherTrainConfig
from radgen.text.protocol.matcher import LearnedMatcher, default_weights
from radgen.text.protocol.matcher_train import bundled_examples_path, read_examples, train_matcher
from tests.text.protocol_doubles import FixedMatcher, Refuses

# Neither a synonym nor the entry text is close enough for the rules
UNMATCHED = "Please advise on imaging for this patient; details as discussed on the phone."


def test_rules_first_a_phrase_stands_unless_the_matcher_is_sure_of_another():
    request = "Suspected appendicitis in a 30-year-old man."
    for learned in (
        FixedMatcher("appendicitis", 0.95),  # agrees
        FixedMatcher("renal-colic", 0.8, others=0.1),  # below the override score
        FixedMatcher("renal-colic", 0.9, others=0.85),  # a near tie
    ):
        advice = ProtocolAdvisor(learned=learned).advise(request)
        assert advice.matched_by == "rules" and advice.source.entry == "appendicitis"
    rules = ProtocolAdvisor(matcher="rules", learned=Refuses()).advise(request)
    assert rules.source.entry == "appendicitis"


def test_a_sure_matcher_overrides_a_rules_phrase_but_not_an_entry_its_own_yields_to():
    """Loin-to-groin pain with blood in the urine: the rules' phrase names haematuria, the
    sure matcher renal colic (written11). A DVT yields to a named pulmonary embolism, so a
    matcher sure of the DVT does not override it."""
    colic = "44F, colicky pain from the right side with microscopic blood in the urine"
    rules = ProtocolAdvisor(matcher="rules").advise(colic)
    assert rules.source.entry == "haematuria"
    advice = ProtocolAdvisor(learned=FixedMatcher("renal-colic", 0.95, others=0.2)).advise(colic)
    assert advice.matched_by == "learned" and advice.source.entry == "renal-colic"
    assert advice.exam.contrast == "none"
    pe = "Suspected pulmonary embolism, swollen left calf, 20 weeks pregnant"
    kept = ProtocolAdvisor(learned=FixedMatcher("deep-vein-thrombosis", 0.95)).advise(pe)
    assert kept.matched_by == "rules" and kept.source.entry == "pulmonary-embolism"


def test_a_confident_learned_match_is_used_and_still_safety_checked():
    advisor = ProtocolAdvisor(learned=FixedMatcher("pulmonary-embolism", 0.9))
    assert advisor.match(UNMATCHED)[0].score < advisor.threshold
    assert advisor.learned_threshold <= 0.9
    advice = advisor.advise(UNMATCHED + " She is 20 weeks pregnant.")
    assert advice.matched_by == "learned" and advice.source.entry == "pulmonary-embolism"
    assert advice.exam.modality == "nuclear medicine"  # pregnancy: V/Q, not CTPA
    assert advice.match_score == pytest.approx(0.9)


def test_an_unsure_learned_match_abstains():
    advisor = ProtocolAdvisor(learned=FixedMatcher("pulmonary-embolism", 0.3))
    assert advisor.learned_floor > 0.3
    advice = advisor.advise(UNMATCHED)
    assert advice.abstained and advice.reason == ABSTAIN and advice.matched_by == "none"
    assert advisor.learned.calls == 1


def test_below_the_bar_a_clear_lead_over_the_runner_up_names_the_entry():
    advisor = ProtocolAdvisor(learned_threshold=0.7, learned_floor=0.5, learned_margin=0.25)
    leads = ProtocolAdvisor(
        learned=FixedMatcher("pulmonary-embolism", 0.6, others=0.3),
        learned_threshold=0.7,
        learned_floor=0.5,
        learned_margin=0.25,
    ).advise(UNMATCHED)
    assert leads.matched_by == "learned" and leads.source.entry == "pulmonary-embolism"
    # the same cosine with a close runner-up, or a clear lead below the floor: abstain
    for cosine, others in ((0.6, 0.4), (0.45, 0.1)):
        advisor.__dict__["learned"] = FixedMatcher("pulmonary-embolism", cosine, others)
        assert advisor.advise(UNMATCHED).abstained


def test_an_entry_that_does_not_lead_the_nearest_out_of_scope_example_is_not_named():
    near_none = FixedMatcher("pulmonary-embolism", 0.95, others=0.1, none=0.97)
    advice = ProtocolAdvisor(learned=near_none).advise(UNMATCHED)
    assert advice.abstained and advice.matched_by == "none"
    # "none" is also the runner-up the margin is measured from
    close = FixedMatcher("pulmonary-embolism", 0.75, others=0.1, none=0.7)
    assert ProtocolAdvisor(learned=close).advise(UNMATCHED).abstained
    clear = FixedMatcher("pulmonary-embolism", 0.75, others=0.1, none=0.5)
    assert ProtocolAdvisor(learned=clear).advise(UNMATCHED).matched_by == "learned"


def test_rules_only_never_consults_the_matcher():
    advice = ProtocolAdvisor(matcher="rules", learned=Refuses()).advise(UNMATCHED)
    assert advice.abstained


def test_unknown_matcher_is_one_clear_error():
    with pytest.raises(RadgenError, match="unknown matcher"):
        ProtocolAdvisor(matcher="magic")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def shipped():
    return ProtocolAdvisor()


def test_shipped_weights_rank_a_paraphrase_the_rules_miss(shipped):
    request = "Cannot find his words and his right hand is clumsy since this morning."
    assert ProtocolAdvisor(matcher="rules").advise(request).abstained
    best, _ = shipped.learned_match(request)
    assert best.entry.id == "acute-stroke"
    # the frozen encoder, which the rules add to the synonyms, ranks it lower
    ranked = [m.entry.id for m in shipped.match(request)]
    assert ranked.index("acute-stroke") > 0


def test_a_weak_nearest_example_names_nothing(shipped):
    """The learned matcher's nearest example is a head injury (cosine 0.57, barely ahead of a
    stroke): below its bars. The rules name the stroke as a phrase ("cannot get his words
    out"), and a phrase is not overruled."""
    request = "Lost the power in his right arm and cannot get his words out, started at 10am."
    best, lead = shipped.learned_match(request)
    assert best.score < shipped.learned_floor or lead < shipped.learned_margin
    advice = shipped.advise(request)
    assert advice.matched_by == "rules" and advice.source.entry == "acute-stroke"


@pytest.mark.parametrize(
    "request_text",
    ["Which laser removes a tattoo best?", "Repeat prescription for hay fever tablets."],
)
def test_shipped_weights_do_not_invent_an_entry(shipped, request_text):
    advice = shipped.advise(request_text)
    assert advice.abstained and advice.matched_by == "none"
    best, lead = shipped.learned_match(request_text)
    assert best.score < shipped.learned_threshold
    assert best.score < shipped.learned_floor or lead < shipped.learned_margin


def test_a_request_worded_like_an_out_of_scope_example_names_nothing(shipped):
    rows = [json.loads(line) for line in bundled_examples_path().read_text().splitlines()]
    outside = next(r["request"] for r in rows if r["entry"] == "none")
    assert shipped.learned.none_similarity(outside) == pytest.approx(1.0, abs=1e-3)
    _, lead = shipped.learned_match(outside)
    assert lead < 0 and shipped.advise(outside).abstained


def test_an_entry_scores_its_nearest_training_example(shipped):
    """A request worded like a training example scores that example's entry by their cosine
    (here the example itself: 1.0), however far it is from the entry's title and synonyms."""
    vectors, labels = shipped.learned.examples
    assert len(labels) > 400 and vectors.shape == (len(labels), 384)
    rows = [json.loads(line) for line in bundled_examples_path().read_text().splitlines()]
    example = next(r for r in rows if r["entry"] == "acute-stroke" and "stroke" not in r["request"])
    entries = list(shipped.entries.values())
    sims = shipped.learned.similarities(example["request"], entries)
    stroke = [e.id for e in entries].index("acute-stroke")
    assert sims[stroke] == pytest.approx(1.0, abs=1e-3) and sims.argmax() == stroke


def test_weights_saved_without_examples_score_entry_texts_alone(tmp_path, shipped):
    state = torch.load(default_weights(), weights_only=False)
    state.pop("examples"), state.pop("example_vectors")
    old = tmp_path / "old.pt"
    torch.save(state, old)
    matcher = LearnedMatcher(old)
    entries = list(shipped.entries.values())
    request = "Lost the power in his right arm and cannot get his words out."
    by_text = matcher.encode([e.text for e in entries]) @ matcher.encode([request])[0]
    assert len(matcher.examples[1]) == 0
    assert np.allclose(matcher.similarities(request, entries), by_text, atol=1e-5)
    assert np.all(shipped.learned.similarities(request, entries) >= by_text - 1e-5)


def test_missing_weights_are_one_clear_error(tmp_path):
    with pytest.raises(RadgenError, match="protocol-train"):
        LearnedMatcher(tmp_path / "none.pt")
    assert default_weights().exists()


def _tiny(tmp_path, name, **kw):
    return MatcherTrainConfig(out=str(tmp_path / name), layers=1, steps=2, batch_size=4, **kw)


EXAMPLES = [
    ("Sudden weakness of the left arm and slurred speech", "acute-stroke"),
    ("Pain moving to the right iliac fossa, fever", "appendicitis"),
    ("Loin to groin pain with blood in the urine", "renal-colic"),
    ("Dry eyes and a dry mouth", "none"),
]


def test_training_is_reproducible_and_resumes(tmp_path):
    first = train_matcher(_tiny(tmp_path, "a"), examples=EXAMPLES, progress=False)
    second = train_matcher(_tiny(tmp_path, "b"), examples=EXAMPLES, progress=False)
    wa = torch.load(first["weights"], weights_only=False)["weights"]
    wb = torch.load(second["weights"], weights_only=False)["weights"]
    assert wa.keys() == wb.keys() and "none_logit" in wa
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    saved = torch.load(first["weights"], weights_only=False)
    assert [tuple(pair) for pair in saved["examples"]] == EXAMPLES  # for the nearest example
    assert saved["example_vectors"].shape == (len(EXAMPLES), 384)  # loading encodes nothing
    matcher = LearnedMatcher(first["weights"])
    sims = matcher.similarities("slurred speech", list(ProtocolAdvisor().entries.values()))
    assert sims.shape == (len(ProtocolAdvisor().entries),) and np.all(np.abs(sims) <= 1.0001)
    more = _tiny(tmp_path, "a").model_copy(update={"steps": 3})
    resumed = train_matcher(more, examples=EXAMPLES, resume=True, progress=False)
    assert resumed["steps"] == 3


def test_bad_examples_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"request": "x"}\n')
    with pytest.raises(RadgenError, match="line 1"):
        read_examples(bad)
    with pytest.raises(RadgenError, match="entries the guidance does not have"):
        train_matcher(_tiny(tmp_path, "c"), examples=[("x", "no-such-entry")], progress=False)
    with pytest.raises(ValueError, match="no such examples file"):
        MatcherTrainConfig(out=str(tmp_path / "d"), examples=[str(tmp_path / "missing.jsonl")])


def test_bundled_examples_name_real_entries():
    from radgen.text.protocol.guidance import load_guidance
    from radgen.text.protocol.matcher_train import bundled_examples_path

    known = set(load_guidance()) | {"none"}
    rows = [json.loads(line) for line in bundled_examples_path().read_text().splitlines()]
    assert len(rows) > 400 and {r["entry"] for r in rows} <= known


def test_cli_trains_on_your_examples_and_advises_with_either_matcher(tmp_path, cli):
    mine = tmp_path / "mine.jsonl"
    mine.write_text("".join(json.dumps({"request": r, "entry": e}) + "\n" for r, e in EXAMPLES))
    out = tmp_path / "run"
    code, text, err = cli(
        "text", "protocol-train", "--out", out, "--examples", mine, "--no-bundled-examples",
        "--layers", "1", "--steps", "1", "--batch-size", "4",
    )  # fmt: skip
    assert code == 0, err
    assert "1 steps on 4 examples" in text and (out / "entry_matcher.pt").exists()
    code, _, err = cli("text", "protocol", "--request", "knitting advice", "--matcher", "magic")
    assert code != 0 and "unknown matcher" in err
    code, text, _ = cli("text", "protocol", "--request", "knitting advice", "--matcher", "rules")
    assert code == 0 and "ask a radiologist" in text


def test_a_sure_learned_matcher_that_names_another_entry_stops_no_imaging():
    """The rules withhold imaging for a headache without red flags; when the learned matcher
    is sure the request is about another entry, the engine abstains instead, or, above the
    override bar, answers for that entry."""
    request = "55M, headaches for a few weeks; his wife says he is not himself"
    rules = ProtocolAdvisor(matcher="rules").advise(request)
    assert rules.imaging_indicated is False and rules.source.entry == "headache-no-red-flags"
    # sure enough to dispute the "no imaging", not to override the rules' phrase: abstain
    disputed = ProtocolAdvisor(learned=FixedMatcher("brain-tumour", 0.7, others=0.1)).advise(
        request
    )
    assert disputed.abstained and "brain tumour" in disputed.reason.lower()
    # sure enough to override: the tumour's MRI
    overridden = ProtocolAdvisor(learned=FixedMatcher("brain-tumour", 0.9)).advise(request)
    assert overridden.matched_by == "learned" and overridden.exam.modality == "MRI"
    agreed = ProtocolAdvisor(learned=FixedMatcher("headache-no-red-flags", 0.9)).advise(request)
    assert agreed.imaging_indicated is False
    unsure = ProtocolAdvisor(learned=FixedMatcher("brain-tumour", 0.3)).advise(request)
    assert unsure.imaging_indicated is False
