"""The learned PHI tagger: reproducible training, exact resume, frozen encoder, the shipped
weights, and the synthetic training data."""

import json
import os
import re
import subprocess
import sys

import pytest
import torch

from radgen.errors import RadgenError
from radgen.privacy.deid import Deidentifier
from radgen.privacy.phi_synth import synthetic_corpus
from radgen.privacy.tagger import PHITagger, TaggerNet, TaggerSpec, char_labels, default_weights
from radgen.privacy.tagger_train import (
    TaggerTrainConfig,
    labelled_docs,
    load_tokenizer,
    predict_labels,
    train_tagger,
    windows,
)

TINY = {
    "docs": 12,
    "dev_docs": 5,
    "layers": 1,
    "rank": 4,
    "max_length": 64,
    "batch_size": 4,
    "minutes": None,
    "checkpoint_every": 2,
}


def _weights(path):
    return torch.load(path, weights_only=False)["weights"]


def test_training_is_reproducible_and_resumes_exactly(tmp_path):
    a = train_tagger(TaggerTrainConfig(out=str(tmp_path / "a"), steps=4, **TINY), progress=False)
    b = train_tagger(TaggerTrainConfig(out=str(tmp_path / "b"), steps=4, **TINY), progress=False)
    cfg = TaggerTrainConfig(out=str(tmp_path / "c"), steps=2, **TINY)
    train_tagger(cfg, progress=False)
    c = train_tagger(cfg.model_copy(update={"steps": 4}), resume=True, progress=False)
    wa, wb, wc = (_weights(r["weights"]) for r in (a, b, c))
    assert wa.keys() == wb.keys() == wc.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k  # same seed, same weights
        assert torch.equal(wa[k], wc[k]), k  # killed after step 2 and resumed: the same
    data = windows(synthetic_corpus(3, seed=99), load_tokenizer(), 64)
    preds = []
    for w in (a, b):
        net = TaggerNet(TaggerSpec(layers=1, rank=4))
        net.load_state_dict(torch.load(w["weights"], weights_only=False)["weights"], strict=False)
        preds.append(predict_labels(net, data))
    assert (preds[0] == preds[1]).all()  # same seed, same predictions


def test_only_the_adapter_and_head_train():
    net = TaggerNet(TaggerSpec(layers=2, rank=4))
    trainable = {n for n, p in net.named_parameters() if p.requires_grad}
    assert trainable and all(
        "lora_" in n or "LayerNorm" in n or n.startswith(("shape.", "classifier."))
        for n in trainable
    )
    assert not any("word_embeddings" in n or n.endswith("base.weight") for n in trainable)


def test_shipped_tagger_finds_unseen_formats():
    assert default_weights().exists(), "the package ships the tagger weights"
    tagger = PHITagger()
    text = "Referring: OYELARAN^TEMITOPE  Tel +91 98765 43210\nFINDINGS: Hodgkin lymphoma."
    found = {text[s.start : s.end] for s in tagger.spans(text)}
    assert any("OYELARAN" in f for f in found) and any("98765" in f for f in found)
    assert not any("lymphoma" in f for f in found)
    # The tagger alone may take an eponym for a name ("Hodgkin"); the de-identifier never
    # lets a learned detector cut into a protected clinical term.
    out = Deidentifier()(text)
    assert "OYELARAN" not in out and "98765" not in out and "Hodgkin lymphoma" in out


def test_synthetic_corpus_is_deterministic_and_labelled():
    a, b = synthetic_corpus(20, seed=3), synthetic_corpus(20, seed=3)
    assert [d.text for d in a] == [d.text for d in b]
    spans = [(d.text[s:e], cat) for d in a for s, e, cat in d.spans]
    assert {cat for _, cat in spans} >= {"NAME", "DATE", "ID", "PHONE", "LOCATION"}
    assert all(value == value.strip() and value for value, _ in spans)
    # Header fields that hold no PHI ("Procedure: CT Urogram", "Allergies: NKDA") are taught
    # as such: values after a label are not PHI for sitting there.
    fields = [
        (d, m)
        for d in synthetic_corpus(200, seed=3)
        for m in re.finditer(
            r"^(?:Allergies|Race|Medications|Ethnicity|Chief Complaint)[: -]+([A-Z][\w/ -]*?)$",
            d.text,
            re.M,
        )
    ]
    assert fields
    assert not any(s < m.end(1) and e > m.start(1) for d, m in fields for s, e, _ in d.spans)


@pytest.mark.parametrize("field", ["layers", "rank"])
def test_bad_tagger_config_is_refused(field):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        TaggerTrainConfig(out="x", **{field: 0})


def test_extra_labelled_documents_train_and_ignore_spans(tmp_path):
    """User-labelled JSONL joins the synthetic data; 'ignore' spans carry no loss."""
    text = "Seen by KOWALSKI^ANNA, aged 45, on 14-MAR-24."
    rows = [
        {"text": text, "spans": [[8, 21, "NAME"], [36, 45, "DATE"]], "ignore": [[28, 30]]},
    ]
    path = tmp_path / "extra.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    (doc,) = labelled_docs(path)
    labels = char_labels(doc.text, doc.spans, doc.ignore)
    assert labels[8] == 1 and labels[28] == -100 and labels[0] == 0
    data = windows([doc], load_tokenizer(), 64)
    assert (data["labels"] == -100).any() and (data["labels"] == 1).any()
    cfg = TaggerTrainConfig(
        out=str(tmp_path / "run"), steps=2, extra=str(path), threshold=0.9, **TINY
    )
    assert cfg.extra == [str(path)]
    weights = train_tagger(cfg, progress=False)["weights"]
    assert PHITagger(weights).threshold == 0.9  # saved with the weights
    assert PHITagger(weights, threshold=0.2).threshold == 0.2  # unless given


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('{"spans": []}', "'text' string"),
        ('{"text": "Ann", "spans": [[0, 9, "NAME"]]}', "outside the text"),
        ('{"text": "Ann", "spans": [[0, 3, "PERSON"]]}', "unknown category 'PERSON'"),
        ('{"text": "Ann", "spans": [[0, 3]]}', "start, end, category"),
        ('{"text": "Ann", "ignore": [[0, 3, "AGE"]]}', "start, end]"),
    ],
)
def test_bad_labelled_documents_fail_with_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine", "spans": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(RadgenError, match=r"bad\.jsonl:2") as err:
        labelled_docs(path)
    assert message in str(err.value)
    with pytest.raises(RadgenError, match="not found"):
        labelled_docs(tmp_path / "missing.jsonl")


def test_synthetic_corpus_does_not_depend_on_string_hashing():
    """Faker's it_IT cities came from a set, so the corpus (and the shipped tagger) changed
    with PYTHONHASHSEED from process to process; the 49th document of seed 0 drew one."""
    code = (
        "import hashlib; from radgen.privacy.phi_synth import synthetic_corpus; "
        "print(hashlib.md5(repr([(d.text, d.spans) for d in synthetic_corpus(60)]).encode())"
        ".hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1
