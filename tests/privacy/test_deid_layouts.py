"""Layouts that language models and rich-text exports write: markdown emphasis, bracketed
labels, letters and e-mails. Field labels are not names; the values in them are."""

import pytest

from radgen.privacy.context import _with_name_neighbours
from radgen.privacy.deid import Deidentifier
from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import foreign_script_spans, is_safe_word


@pytest.fixture(scope="module")
def deid():
    return Deidentifier("redact")


def found(deid: Deidentifier, text: str) -> list[str]:
    return [s.text(text) for s in deid.detect(text)]


def test_field_labels_after_a_cue_word_are_not_names(deid):
    text = (
        "**Patient Information:**\n- **Referring Doctor:** Dr CHANA^MANTHAN\n"
        "- **Lori N. Tran, MD** (Referring Doctor)\n[Referring Doctor's Name]"
    )
    hits = " ".join(found(deid, text))
    assert "CHANA^MANTHAN" in hits and "Tran" in hits
    for label in ("Information", "Doctor", "Name"):
        assert label not in hits


def test_a_name_after_a_cue_is_still_found_when_its_words_are_also_common(deid):
    assert "Rose Green" in " ".join(found(deid, "Patient: Rose Green\nFINDINGS: Clear."))
    assert "Man" in " ".join(found(deid, "Dear Dr Man,\nThe lungs are clear."))


def test_names_in_markdown_bold_are_found(deid):
    text = "**ZĀLĪTIS, Uldis** was discharged home.\n**Joseph N. Webb** was admitted."
    hits = " ".join(found(deid, text))
    for word in ("ZĀLĪTIS", "Uldis", "Joseph", "Webb"):
        assert word in hits


def test_a_known_first_name_beside_a_found_surname_is_taken_along(deid):
    text = "The examination was performed by Gary Toolis. We thank Conway, Ben, for the films."
    hits = " ".join(found(deid, text))
    assert "Gary" in hits and "Ben" in hits


def test_the_pronoun_i_and_the_letter_after_a_salutation_survive(deid):
    text = "Dear Dr. Knapp,\n\nI hope this letter finds you well. I am writing about the scan."
    assert found(deid, text) == ["Knapp"]


def test_bracketed_labels_are_labels(deid):
    text = "[RECEIVER'S NAME: Brijesh Dugar]\n[RECEIVER'S TELEPHONE: 5840759408]"
    hits = " ".join(found(deid, text))
    assert "Brijesh Dugar" in hits and "5840759408" in hits
    assert "RECEIVER" not in hits


def test_a_particle_of_a_name_does_not_spread_into_other_words(deid):
    text = "Lien De Wit asked for a de-identification report."
    assert "de-identification" not in " ".join(found(deid, text))


@pytest.mark.parametrize("postcode", ["DN9 1RG", "SW1A 2AA", "E6H 3ZA", "T2K5M5"])
def test_uk_and_canadian_postcodes(deid, postcode):
    assert postcode in " ".join(found(deid, f"Address: 1 Low Road, Powellmouth, {postcode}"))


def test_hyphenated_words_are_safe_when_every_part_is():
    assert is_safe_word("sign-off") and is_safe_word("year-old")
    assert not is_safe_word("Smith-Jones")


def test_names_in_another_script_inside_an_english_report():
    text = (
        "The patient's referring doctor is Μανωλάκης, Ευμορφία, and the radiologist is Μάριος"
        " Κανταρελή. The chest radiograph shows no focal consolidation, effusion or"
        " pneumothorax; a beta-blocker (β) was noted. The heart size is normal."
    )
    hits = [s.text(text) for s in foreign_script_spans(text)]
    assert hits == ["Μανωλάκης", "Ευμορφία", "Μάριος", "Κανταρελή"]
    greek = "Ο ασθενής Μάριος Κανταρελή. Καρδιά φυσιολογική. Πνεύμονες καθαροί."
    assert foreign_script_spans(greek) == []  # a report written in Greek is left alone


# Generator F (development after its one run): layouts of forms, claims and checklists
def test_field_labels_are_not_phi_but_their_values_are(deid):
    text = (
        "- **City:** Port Gloria\n- **Doctor's GMC Number:** 5123870\n"
        "- **E-MAIL:** anna.berg@example.org\n"
        "- **National ID / Social Security Number:** 9718101071\nJohn Smith: 45M, cough"
    )
    hits = found(deid, text)
    for value in ("Port Gloria", "5123870", "anna.berg@example.org", "9718101071"):
        assert value in hits, value
    joined = " ".join(hits)
    for label in ("City", "GMC", "MAIL", "National"):
        assert label not in joined, label
    assert "John Smith" in joined  # a name written as a label stays a name


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Address: Rua Lourenço Pinho\n- City: Alcácer do Sal\nTel: 5", "Alcácer do Sal"),
        ("- **Postcode:** 086 72\n- **Telephone:** none", "086 72"),
        ("| **City: Brandt (SG)** | **Telephone:** 044 123", "Brandt (SG)"),
    ],
)
def test_the_whole_value_of_a_place_field_is_phi(deid, text, value):
    assert value in found(deid, text)


def test_a_blank_place_field_is_no_phi(deid):
    for text in ("City: ____\nFindings: clear", "City: [Insert City]", "Town: N/A"):
        assert found(deid, text) == [], text


def test_an_institution_in_capitals_is_found_whole_unless_it_is_a_department(deid):
    text = "HOSPITAL:\n\nSMITHMOUTH IMAGING CLINIC\n\nRADIOLOGY CLINIC\nGENERAL HOSPITAL"
    assert found(deid, text) == ["SMITHMOUTH IMAGING CLINIC"]


def test_a_known_first_name_and_initial_join_a_found_surname():
    text = "During my examination, I found that Brian M. Compton had a history of asthma."
    start = text.index("Compton")
    span = _with_name_neighbours(Span(start, start + 7, PHI.NAME, "tagger"), text)
    assert span.text(text) == "Brian M. Compton"


def test_placeholders_and_document_headings_are_no_phi(deid):
    text = (
        "**NURSE'S HANDOVER NOTE**\n\n**Ward:** [Insert Ward Name]\n"
        "**Next of Kin to Call:** [Insert Next of Kin's Name]\n[Consultant Radiologist's Name]"
    )
    assert found(deid, text) == []
    assert "Freiburg" in found(deid, "Address:\nBättigstrasse 54\nFreiburg\n9901")
