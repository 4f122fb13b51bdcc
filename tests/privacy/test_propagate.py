"""Propagation: a name or identifier found once is redacted wherever it recurs in the same
report, and only distinctive tokens travel (a false hit on a common word cannot spread)."""

import pytest

from radgen.privacy.deid import Deidentifier
from radgen.privacy.propagate import propagate_spans
from radgen.privacy.spans import PHI, Span

REPORT = (
    "NAME: HALVORSEN, TRYGVE\n"
    "EXAM: CT chest\n"
    "Findings: HALVORSEN prior study shows a stable nodule. Trygve reports cough."
    " Results phoned to halvorsen family."
)


@pytest.fixture(scope="module")
def detectors():
    return Deidentifier("redact"), Deidentifier("redact", propagate=False)


def test_a_name_found_in_the_header_is_redacted_where_it_recurs_bare(detectors):
    with_propagation, without = detectors
    out = with_propagation(REPORT)
    assert "Trygve" not in out and "halvorsen" not in out.lower()
    assert "stable nodule" in out and "CT chest" in out
    # without propagation the bare recurrences are what leaks (the reason for the step)
    assert "Trygve" in without(REPORT) or "halvorsen" in without(REPORT)


def test_only_distinctive_tokens_and_digit_identifiers_propagate():
    text = (
        "Dr. White Okonkwo read it. White matter normal. okonkwo agreed. ID 4471-22, again 4471-22."
    )
    spans = [
        Span(4, 17, PHI.NAME, "pattern"),  # "White Okonkwo"
        Span(67, 74, PHI.ID, "pattern"),  # the first "4471-22"
    ]
    found = {text[s.start : s.end] for s in propagate_spans(text, spans)}
    assert found == {"Okonkwo", "okonkwo", "4471-22"}  # "White" is a common word: not spread


def test_propagated_names_never_cut_a_protected_clinical_term(detectors):
    with_propagation, _ = detectors
    text = "Referring: Dr. Hodgkin\nHistory: Hodgkin lymphoma, restaging."
    out = with_propagation(text)
    assert "Hodgkin lymphoma" in out and "Dr. Hodgkin" not in out


def test_a_surname_that_is_a_clinical_word_spreads_only_where_capitalised():
    text = "Patient: Kidney, Hollis\nFindings: right kidney normal. Mr Kidney was told. KIDNEY."
    spans = [Span(9, 15, PHI.NAME, "pattern")]  # "Kidney"
    found = [text[s.start : s.end] for s in propagate_spans(text, spans)]
    assert "kidney" not in found  # anatomy in a sentence
    assert found.count("Kidney") == 2 and "KIDNEY" in found
