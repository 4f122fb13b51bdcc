"""Schema-checked JSON: first-try validity, repair, bounded retries, reported failures."""

from pydantic import BaseModel

from radgen.text.llm.fake import FakeBackend
from radgen.text.llm.structured import generate_json, repair_json


class Out(BaseModel):
    modality: str
    contrast: bool


MSG = [{"role": "user", "content": "recommend"}]


def test_valid_first_try_and_schema_is_sent():
    fake = FakeBackend(['{"modality": "CT", "contrast": true}'])
    r = generate_json(fake, MSG, Out)
    assert r.ok and r.valid_first_try and r.attempts == 1 and r.value.contrast is True
    assert fake.calls[0]["json_schema"]["properties"]["contrast"]["type"] == "boolean"


def test_near_json_is_repaired_without_a_retry():
    fake = FakeBackend(['Sure! ```json\n{"modality": "CT", "contrast": True,}\n``` Hope it helps'])
    r = generate_json(fake, MSG, Out)
    assert r.ok and r.repaired and not r.valid_first_try and len(fake.calls) == 1


def test_retry_feeds_the_error_back_then_succeeds():
    fake = FakeBackend(['{"modality": "CT"}', '{"modality": "MRI", "contrast": false}'])
    r = generate_json(fake, MSG, Out, retries=2)
    assert r.ok and r.attempts == 2 and r.value.modality == "MRI"
    retry_prompt = fake.calls[1]["messages"][-1]["content"]
    assert "not valid JSON for the schema" in retry_prompt and "contrast" in retry_prompt


def test_failure_is_reported_not_dropped():
    fake = FakeBackend(["I cannot answer that."])
    r = generate_json(fake, MSG, Out, retries=2)
    assert not r.ok and r.value is None and r.attempts == 3 and len(fake.calls) == 3
    assert r.raw == "I cannot answer that." and len(r.errors) == 6


def test_repair_closes_a_cut_off_answer():
    assert repair_json('{"findings": [{"a": "b"') == '{"findings": [{"a": "b"}]}'
    assert repair_json("{'a': None}") == '{"a": null}'
