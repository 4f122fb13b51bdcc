"""The PHI formats real reports use, in header, inline and signature positions; protected
clinical terms; bad input; surrogates for every category the detectors find."""

import re

import pytest

from radgen.errors import RadgenError
from radgen.privacy.deid import Deidentifier
from radgen.privacy.keystore import KeyStore
from radgen.privacy.zones import protected_spans, zone_spans

# (family, value as written in a report)
FORMATS = [
    ("name in capitals, LAST, FIRST", "KOWALCZYK, AGNIESZKA"),
    ("DICOM name", "OYELARAN^TEMITOPE^B"),
    ("name in capitals", "MAGNUS HALVORSEN"),
    ("DD-MON-YYYY with time", "14-MAR-2024 15:42"),
    ("DD Mon YY", "3 Feb 19"),
    ("partial date, month and day", "March 14"),
    ("compact date", "20230917"),
    ("UK phone", "+44 113 496 0732"),
    ("Indian mobile", "+91 98765 43210"),
    ("extension", "x22863"),
    ("dashed MRN", "47-318-902"),
    ("SSN with spaces", "531 72 9046"),
    ("city and two-letter state", "Tallahassee, FL"),
    ("age over 89", "94-year-old"),
    ("phone in digit pairs", "09 83 13 26"),
    ("phone with an area code in brackets", "(03) 7859 5559"),
    ("phone with country and area code", "+90 (831) 2830347"),
    ("French date", "12 août 2015"),
    ("German date", "3. März 2024"),
    ("ordinal date with of", "31st of March 2025"),
    ("apostrophe year with time", "Aug. 3, '12 14:43"),
    ("German street and number", "Fuchsstrasse 20"),
    ("French street", "12, rue de la Paix"),
    ("Indonesian street", "Jl. Kendalsari No. 8"),
]


def _positions(value: str) -> dict[str, str]:
    return {
        "header": f"Patient details: {value}\nFINDINGS: The lungs are clear.\n",
        "inline": f"FINDINGS: The lungs are clear. Discussed with the family regarding {value}."
        " No effusion.\n",
        "signature": f"IMPRESSION: No acute disease.\n\nElectronically signed: {value}\n",
    }


@pytest.fixture(scope="module")
def deid():
    return Deidentifier("redact")


def _leaks(deid: Deidentifier, text: str, value: str) -> list[str]:
    """Word characters of ``value`` that no detected span covers."""
    start = text.index(value)
    covered = set()
    for s in deid.detect(text):
        covered.update(range(s.start, s.end))
    return [
        m.group(0)
        for m in re.finditer(r"\w+", value)
        if not all(start + i in covered for i in range(m.start(), m.end()))
        and not (value.endswith("-year-old") and m.group(0) in ("year", "old"))
    ]


@pytest.mark.parametrize("position", ["header", "inline", "signature"])
@pytest.mark.parametrize(("family", "value"), FORMATS, ids=[f for f, _ in FORMATS])
def test_each_format_family_is_found_in_every_position(deid, family, value, position):
    text = _positions(value)[position]
    assert _leaks(deid, text, value) == [], (family, position, text)


def test_titled_names_keep_diacritics_apostrophes_and_inner_capitals():
    """A title pattern takes the whole surname, not its ASCII prefix ("Lasi" of "Lasić")."""
    from radgen.privacy.patterns import pattern_spans

    for name in ("Lasić", "Müller", "O'Mcclure", "McDonald", "Smith-Jones", "Ó Cabraigh"):
        text = f"Mrs {name} tolerated the examination."
        assert name in [s.text(text) for s in pattern_spans(text)], name


def test_a_time_after_a_date_is_kept_with_it_when_the_date_joined_an_id(deid):
    text = "BENNETT^CHELSEA^K  34R410702  4/29/21 13:06  Hôpital Smith\nFINDINGS: Clear.\n"
    for value in ("4/29/21 13:06", "BENNETT^CHELSEA^K", "34R410702", "Hôpital Smith"):
        assert _leaks(deid, text, value) == [], value


def test_typist_initials_after_a_slash_but_not_views(deid):
    text = "FINDINGS: PA/lat views. Clear lungs.\nVerified 3/29/12 by PT/pt\n"
    assert _leaks(deid, text, "PT/pt") == []
    assert not any("PA" in s.text(text) for s in deid.detect(text))


def test_transcriptionist_initials_in_the_footer(deid):
    text = (
        "IMPRESSION: Stable.\n\nDictated by: Dr. Ana Ruiz\nAR/kmt  D: 02/03/2024  T: 02/04/2024\n"
    )
    for value in ("AR", "kmt", "Ana Ruiz"):
        assert _leaks(deid, text, value) == [], value


PROTECTED = [
    "Swan-Ganz catheter",
    "Hodgkin lymphoma",
    "non-Hodgkin lymphoma",
    "Kerley B lines",
    "Hampton's hump",
    "Westermark sign",
    "Pancoast tumor",
    "Bochdalek hernia",
    "Port-A-Cath",
    "PleurX catheter",
    "Dobhoff tube",
    "Greenfield filter",
    "Harrington rods",
    "Salter-Harris fracture",
    "Mallory-Weiss tear",
    "Starr-Edwards valve",
    "Kaposi sarcoma",
    "Parkinson disease",
    "Wilms tumor",
    "Crohn disease",
]


@pytest.mark.parametrize("term", PROTECTED)
def test_clinical_eponyms_and_devices_survive(deid, term):
    text = f"FINDINGS: There is a {term} in place. History of {term}.\n"
    assert deid(text) == text


def test_a_doctor_with_an_eponym_surname_is_still_a_name(deid):
    out = deid("Discussed with Dr. Parkinson at the bedside. Parkinson disease is known.")
    assert "Dr. [NAME]" in out and "Parkinson disease" in out


def test_protected_spans_and_zones():
    text = "Patient: ZYLSTRA, WILHELMINA\nFINDINGS: Swan-Ganz catheter tip in the pulmonary artery."
    assert any(text[s:e] == "Swan-Ganz catheter" for s, e in protected_spans(text))
    flagged = {text[s.start : s.end] for s in zone_spans(text)}
    assert {"ZYLSTRA", "WILHELMINA"} <= flagged
    assert not flagged & {"Patient", "FINDINGS", "catheter", "pulmonary"}


@pytest.mark.parametrize(
    ("bad", "message"),
    [("x\x00y", "binary"), ("word " * 500_000, "larger than any report"), (b"bytes", "needs text")],
)
def test_bad_input_gives_one_clear_error(deid, bad, message):
    with pytest.raises(RadgenError, match=message):
        deid.detect(bad)


def test_cli_refuses_empty_binary_and_non_utf8_files(cli, tmp_path):
    cases = {
        "empty.txt": b"  \n",
        "binary.txt": b"MRN\x00\x01\x02",
        "latin1.txt": "Müller".encode("latin-1"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        code, _, err = cli("deid", "text", tmp_path / name, tmp_path / f"out_{name}")
        assert code == 2 and err.count("\n") == 1, (name, err)
        assert ("empty" in err) or ("binary" in err) or ("UTF-8" in err)


def test_surrogates_cover_every_category_consistently(tmp_path):
    deid = Deidentifier("pseudonymize", keys=KeyStore(tmp_path / "k.sqlite"))
    values = {
        "NAME": "Dr. Ingrid Solberg",
        "ID": "MRN 47-318-902",
        "PHONE": "+44 113 496 0732",
        "LOCATION": "Tallahassee, FL",
        "INSTITUTION": "Riverside General Hospital",
        "DATE": "14-MAR-2024",
        "EMAIL": "ingrid.solberg@example.org",
    }
    doc = "FINDINGS: Clear lungs. " + " ".join(f"Note {v}." for v in values.values())
    first, second = deid.deidentify(doc, scope="p1"), deid.deidentify(doc, scope="p1")
    assert str(first.text) == str(second.text)  # the same surrogates across documents
    categories = {s.category.value for s in first.spans}
    assert {"NAME", "ID", "PHONE", "LOCATION", "INSTITUTION", "DATE", "EMAIL"} <= categories
    for value in values.values():
        core = value.split(" ", 1)[-1] if value.startswith(("Dr.", "MRN")) else value
        assert core not in first.text, core


@pytest.mark.parametrize(
    ("text", "element"),
    [
        ("Results were called to J. Synak at noon.", "J. Synak"),
        ("Reported by Porter, J. at the MDT.", "Porter, J"),
        ("Results given by telephone on (03) 7859 5559 today.", "(03) 7859 5559"),
        ("Discussed with Maria da Silva by phone.", "Maria da Silva"),
        ("Discussed with Dr. Jan van der Berg today.", "Jan van der Berg"),
        ("Critical result phoned to Martineau, Arthur D on 213-802-4712.", "Martineau, Arthur D"),
        ("cc: Dr Bieri (GP), Fuchsstrasse 20; Lyon", "Fuchsstrasse 20"),
    ],
)
def test_one_element_is_one_span(deid, text, element):
    """Neighbours of one category split by punctuation or a particle are one redaction."""
    spans = [text[s.start : s.end] for s in deid.detect(text)]
    assert element in spans, spans


class _FixedTagger:
    """A tagger that returns given spans, to set up overlaps the real one makes rarely."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces

    def spans(self, text: str) -> list:
        from radgen.privacy.spans import PHI, Span

        return [
            Span(text.index(p), text.index(p) + len(p), PHI.NAME, "tagger") for p in self.pieces
        ]


def test_a_particle_taken_along_never_makes_overlapping_spans():
    text = "Seen by Maria de Silva today."
    deid = Deidentifier(
        "redact", use_ner=False, use_zones=False, tagger=_FixedTagger(["Maria de", "Silva"])
    )
    spans = deid.detect(text)
    assert [text[s.start : s.end] for s in spans] == ["Maria de Silva"]
    assert deid(text) == "Seen by [NAME] today."


def _span(text: str, piece: str, category: str):
    from radgen.privacy.spans import PHI, Span

    start = text.index(piece)
    return Span(start, start + len(piece), PHI(category), "tagger")


@pytest.mark.parametrize(
    ("text", "found", "category", "element"),
    [
        ("cc: Strada Laura Gheorghiu Nr. 28; x", "Strada Laura Gheorghiu", "NAME",
         "Strada Laura Gheorghiu Nr. 28"),
        ("at Intrarea Stoica Nr. 449 Bl. 36  Sc. 10 Ap. 469, Curtici", "Intrarea Stoica",
         "LOCATION", "Intrarea Stoica Nr. 449 Bl. 36  Sc. 10 Ap. 469"),
        ("Yours sincerely,\nD. Ó Laoidh\n", "Laoidh", "NAME", "Ó Laoidh"),
        ("signed by Éléonore Dos Santos today", "Santos", "NAME", "Éléonore Dos Santos"),
        ("seen at Hall 5 mm nodule", "Hall", "LOCATION", "Hall"),
    ],
)  # fmt: skip
def test_context_taken_along_with_a_found_span(text, found, category, element):
    """House numbers (with building parts) after a street, capitalised particles before a
    name; never a measurement."""
    from radgen.privacy.context import attach_context

    spans = attach_context([_span(text, found, category)], text)
    assert [s.text(text) for s in spans] == [element]


def test_two_particles_join_a_place():
    from radgen.privacy.context import join_neighbours

    text = "Patient lives in Waidhofen an der Ybbs and works."
    spans = [_span(text, "Waidhofen", "LOCATION"), _span(text, "Ybbs", "LOCATION")]
    assert [s.text(text) for s in join_neighbours(spans, text)] == ["Waidhofen an der Ybbs"]
