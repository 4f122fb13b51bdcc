"""Generator B: PHI written into real IU chest X-ray reports in formats generator A never makes.

FROZEN. This generator is the held-out test of de-identification: it was written and committed
before the learned tagger, the zone policy or any pattern was tuned, and its misses are never
used for tuning (``phi_injection.py``, generator A, is the tuning set). Changing this file
makes every earlier B number incomparable; ``bench_deid`` records its SHA-256.

What differs from A, on purpose:
- layouts: DICOM-style headers (``DOE^JOHN``, ``20240314``), UK NHS letters, Indian hospital
  slips (UHID, PIN codes), German and French headers, narrative letters with salutations,
  dictation footers with transcriptionist initials, addenda, cc lists;
- Faker locales en_US, en_GB, en_IN, de_DE, fr_FR; names in capitals, ``LAST, FIRST``,
  ``LAST^FIRST``, initials;
- dates ``DD-MON-YYYY``, ``DD Mon YY`` with times, ``YYYYMMDD``, ``DD.MM.YYYY``, partial dates
  (``March 14``, ``06/17``), ISO timestamps;
- phones with +44/+91/+49/+33 prefixes, extensions and pagers (``x22863``, ``pager 4471``);
- dashed MRNs, NHS numbers, SSNs written with spaces, accession numbers with letters;
- city and state names (full or two-letter) in addresses and free text; ages over 89;
- protected clinical terms (eponyms, devices) inserted into the findings, which must survive.

Gold spans are (start, end, category). Ages under 90 and bare times are written into
``ignore`` spans: HIPAA Safe Harbor does not require removing them, so a detector is neither
rewarded nor penalised there.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

LOCALES = ["en_US", "en_GB", "en_IN", "de_DE", "fr_FR"]
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()

PROTECTED_TERMS = [
    "Swan-Ganz catheter", "Hodgkin lymphoma", "non-Hodgkin lymphoma", "Port-A-Cath",
    "Hickman catheter", "Dobhoff tube", "Foley catheter", "PleurX catheter", "Greenfield filter",
    "Harrington rods", "Kerley A lines", "Hampton's hump", "Westermark sign", "Pancoast tumour",
    "Bochdalek hernia", "Morgagni hernia", "Chilaiditi sign", "Boerhaave syndrome",
    "Mallory-Weiss tear", "Wegener granulomatosis", "Kartagener syndrome", "Swyer-James syndrome",
    "Erlenmeyer flask deformity", "Salter-Harris fracture", "Luschka joints", "Sengstaken tube",
    "Blakemore tube", "Denver shunt", "Ommaya reservoir", "Nissen fundoplication",
    "Whipple procedure", "Ivor Lewis oesophagectomy", "Fontan circulation", "Blalock-Taussig shunt",
    "Glenn shunt", "Starr-Edwards valve", "Bjork-Shiley valve", "Amplatzer occluder",
    "Watchman device", "Impella device", "Kaposi sarcoma", "Ewing sarcoma", "Wilms tumour",
    "Castleman disease", "Erdheim-Chester disease", "Langerhans cell histiocytosis",
    "Macleod syndrome", "Scimitar syndrome", "Poland syndrome", "Tietze syndrome",
]  # fmt: skip

NEUTRAL_B = ["wires", "clips", "opacities", "changes", "structures", "markings", "devices"]


@dataclass
class BDocument:
    text: str = ""
    gold: list[tuple[int, int, str]] = field(default_factory=list)
    ignore: list[tuple[int, int]] = field(default_factory=list)
    protected: list[tuple[int, int]] = field(default_factory=list)
    layout: str = ""

    def add(self, piece: str, category: str | None = None) -> None:
        start = len(self.text)
        self.text += piece
        if category == "IGNORE":
            self.ignore.append((start, len(self.text)))
        elif category == "TERM":
            self.protected.append((start, len(self.text)))
        elif category is not None:
            self.gold.append((start, len(self.text), category))


class PHISourceB:
    """Values in B's formats; each call picks a locale and a format at random."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {loc: Faker(loc) for loc in LOCALES}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 31 + i)
        self.locale = "en_US"

    @property
    def f(self) -> Faker:
        return self.fakers[self.locale]

    def pick(self, options):
        return self.rng.choice(options)

    # names -------------------------------------------------------------------------------
    def first(self) -> str:
        return self.f.first_name()

    def last(self) -> str:
        return self.f.last_name()

    def name_variant(self) -> str:
        first, last = self.first(), self.last()
        mid = self.rng.choice("ABCDEFGHJKLMNPRSTW")
        return self.pick(
            [
                f"{last.upper()}, {first.upper()}",
                f"{last.upper()}^{first.upper()}",
                f"{last.upper()}^{first.upper()}^{mid}",
                f"{first.upper()} {last.upper()}",
                f"{last}, {first} {mid}.",
                f"{first[0]}. {last}",
                f"{first} {mid}. {last}",
                f"{last.upper()} {first}",
            ]
        )

    def initials(self) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(self.rng.randint(2, 3)))

    # dates -------------------------------------------------------------------------------
    def _date(self):
        return self.f.date_between(start_date="-15y", end_date="today")

    def date_full(self) -> str:
        d = self._date()
        mon = MONTHS[d.month - 1]
        return self.pick(
            [
                f"{d.day:02d}-{mon}-{d.year}",
                f"{d.day} {mon.title()} {d.year % 100:02d}",
                f"{d.year}{d.month:02d}{d.day:02d}",
                f"{d.day:02d}.{d.month:02d}.{d.year}",
                f"{d.day}/{d.month}/{d.year % 100:02d}",
                f"{d.day:02d}{mon}{d.year}",
                f"{mon.title()}. {d.day}, {d.year}",
                f"{d.year}-{d.month:02d}-{d.day:02d}",
            ]
        )

    def date_partial(self) -> str:
        d = self._date()
        return self.pick(
            [
                f"{d.strftime('%B')} {d.day}",
                f"{d.month:02d}/{d.day:02d}",
                f"{d.day} {d.strftime('%b')}",
                f"{d.strftime('%B')} {d.year}",
                f"{d.month}/{d.year}",
            ]
        )

    def time(self) -> str:
        h, m = self.rng.randint(0, 23), self.rng.randint(0, 59)
        return self.pick([f"{h:02d}:{m:02d}", f"{h:02d}{m:02d}", f"{(h % 12) or 12}:{m:02d} PM"])

    # numbers -----------------------------------------------------------------------------
    def phone(self) -> str:
        r = self.rng
        return self.pick(
            [
                f"+44 {r.randint(20, 199)} {r.randint(100, 999)} {r.randint(1000, 9999)}",
                f"+44 (0){r.randint(1000, 1999)} {r.randint(100000, 999999)}",
                f"+91 {r.randint(70000, 99999)} {r.randint(10000, 99999)}",
                f"+91-{r.randint(11, 80)}-{r.randint(2000, 9999)}{r.randint(1000, 9999)}",
                f"+49 {r.randint(30, 899)} {r.randint(100000, 9999999)}",
                f"+33 {r.randint(1, 9)} {r.randint(10, 99)} {r.randint(10, 99)} "
                f"{r.randint(10, 99)} {r.randint(10, 99)}",
                f"{r.randint(200, 989)}.{r.randint(200, 999)}.{r.randint(1000, 9999)}"
                f" ext {r.randint(100, 9999)}",
                f"1-{r.randint(200, 989)}-{r.randint(200, 999)}-{r.randint(1000, 9999)}",
            ]
        )

    def extension(self) -> str:
        return self.pick(
            [f"x{self.rng.randint(1000, 99999)}", f"ext. {self.rng.randint(100, 9999)}"]
        )

    def pager(self) -> str:
        return str(self.rng.randint(1000, 99999))

    def mrn(self) -> str:
        r = self.rng
        return self.pick(
            [
                f"{r.randint(10, 99)}-{r.randint(100, 999)}-{r.randint(100, 999)}",
                f"{r.randint(0, 99):02d}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
                f"{r.choice('EKMRTZ')}{r.randint(100000, 9999999)}",
                f"{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
            ]
        )

    def nhs(self) -> str:
        r = self.rng
        return f"{r.randint(400, 799)} {r.randint(100, 999)} {r.randint(1000, 9999)}"

    def ssn(self) -> str:
        r = self.rng
        return f"{r.randint(100, 899)} {r.randint(10, 99)} {r.randint(1000, 9999)}"

    def accession(self) -> str:
        r = self.rng
        return self.pick(
            [
                f"RAD-{r.randint(2015, 2026)}-{r.randint(100000, 999999)}",
                f"{r.choice(['CR', 'DX', 'XR'])}{r.randint(10, 99)}-{r.randint(10000, 99999)}",
                f"A{r.randint(10, 99)}{r.choice('BCDFGH')}{r.randint(1000, 9999)}",
            ]
        )

    # places ------------------------------------------------------------------------------
    def city(self) -> str:
        return self.f.city()

    def hospital(self) -> str:
        f, r = self.f, self.rng
        if self.locale == "de_DE":
            return f"Klinikum {f.city()}"
        if self.locale == "fr_FR":
            return f"Centre Hospitalier de {f.city()}"
        return r.choice(
            [
                f"{f.last_name()} General",
                f"St. {f.first_name()}'s",
                f"{f.city()} Royal Infirmary",
                f"{f.last_name()} Regional Medical Centre",
                f"{f.city()} Community Hospital",
                f"Mercy {f.city()}",
            ]
        )


def _sig_line(doc: BDocument, src: PHISourceB) -> None:
    style = src.rng.randint(0, 3)
    if style == 0:
        doc.add("Electronically signed: ")
        doc.add(f"{src.last().upper()}, {src.first().upper()}", "NAME")
        doc.add(" M.D. ")
        doc.add(src.date_full(), "DATE")
        doc.add(" ")
        doc.add(src.time(), "IGNORE")
    elif style == 1:
        doc.add("Reported by: ")
        doc.add(f"Dr {src.first()[0]} {src.last()}", "NAME")
        doc.add(", Consultant Radiologist, bleep ")
        doc.add(src.pager(), "PHONE")
    elif style == 2:
        doc.add("Attending: ")
        doc.add(src.name_variant(), "NAME")
        doc.add(" (pager ")
        doc.add(src.pager(), "PHONE")
        doc.add(")")
    else:
        doc.add("Verified by ")
        doc.add(f"{src.first()} {src.last()}", "NAME")
        doc.add(", DO on ")
        doc.add(src.date_full(), "DATE")
    doc.add("\n")


def _header(doc: BDocument, src: PHISourceB, layout: str) -> None:
    r = src.rng
    if layout == "dicom":
        doc.add("Patient's Name: ")
        doc.add(f"{src.last().upper()}^{src.first().upper()}", "NAME")
        doc.add("\nPatient ID: ")
        doc.add(src.mrn(), "ID")
        doc.add("\nPatient's Birth Date: ")
        d = src._date()
        doc.add(f"{d.year - r.randint(20, 80)}{d.month:02d}{d.day:02d}", "DATE")
        doc.add("\nAccession Number: ")
        doc.add(src.accession(), "ID")
        doc.add("\nStudy Date: ")
        doc.add(f"{d.year}{d.month:02d}{d.day:02d}", "DATE")
        doc.add("   Study Time: ")
        doc.add(f"{r.randint(0, 23):02d}{r.randint(0, 59):02d}{r.randint(0, 59):02d}", "IGNORE")
        doc.add("\nInstitution Name: ")
        doc.add(src.hospital(), "INSTITUTION")
        doc.add("\nReferring Physician's Name: ")
        doc.add(f"{src.last().upper()}^{src.first().upper()}", "NAME")
        doc.add("\n\n")
    elif layout == "nhs":
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(" NHS Foundation Trust\nDepartment of Radiology, ")
        doc.add(src.f.street_address().replace("\n", ", "), "ADDRESS")
        doc.add(", ")
        doc.add(src.city(), "LOCATION")
        doc.add(" ")
        doc.add(src.f.postcode(), "ADDRESS")
        doc.add("\nTel: ")
        doc.add(src.phone(), "PHONE")
        doc.add("\n\nName: ")
        doc.add(f"{src.last().upper()}, {src.first()}", "NAME")
        doc.add("   NHS No: ")
        doc.add(src.nhs(), "ID")
        doc.add("   Hosp No: ")
        doc.add(src.mrn(), "ID")
        doc.add("\nDOB: ")
        doc.add(src.date_full(), "DATE")
        age = r.choice([r.randint(91, 104), r.randint(40, 88)])
        doc.add(" (")
        doc.add(str(age), "AGE" if age > 89 else "IGNORE")
        doc.add("y)   Ward: ")
        doc.add(f"{src.last()} Ward", "INSTITUTION")
        doc.add("\nGP: Dr ")
        doc.add(f"{src.first()[0]}. {src.last()}", "NAME")
        doc.add(", ")
        doc.add(src.city(), "LOCATION")
        doc.add(" Health Centre\n\n")
    elif layout == "india":
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(", ")
        doc.add(src.city(), "LOCATION")
        doc.add(" - ")
        doc.add(str(r.randint(110001, 855999)), "ADDRESS")
        doc.add("\nUHID: ")
        doc.add(f"UH{r.randint(10**7, 10**8)}", "ID")
        doc.add("  IP No: ")
        doc.add(src.mrn(), "ID")
        doc.add("\nPatient: ")
        doc.add(f"{src.first()} {src.last()}".upper(), "NAME")
        doc.add("  Age/Sex: ")
        age = r.choice([r.randint(91, 102), r.randint(20, 88)])
        doc.add(str(age), "AGE" if age > 89 else "IGNORE")
        doc.add("Y/M  Mobile: ")
        doc.add(src.phone(), "PHONE")
        doc.add("\nRef. by: Dr. ")
        doc.add(src.name_variant(), "NAME")
        doc.add("   Date: ")
        doc.add(src.date_full(), "DATE")
        doc.add("\n\n")
    elif layout == "german":
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(" - Institut für Radiologie\n")
        doc.add(src.f.street_address(), "ADDRESS")
        doc.add(", ")
        doc.add(src.f.postcode(), "ADDRESS")
        doc.add(" ")
        doc.add(src.city(), "LOCATION")
        doc.add("\nPatient: ")
        doc.add(f"{src.last()}, {src.first()}", "NAME")
        doc.add(", geb. ")
        doc.add(src.date_full(), "DATE")
        doc.add("\nFall-Nr.: ")
        doc.add(str(r.randint(10**8, 10**9)), "ID")
        doc.add("  Tel. ")
        doc.add(src.phone(), "PHONE")
        doc.add("\n\n")
    elif layout == "french":
        doc.add(src.hospital(), "INSTITUTION")
        doc.add("\nService d'imagerie - Tél : ")
        doc.add(src.phone(), "PHONE")
        doc.add("\nPatient : ")
        doc.add(f"{src.last().upper()} {src.first()}", "NAME")
        doc.add("   Né(e) le : ")
        doc.add(src.date_full(), "DATE")
        doc.add("\nIPP : ")
        doc.add(src.mrn(), "ID")
        doc.add("   Prescripteur : Dr ")
        doc.add(src.last().upper(), "NAME")
        doc.add("\n\n")
    else:  # letter
        doc.add(src.date_full(), "DATE")
        doc.add("\n\nDear Dr ")
        doc.add(src.last(), "NAME")
        doc.add(",\n\nRe: ")
        doc.add(src.name_variant(), "NAME")
        doc.add(", SSN ")
        doc.add(src.ssn(), "ID")
        doc.add(", of ")
        doc.add(src.f.street_address().replace("\n", ", "), "ADDRESS")
        doc.add(", ")
        doc.add(src.city(), "LOCATION")
        doc.add(", ")
        doc.add(
            src.pick([src.fakers["en_US"].state(), src.fakers["en_US"].state_abbr()]), "LOCATION"
        )
        doc.add("\nThank you for referring this ")
        age = r.choice([r.randint(90, 103), r.randint(30, 88)])
        doc.add(str(age), "AGE" if age > 89 else "IGNORE")
        doc.add("-year-old for imaging.\n\n")


def _inline(doc: BDocument, src: PHISourceB) -> None:
    """One free-text sentence that carries PHI, in the findings."""
    r = src.rng
    kind = r.randint(0, 7)
    if kind == 0:
        doc.add(" Findings discussed with Dr. ")
        doc.add(src.last().upper(), "NAME")
        doc.add(" by telephone at ")
        doc.add(src.time(), "IGNORE")
        doc.add(" on ")
        doc.add(src.date_partial(), "DATE")
        doc.add(".")
    elif kind == 1:
        doc.add(" Comparison is made to an outside study from ")
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(" dated ")
        doc.add(src.date_full(), "DATE")
        doc.add(".")
    elif kind == 2:
        doc.add(" Patient recently moved from ")
        doc.add(src.city(), "LOCATION")
        doc.add(", ")
        doc.add(src.fakers["en_US"].state_abbr(), "LOCATION")
        doc.add(".")
    elif kind == 3:
        doc.add(" Please call the reading room on ")
        doc.add(src.extension(), "PHONE")
        doc.add(" with questions.")
    elif kind == 4:
        doc.add(" Result communicated to ")
        doc.add(src.name_variant(), "NAME")
        doc.add(", RN, ")
        doc.add(src.date_partial(), "DATE")
        doc.add(".")
    elif kind == 5:
        doc.add(" Prior film at ")
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(" (MRN ")
        doc.add(src.mrn(), "ID")
        doc.add(") not available.")
    elif kind == 6:
        doc.add(" The patient, a ")
        age = r.randint(90, 106)
        doc.add(str(age), "AGE")
        doc.add(" year old resident of ")
        doc.add(src.city(), "LOCATION")
        doc.add(", is bedbound.")
    else:
        doc.add(" Mother ")
        doc.add(f"{src.first()} {src.last()}", "NAME")
        doc.add(" was present; contact ")
        doc.add(src.phone(), "PHONE")
        doc.add(".")


def _fill_b(doc: BDocument, text: str, field_name: str, src: PHISourceB) -> None:
    pos = 0
    for m in re.finditer(r"XXXX", text):
        doc.add(text[pos : m.start()])
        after = text[m.end() : m.end() + 10].lower()
        before = text[max(0, m.start() - 14) : m.start()].lower()
        if after.startswith(("-year", " year")):
            age = src.rng.choice([src.rng.randint(90, 105), src.rng.randint(18, 89)])
            doc.add(str(age), "AGE" if age > 89 else "IGNORE")
        elif field_name == "comparison" or re.search(r"(dated|since|on|from)\s*$", before):
            doc.add(src.pick([src.date_full(), src.date_partial()]), "DATE")
        else:
            doc.add(src.pick(NEUTRAL_B))
        pos = m.end()
    doc.add(text[pos:])


def _footer(doc: BDocument, src: PHISourceB) -> None:
    r = src.rng
    _sig_line(doc, src)
    if r.random() < 0.6:
        doc.add(src.initials(), "NAME")
        doc.add("/")
        doc.add(src.initials().lower(), "NAME")
        doc.add("  D: ")
        doc.add(src.date_full(), "DATE")
        doc.add(" ")
        doc.add(src.time(), "IGNORE")
        doc.add("  T: ")
        doc.add(src.date_full(), "DATE")
        doc.add("\n")
    if r.random() < 0.4:
        doc.add("cc: ")
        doc.add(src.name_variant(), "NAME")
        doc.add("; ")
        doc.add(src.name_variant(), "NAME")
        doc.add("\n")
    if r.random() < 0.3:
        doc.add("ADDENDUM ")
        doc.add(src.date_full(), "DATE")
        doc.add(": Case reviewed with ")
        doc.add(src.name_variant(), "NAME")
        doc.add(" at ")
        doc.add(src.hospital(), "INSTITUTION")
        doc.add(". Fax ")
        doc.add(src.phone(), "PHONE")
        doc.add(".\n")


LAYOUTS = {
    "dicom": "en_US",
    "nhs": "en_GB",
    "india": "en_IN",
    "german": "de_DE",
    "french": "fr_FR",
    "letter": "en_US",
}


def build_document_b(row: dict[str, str], src: PHISourceB) -> BDocument:
    layout = src.rng.choice(list(LAYOUTS))
    src.locale = LAYOUTS[layout]
    doc = BDocument(layout=layout)
    _header(doc, src, layout)
    titles = {"indication": "Clinical details", "comparison": "Compared with",
              "findings": "Report", "impression": "Conclusion"}  # fmt: skip
    for name in ("indication", "comparison", "findings", "impression"):
        value = (row.get(name) or "").strip()
        if not value:
            continue
        doc.add(f"{titles[name]}: ")
        _fill_b(doc, value, name, src)
        if name == "findings":
            if src.rng.random() < 0.5:
                _inline(doc, src)
            if src.rng.random() < 0.5:
                doc.add(" Incidental note of ")
                doc.add(src.pick(PROTECTED_TERMS), "TERM")
                doc.add(".")
        doc.add("\n")
    if src.rng.random() < 0.35:
        doc.add("History of ")
        doc.add(src.pick(PROTECTED_TERMS), "TERM")
        doc.add(" noted.")
        _inline(doc, src)
        doc.add("\n")
    doc.add("\n")
    _footer(doc, src)
    return doc


def load_corpus_b(path: Path, seed: int = 2026, limit: int | None = None) -> list[BDocument]:
    """Generator B over the IU reports, in file order; ``seed`` fixes every choice."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    src = PHISourceB(seed)
    return [build_document_b(r, src) for r in rows[:limit]]
