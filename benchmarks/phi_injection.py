"""Synthetic PHI injected into real IU chest X-ray reports, with gold character offsets.

The IU reports mask their PHI as ``XXXX``. Slots whose context says what they hid are filled
with that kind of PHI (comparison dates, ages); a share of the others get inline PHI (names,
places, IDs...) and the rest a neutral word. Each report gets a realistic header and
sign-off with synthetic PHI in varied formats.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

NEUTRAL = ["signs", "findings", "changes", "views", "clips", "markings", "opacities", "density"]
DATE_FORMATS = ["%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%m-%d-%Y", "%d %B %Y", "%b %d, %Y"]


@dataclass
class Document:
    text: str = ""
    gold: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, category: str | None = None) -> None:
        if category is not None:
            self.gold.append((len(self.text), len(self.text) + len(piece), category))
        self.text += piece


class PHIFactory:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    def date(self) -> str:
        d = self.fake.date_between(start_date="-12y", end_date="today")
        return d.strftime(self.rng.choice(DATE_FORMATS)).replace(" 0", " ")

    def person(self) -> str:
        return f"{self.fake.first_name()} {self.fake.last_name()}"

    def mrn(self) -> str:
        return str(self.rng.randint(10**6, 10**9))

    def accession(self) -> str:
        return f"{self.rng.choice('ACRX')}{self.rng.randint(10**6, 10**8)}"

    def phone(self) -> str:
        a, b, c = self.rng.randint(201, 989), self.rng.randint(200, 999), self.rng.randint(0, 9999)
        return self.rng.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}"])

    def institution(self) -> str:
        name = self.rng.choice([self.fake.last_name(), self.fake.city()])
        kind = self.rng.choice(
            ["Hospital", "Medical Center", "Clinic", "Memorial Hospital", "Health System"]
        )
        return f"{name} {kind}"

    def inline(self) -> tuple[str, str, str, str]:
        """(prefix, PHI, suffix, category) for a free XXXX slot."""
        kind = self.rng.choice(["NAME", "LOCATION", "INSTITUTION", "PHONE", "ID", "DATE"])
        if kind == "NAME":
            return "Dr. ", self.fake.last_name(), "", kind
        if kind == "LOCATION":
            return "", self.fake.city(), "", kind
        if kind == "INSTITUTION":
            return "", self.institution(), "", kind
        if kind == "PHONE":
            return "", self.phone(), "", kind
        if kind == "ID":
            return "MRN ", self.mrn(), "", kind
        return "", self.date(), "", kind


def _fill(doc: Document, text: str, field_name: str, phi: PHIFactory) -> None:
    pos = 0
    for m in re.finditer(r"XXXX", text):
        before = text[pos : m.start()]
        doc.add(before)
        context = text[max(0, m.start() - 12) : m.start()].lower()
        after = text[m.end() : m.end() + 10].lower()
        if after.startswith("-year") or after.startswith(" year"):
            age = phi.rng.choice([phi.rng.randint(20, 89), phi.rng.randint(90, 104)])
            doc.add(str(age), "AGE" if age > 89 else None)
        elif field_name == "comparison" or re.search(r"(dated|from|on|of)\s*$", context):
            doc.add(phi.date(), "DATE")
        elif phi.rng.random() < 0.15:
            prefix, value, suffix, category = phi.inline()
            doc.add(prefix)
            doc.add(value, category)
            doc.add(suffix)
        else:
            doc.add(phi.rng.choice(NEUTRAL))
        pos = m.end()
    doc.add(text[pos:])


def build_document(row: dict[str, str], phi: PHIFactory) -> Document:
    doc, f = Document(), phi.fake
    doc.add(phi.institution(), "INSTITUTION")
    doc.add("\n")
    doc.add(f.street_address(), "ADDRESS")
    doc.add(", ")
    doc.add(f.city(), "LOCATION")
    doc.add(f", {f.state_abbr()} ")
    doc.add(f.zipcode(), "ADDRESS")
    doc.add("\nTel ")
    doc.add(phi.phone(), "PHONE")
    last, first = f.last_name(), f.first_name()
    doc.add(phi.rng.choice(["\nPATIENT: ", "\nName: ", "\nPatient Name: "]))
    doc.add(f"{last}, {first}" if phi.rng.random() < 0.5 else f"{first} {last}", "NAME")
    doc.add("    MRN: ")
    doc.add(phi.mrn(), "ID")
    doc.add("    DOB: ")
    doc.add(phi.date(), "DATE")
    age = phi.rng.choice([phi.rng.randint(18, 89), phi.rng.randint(90, 104)])
    doc.add("    Age: ")
    doc.add(str(age), "AGE" if age > 89 else None)
    doc.add("\nACCESSION #: ")
    doc.add(phi.accession(), "ID")
    doc.add("    EXAM DATE: ")
    doc.add(phi.date(), "DATE")
    doc.add("\nREFERRING PHYSICIAN: Dr. ")
    doc.add(phi.person(), "NAME")
    doc.add("\nEXAM: ")
    _fill(doc, row.get("image") or "Chest radiograph", "image", phi)
    doc.add("\n")
    for name in ("indication", "comparison", "findings", "impression"):
        value = (row.get(name) or "").strip()
        if value:
            doc.add(f"{name.upper()}: ")
            _fill(doc, value, name, phi)
            doc.add("\n")
    doc.add(phi.rng.choice(["Dictated by: ", "Electronically signed by: ", "Read by: "]))
    doc.add(phi.person(), "NAME")
    doc.add(", MD on ")
    doc.add(phi.date(), "DATE")
    doc.add("\nQuestions: ")
    doc.add(f.email(), "EMAIL")
    doc.add("  Portal: ")
    doc.add(f"https://portal.{f.domain_name()}/study/{phi.rng.randint(1000, 99999)}", "URL")
    doc.add("\nWorkstation ")
    doc.add(f.ipv4_private(), "IP")
    doc.add(" | Detector serial number: ")
    doc.add(f"{phi.rng.choice(['DX', 'FP', 'CR'])}{phi.rng.randint(10**5, 10**7)}", "DEVICE")
    doc.add("\n")
    return doc


def load_corpus(path: Path, seed: int = 0, limit: int | None = None) -> list[Document]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    phi = PHIFactory(seed)
    return [build_document(r, phi) for r in rows[:limit]]


CLINICAL_TERMS = [
    "Hodgkin lymphoma", "Wilms tumor", "Parkinson disease", "Crohn disease", "Graves disease",
    "Kerley B lines", "Pancoast tumor", "Paget disease", "Marfan syndrome", "Kaposi sarcoma",
    "Alzheimer disease", "Cushing syndrome", "Addison disease", "Barrett esophagus",
    "Bochdalek hernia", "Morgagni hernia", "Hampton hump", "Westermark sign", "Ewing sarcoma",
    "Zenker diverticulum", "Meckel diverticulum", "Colles fracture", "Swyer-James syndrome",
    "left lower lobe", "right upper lobe", "lingula", "costophrenic angle", "hilum",
    "mediastinum", "aortic knob", "thoracic spine", "T12 vertebral body", "3.2 cm nodule",
    "14 mm granuloma", "bilateral pleural effusions", "LATERAL view", "PA and lateral",
    "cardiomegaly", "atelectasis", "pneumothorax", "calcified granuloma", "sternotomy wires",
    "right hemidiaphragm", "left ventricle", "pulmonary artery", "azygos fissure",
]  # fmt: skip


def clinical_sentences() -> Document:
    """Clinical terms alone in sentences, for the over-redaction rate (no PHI inside)."""
    doc = Document()
    for term in CLINICAL_TERMS:
        doc.add("Findings consistent with ")
        doc.add(term, "TERM")
        doc.add(" are noted.\n")
    return doc
