"""Every PHI category is found and replaced; clinical words survive; surrogates are stable."""

import datetime as dt
import re

import pytest

from radgen.privacy.deid import DeidentifiedText, Deidentifier
from radgen.privacy.keystore import KeyStore
from radgen.privacy.surrogates import parse_date


@pytest.fixture(scope="module")
def redactor():
    return Deidentifier("redact")


@pytest.fixture
def pseudo(tmp_path):
    return Deidentifier("pseudonymize", keys=KeyStore(tmp_path / "key.sqlite"))


CASES = [
    ("NAME", "Compared with the study reviewed by Dr. Margaret Kowalski.", "Margaret Kowalski"),
    ("NAME", "Electronically signed by Peter Lindqvist, MD.", "Peter Lindqvist"),
    ("NAME", "Patient: Okafor, Chinwe", "Okafor, Chinwe"),
    ("DATE", "Prior study dated 04/17/2019 is unchanged.", "04/17/2019"),
    ("DATE", "Exam performed on March 3, 2021.", "March 3, 2021"),
    ("DATE", "Comparison 2020-11-02.", "2020-11-02"),
    ("AGE", "93-year-old woman with cough.", "93"),
    ("PHONE", "Findings called to (617) 555-0199 at 14:05.", "(617) 555-0199"),
    ("EMAIL", "Questions to reading.room@stmarys.example.org please.", "reading.room@stmarys.example.org"),
    ("ID", "MRN: 40982211. Heart size normal.", "40982211"),
    ("ID", "Accession # A7730012 reviewed.", "A7730012"),
    ("ADDRESS", "Home address 221 Baker Street, Springfield, IL 62704.", "221 Baker Street, Springfield, IL 62704"),
    ("INSTITUTION", "Outside films from Riverside General Hospital were reviewed.", "Riverside General Hospital"),
    ("LOCATION", "The patient recently travelled from Chicago.", "Chicago"),
    ("URL", "Images at https://pacs.example.org/viewer?id=99 today.", "https://pacs.example.org/viewer?id=99"),
    ("IP", "Sent from workstation 10.20.30.40.", "10.20.30.40"),
    ("DEVICE", "Pacemaker serial number: PM8812X44 noted.", "PM8812X44"),
]  # fmt: skip


@pytest.mark.parametrize(("category", "text", "phi"), CASES)
def test_each_category_is_detected_and_replaced(redactor, pseudo, category, text, phi):
    spans = redactor.detect(text)
    found = {(s.category.value, s.text(text)) for s in spans}
    assert any(c == category and (t == phi or phi in t) for c, t in found), found
    redacted = redactor(text)
    assert phi not in redacted and f"[{category}]" in redacted
    assert phi not in pseudo(text)


def test_clinical_content_is_kept(redactor):
    text = (
        "Hodgkin lymphoma, Wilms tumor, Parkinson disease and Crohn disease history. "
        "LATERAL view: left lower lobe nodule measuring 2.3 cm, right pleural effusion. "
        "No Kerley B lines. T12 compression fracture, 3 ribs. Heart size 14 cm. PA and lateral."
    )
    out = redactor(text)
    assert out == text, out


def test_surrogates_are_consistent_across_documents(pseudo):
    a = pseudo("Reviewed with Dr. Hannah Feldmann on rounds.")
    b = pseudo("Dr. Hannah Feldmann agreed with the impression.")
    name_a = re.search(r"Dr\. (\w+ \w+)", a).group(1)
    assert name_a != "Hannah Feldmann" and f"Dr. {name_a}" in b
    c = pseudo("Patient: Feldmann, Hannah")
    last, first = c.split(": ")[1].split(", ")
    assert f"{first} {last}" == name_a  # the same person, written the other way round


def test_date_shift_keeps_intervals_and_scope(pseudo):
    text = "Baseline 01/10/2020, follow-up 01/20/2020 and 03/10/2020."
    out = pseudo(text, scope="patient-1")
    dates = [parse_date(d)[0] for d in re.findall(r"\d{2}/\d{2}/\d{4}", out)]
    assert len(dates) == 3 and dates[0] != dt.date(2020, 1, 10)
    assert (dates[1] - dates[0]).days == 10 and (dates[2] - dates[0]).days == 60
    again = pseudo("Seen 01/10/2020.", scope="patient-1")
    assert dates[0].strftime("%m/%d/%Y") in again
    other = pseudo("Seen 01/10/2020.", scope="patient-2")
    assert other != again


def test_keep_year_and_reidentification_key(tmp_path):
    keys = KeyStore(tmp_path / "k.sqlite")
    assert Deidentifier("redact", keep_year=True)("Seen on 04/17/2019.") == "Seen on 2019."
    pseudo = Deidentifier("pseudonymize", keys=keys)
    out = pseudo("Read by Dr. Ines Carvalho.")
    surrogate = out.removeprefix("Read by Dr. ").rstrip(".")
    assert keys.lookup(surrogate) == [("NAME", "Ines Carvalho")]


def test_only_the_deidentifier_makes_deidentified_text(redactor):
    with pytest.raises(TypeError):
        DeidentifiedText("John Smith")
    out = redactor("John Smith was seen.")
    assert isinstance(out, DeidentifiedText)
    assert not isinstance(out + " extra", DeidentifiedText)  # edits lose the guarantee


def test_pseudonymisation_needs_a_key_store():
    from radgen.errors import RadgenError

    with pytest.raises(RadgenError, match="key store"):
        Deidentifier("pseudonymize")
