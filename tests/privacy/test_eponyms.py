"""Eponymous classifications and devices survive in a term's context; the same words as
patients' and doctors' names are still found."""

import pytest

from radgen.privacy.deid import Deidentifier
from radgen.privacy.eponyms import eponym_spans


@pytest.fixture(scope="module")
def deid():
    return Deidentifier("redact")


def found(deid: Deidentifier, text: str) -> list[str]:
    return [s.text(text) for s in deid.detect(text)]


@pytest.mark.parametrize(
    "line",
    [
        "classification: Bosniak",
        "kidney: Bosniak category IIF",
        "osteoarthritis: Kellgren Lawrence",
        "disc degeneration: Pfirrmann",
        "white matter: Fazekas 1",
        "ankle fracture: Weber B",
        "femoral neck: Garden III",
        "dissection: Stanford A / DeBakey I",
        "subarachnoid haemorrhage: Hunt and Hess, modified Fisher",
        "arteriovenous malformation: Spetzler-Martin",
        "cirrhosis: Child-Pugh",
        "avascular necrosis: Ficat and Arlet",
        "tube: Dobhoff, Salem sump",
        "fixation: Kirschner wires, Steinmann pin",
        "pacemaker: Medtronic",
        "operation: Roux-en-Y, Nissen, Billroth II",
    ],
)
def test_classification_and_device_eponyms_in_a_template_survive(deid, line):
    assert found(deid, f"CT report template\n{line}") == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Patient: Martin Weber\nFINDINGS: normal", ["Martin Weber"]),
        ("Name: WEBER, Anna\nReferring: Dr Hunt\nFINDINGS: Fisher grade 3 bleed.", ["WEBER", "Hunt"]),
        ("Mr Weber a 45 year old man. Signed: Martin A Weber", ["Weber", "Martin A Weber"]),
        ("Seen by Dr Glenn Thompson and Dr Evans.", ["Glenn Thompson", "Evans"]),
        ("Patient: Hunt, Marshall\nType: outpatient", ["Hunt", "Marshall"]),
        ("Surgery: Hunt Medical Centre\nFINDINGS: normal", ["Hunt"]),
        ("Referring physician (stent clinic): Weber\nFINDINGS: normal", ["Weber"]),
        ("Pacemaker: Medtronic, implanted by Weber in 2019\nFINDINGS: normal", ["Weber"]),
    ],
)  # fmt: skip
def test_the_same_words_as_names_are_still_found(deid, text, names):
    hits = " ".join(found(deid, text))
    for name in names:
        assert name in hits, name


def test_a_grade_or_head_is_part_of_the_term():
    text = "femoral neck: Garden III; Fisher grade 3"
    spans = [text[a:b] for a, b in eponym_spans(text)]
    assert spans == ["Garden III", "Fisher grade"]
    assert eponym_spans("Mr Weber a 45 year old; Martin A Weber") == []
    assert eponym_spans("Dr Fisher grade 3 haemorrhage; Prof. Garden III") == []
