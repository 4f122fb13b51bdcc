"""Instruction pairs: the held-out split is never read, the loss covers the answer, long
prompts keep both ends, and the labels schema is bounded."""

from __future__ import annotations

import json

import pytest

from radgen.errors import RadgenError
from radgen.text.finetune import data as ft
from radgen.text.tasks.extract import extraction_schema


class _Tokenizer:
    """Whitespace 'tokens' as their lengths: enough to check the layout of a pair."""

    pad_token_id = 0
    eos_token_id = 1


def test_odd_uids_are_the_reported_split(reports_csv):
    development, reported = ft.split(ft.read_reports(reports_csv), "odd")
    assert {r.uid % 2 for r in development} == {0} and {r.uid % 2 for r in reported} == {1}
    everything, none = ft.split(ft.read_reports(reports_csv), "none")
    assert len(everything) == 12 and none == []


def test_examples_follow_the_task(reports_csv):
    development, _ = ft.split(ft.read_reports(reports_csv), "odd")
    vocabulary = ft.label_vocabulary(development)
    impression = ft.examples_for(development, "impression", vocabulary)
    assert impression[0].answer == development[0].impression
    assert development[0].findings in impression[0].messages[-1]["content"]
    labels = ft.examples_for(development, "labels", vocabulary)
    answers = [json.loads(e.answer)["labels"] for e in labels]
    assert ["Cardiomegaly"] in answers and all(set(a) <= set(vocabulary) for a in answers)


def test_labels_only_on_the_answer_and_long_prompts_keep_both_ends():
    prompt, answer = list(range(10, 40)), [5, 6, 1]
    out = ft.encode_pairs(_Tokenizer(), [prompt, [10, 11]], [answer, answer], max_length=16)
    ids, labels, mask = out["ids"][0].tolist(), out["labels"][0].tolist(), out["mask"][0]
    assert ids[:6] == prompt[:6] and ids[6:13] == prompt[-7:] and ids[13:] == answer
    assert labels[:13] == [ft.IGNORE] * 13 and labels[13:] == answer
    assert int(mask.sum()) == 16
    short = out["labels"][1].tolist()
    assert short[2:5] == answer and short[5:] == [ft.IGNORE] * 11  # padding has no loss


def test_missing_column_is_one_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("uid,findings\n1,Clear lungs.\n")
    with pytest.raises(RadgenError, match=r"no column\(s\) \['impression', 'Problems'\]"):
        ft.read_reports(path)


def test_schemas_are_bounded():
    schema = ft.labels_schema(("normal", "Opacity"))["properties"]["labels"]
    assert schema["maxItems"] == 2 and schema["uniqueItems"] is True
    findings = extraction_schema(cot=False)["properties"]["findings"]
    assert findings["uniqueItems"] is True and findings["maxItems"] >= 1
    assert ft.parse_labels('{"labels": ["normal", "other"]}', ("normal",)) == {"normal"}
    assert ft.parse_labels("normal", ("normal",)) is None


def test_hf_cache_folder_keeps_the_model_name(tmp_path, monkeypatch):
    from radgen.text.finetune.convert import hf_cache_dir

    monkeypatch.setenv("RADGEN_MODEL_DIR", str(tmp_path))
    assert hf_cache_dir("qwen2.5-coder-0.5b") == tmp_path / "hf" / "qwen2.5-coder-0.5b"
    assert hf_cache_dir("/models/My.Model-Q4.gguf") == tmp_path / "hf" / "My.Model-Q4"
