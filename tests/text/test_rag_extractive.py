"""Extractive-first RAG answers: citations that resolve, no sentence that contradicts its
passage, abstention on empty or unrelated knowledge, and JSON that validates."""

import json

import jsonschema
import pytest

from radgen.text.llm.fake import FakeBackend
from radgen.text.rag.extractive import (
    NOT_ANSWERED,
    RagAnswer,
    answer_extractive,
    faithfulness_problems,
    split_sentences,
)
from radgen.text.rag.store import KnowledgeBase, starter_documents


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    base = KnowledgeBase(tmp_path_factory.mktemp("kb") / "kb.sqlite")
    for doc in starter_documents():
        base.add_file(doc)
    yield base
    base.close()


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        (
            "What is the first imaging examination for suspected acute stroke?",
            "non-contrast CT of the head",
        ),
        ("Renal colic in pregnancy: which test first?", "ultrasound"),
        ("Which test replaces CTPA when iodinated contrast is contraindicated?", "V/Q"),
        ("Does uncomplicated acute low back pain need imaging?", "does not need imaging"),
    ],
)
def test_answers_quote_a_sentence_and_cite_it(kb, question, phrase):
    a = answer_extractive(question, kb)
    assert a.answered and phrase.lower() in a.answer.lower()
    assert a.citations, "an answer always carries citations"
    for c in a.citations:
        assert f"[{c.number}]" in a.answer
        assert c.sentence in " ".join(c.passage.split())  # the quote is in the cited passage
        assert c.section and c.source.endswith((".md", ".json"))
        hits = kb.search(question, 4)
        assert hits[c.number - 1].chunk.section == c.section  # [n] resolves to that chunk


def test_a_contradicting_rephrasing_is_never_returned(kb):
    liar = FakeBackend(["CT angiography of the head comes first for suspected stroke."])
    a = answer_extractive("What comes first for suspected acute stroke?", kb, rephrase_with=liar)
    assert a.answered and not a.rephrased and a.dropped
    assert (
        "non-contrast CT of the head" in a.answer
        and "angiography of the head comes" not in a.answer
    )
    faithful = FakeBackend(["For suspected acute stroke, non-contrast CT of the head comes first."])
    b = answer_extractive(
        "What comes first for suspected acute stroke?", kb, rephrase_with=faithful
    )
    assert b.rephrased and b.answer.startswith("For suspected acute stroke")


def test_faithfulness_check_catches_negation_modality_order_and_numbers():
    src = "In children, ultrasound is the first test, within six hours of 2 days."
    assert faithfulness_problems(src, src) == []
    assert faithfulness_problems("In children, CT is the first test.", src)
    assert faithfulness_problems("In children, ultrasound is not needed.", src)
    assert faithfulness_problems("In children, ultrasound comes after CT.", src)
    assert faithfulness_problems("Ultrasound within 3 days.", src)


def test_abstains_on_empty_and_unrelated_knowledge(tmp_path, kb):
    empty = KnowledgeBase(tmp_path / "empty.sqlite")
    a = answer_extractive("What is the first test for suspected DVT?", empty)
    assert not a.answered and a.answer == NOT_ANSWERED and not a.citations
    cooking = tmp_path / "bread.md"
    cooking.write_text("# Bread\n\n## Dough\nKnead the dough for ten minutes and let it rise.\n")
    unrelated = KnowledgeBase(tmp_path / "bread.sqlite")
    unrelated.add_file(cooking)
    b = answer_extractive("What is the first test for suspected DVT?", unrelated)
    assert not b.answered and b.reason
    c = answer_extractive("Who invented the CT scanner?", kb)
    assert not c.answered


def test_json_output_validates_against_its_schema(cli, tmp_path):
    kb_path = tmp_path / "kb.sqlite"
    code, _, err = cli("kb", "add", "--starter", "--kb", kb_path)
    assert code == 0, err
    code, out, err = cli(
        "kb", "ask", "What is the first test for suspected DVT?", "--json", "--kb", kb_path
    )
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, RagAnswer.model_json_schema())
    assert data["answered"] and data["citations"][0]["sentence"]
    code, out, _ = cli("kb", "ask", "What is the first test for suspected DVT?", "--kb", kb_path)
    assert code == 0 and "ultrasound" in out and '"' in out  # the quote under the answer
    code, _, err = cli("kb", "ask", "x", "--method", "magic", "--kb", kb_path)
    assert code == 2 and "unknown method" in err


def test_sentences_are_not_cut_at_semicolons():
    text = "Ultrasound comes first; MRI follows. CT is used in adults."
    assert split_sentences(text) == [
        "Ultrasound comes first; MRI follows.",
        "CT is used in adults.",
    ]
