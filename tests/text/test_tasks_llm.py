"""Each report task end to end on the real smallest local model (Qwen2.5-Coder-0.5B)."""

import pytest

from radgen.errors import RadgenError
from radgen.text.tasks.config import LLMOptions
from radgen.text.tasks.extract import extract
from radgen.text.tasks.generate import impression, simplify
from radgen.text.tasks.protocol import Protocol, guidance_context, recommend_protocol
from radgen.text.tasks.structure import structure_report
from radgen.text.tasks.templates import template_fields

REPORT = "Mild cardiomegaly. No pleural effusion or pneumothorax. Small left basilar atelectasis."
OPTS = LLMOptions(max_tokens=256, retries=1)


def test_extract_llm_returns_schema_valid_findings(small_llm):
    result = extract(REPORT, "llm", small_llm, OPTS)
    assert result.ok  # grammar-constrained: always parses
    assert all(f.presence in ("present", "absent", "uncertain") for f in result.findings)
    assert {f.finding for f in result.findings} & {
        "cardiomegaly",
        "pleural_effusion",
        "atelectasis",
    }


def test_structure_llm_fills_every_template_key(small_llm):
    s = structure_report(REPORT, "llm", small_llm, OPTS, hint="Xray Chest PA and Lateral")
    assert s.template == "XRAY_CHEST" and s.ok
    assert set(s.fields) == set(template_fields("XRAY_CHEST"))


def test_structure_hybrid_translates_a_german_report(small_llm):
    s = structure_report("Herz normal groß. Kein Pleuraerguss. Lunge frei.", "hybrid", small_llm, OPTS,
                         template="XRAY_CHEST")  # fmt: skip
    assert s.language == "de" and s.ok and s.method == "hybrid"
    assert set(s.fields) == set(template_fields("XRAY_CHEST"))


def test_impression_and_simplify_write_text(small_llm):
    text = impression(REPORT, small_llm, OPTS)
    assert 5 < len(text) < 600
    simple = simplify(REPORT, small_llm, OPTS, grade=6)
    assert simple.text and simple.grade == simple.grade  # measured, not NaN
    assert simple.source_grade > 0


def test_protocol_with_retrieved_guidance(small_llm, tmp_path, monkeypatch):
    monkeypatch.setenv("RADGEN_KB", str(tmp_path / "kb.sqlite"))
    context = guidance_context("Suspected pulmonary embolism, normal kidney function", k=2)
    assert "pulmonary embolism" in context[0].lower()
    advice = recommend_protocol(
        "Suspected pulmonary embolism in a 50-year-old man.", small_llm, OPTS, context=context
    )
    assert advice.ok and isinstance(advice.protocol, Protocol)


def test_empty_report_is_refused(small_llm):
    with pytest.raises(RadgenError, match="report is empty"):
        extract("   ", "llm", small_llm, OPTS)
