"""Prompt files and the builder: parts, examples (fixed or similar), chain-of-thought."""

import json

import pytest

from radgen.errors import RadgenError
from radgen.text.prompts import available_prompts, build_messages, load_prompt
from radgen.text.prompts.builder import Example, PromptSpec, select_examples, with_reasoning


def test_every_task_has_a_versioned_prompt():
    names = available_prompts()
    for task in ("extract", "structure", "impression", "simplify", "protocol", "rag_answer"):
        assert task in names
        assert load_prompt(task).version >= 1


def test_parts_are_assembled_in_order_with_context_and_examples():
    spec = load_prompt("protocol")
    msgs = build_messages(
        spec,
        "Headache in pregnancy",
        context=["MRI without gadolinium."],
        examples="fixed",
        n_examples=1,
    )
    system = msgs[0]["content"]
    assert msgs[0]["role"] == "system"
    assert system.index(spec.role[:20]) < system.index("Recommend one imaging")
    assert '{"modality"' in system  # {{ }} in the file became literal braces
    assert [m["role"] for m in msgs[1:]] == ["user", "assistant", "user"]
    assert msgs[-1]["content"].startswith("Sources:\n[1] MRI without gadolinium.")
    assert msgs[-1]["content"].endswith("Request:\nHeadache in pregnancy")


def test_similar_examples_are_chosen_by_content():
    pool = [
        Example(input="fracture of the wrist", output="a"),
        Example(input="pleural effusion left", output="b"),
    ]
    assert select_examples(pool, "small left pleural effusion", "similar", 1)[0].output == "b"
    assert select_examples(pool, "small left pleural effusion", "fixed", 1)[0].output == "a"
    assert select_examples(pool, "x", "none", 2) == []


def test_chain_of_thought_keeps_reasoning_apart():
    spec = load_prompt("extract")
    msgs = build_messages(
        spec, "No effusion.", cot=True, n_examples=1, variables={"finding_names": "x"}
    )
    assert "reasoning" in msgs[0]["content"]
    shown = json.loads(msgs[2]["content"])
    assert set(shown) == {"reasoning", "answer"} and "findings" in shown["answer"]
    wrapped = with_reasoning({"type": "object", "properties": {"a": {"type": "string"}}})
    assert wrapped["required"] == ["reasoning", "answer"]


def test_missing_variable_and_unknown_prompt_are_clear():
    spec = PromptSpec(name="t", version=1, role="r", task="grade {grade}", output_format="f")
    with pytest.raises(RadgenError, match="needs the variable"):
        build_messages(spec, "x")
    with pytest.raises(RadgenError, match="no prompt named"):
        load_prompt("nonsense")


def test_prompt_show_cli(cli):
    code, out, _ = cli("text", "prompt", "show", "extract", "--text", "No effusion.")
    assert code == 0 and "extract v1" in out and "No effusion." in out and "cardiomegaly" in out
