"""Generator C: a development set for de-identification, written after B was frozen.

B stays the held-out test and its misses are never examined. C is where misses may be looked
at: it was written (2026-11-29) without reading B's output, from the kinds of PHI the issue
lists, with Faker locales neither A's tagger training nor B leans on (es_ES, it_IT, nl_NL,
pl_PL, pt_BR, sv_SE, tr_TR, en_AU, en_IE, da_DK, cs_CZ) and name contexts in running prose:
names without titles, names in lower case, possessives, names after verbs ("discussed with",
"called", "paged"), names in parentheses and in lists, and initials.

``python benchmarks/deid_generator_c.py`` prints token recall per category and the missed
tokens in their context, for development only.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from radgen.privacy.phi_synth import stable_faker

LOCALES = [
    "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_BR", "sv_SE", "tr_TR", "en_AU", "en_IE", "da_DK",
    "cs_CZ", "en_US",
]  # fmt: skip


@dataclass
class CDocument:
    text: str = ""
    gold: list[tuple[int, int, str]] = field(default_factory=list)
    ignore: list[tuple[int, int]] = field(default_factory=list)

    def add(self, piece: str, category: str | None = None) -> None:
        if category:
            self.gold.append((len(self.text), len(self.text) + len(piece), category))
        self.text += piece

    def write(self, template: str, values: dict[str, tuple[str, str]]) -> None:
        """``template`` with ``{key}`` slots filled by (text, category) values."""
        rest = template
        while "{" in rest:
            head, tail = rest.split("{", 1)
            key, rest = tail.split("}", 1)
            self.add(head)
            self.add(*values[key])
        self.add(rest)


class SourceC:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {loc: stable_faker(loc) for loc in LOCALES}  # same seed, same text
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 31 + i)
        self.f = self.fakers["en_US"]

    def new_patient(self) -> None:
        self.f = self.fakers[self.rng.choice(LOCALES)]

    def name(self) -> str:
        f, r = self.f, self.rng
        first, last = f.first_name(), f.last_name()
        return r.choice(
            [
                f"{first} {last}",
                f"{last}",
                f"{first}",
                f"{first.lower()} {last.lower()}",
                f"{last.upper()} {first}",
                f"{first} {last.upper()}",
                f"{last}, {first[0]}.",
                f"{first[0]}{last[0]}",
            ]
        )

    def clinician(self) -> str:
        f, r = self.f, self.rng
        last = f.last_name()
        return r.choice([last, f"{f.first_name()} {last}", f"{f.first_name()[0]}. {last}"])

    def date(self) -> str:
        d = self.f.date_between(start_date="-10y", end_date="today")
        return self.rng.choice(
            [
                d.strftime("%d/%m/%Y"),
                d.strftime("%-d %B %Y"),
                d.strftime("%B %-d, %Y"),
                d.strftime("%Y-%m-%d"),
                d.strftime("%d.%m.%y"),
                d.strftime("%a %d %b %Y"),
            ]
        )

    def phone(self) -> str:
        return self.f.phone_number()

    def city(self) -> str:
        return self.f.city()

    def mrn(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"{r.randint(100000, 9999999)}",
                f"{r.choice('ABCDEFGH')}{r.randint(100000, 999999)}",
                f"{r.randint(10, 99)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}",
            ]
        )


PROSE = [
    "Findings discussed with {clin} by telephone on {date}.",
    "Results were called to {clin} at {phone}.",
    "Patient {pt} was seen in the department today.",
    "{pt}'s previous films from {place} were reviewed.",
    "Comparison is made with the study of {date} performed at {place}.",
    "Per {clin} (ED registrar), the patient fell at home.",
    "History provided by the patient's daughter, {pt}.",
    "paged {clin} with the result.",
    "Case reviewed with {clin} and {clin2} at the MDT.",
    "Please forward a copy to {clin}, {place}.",
    "The patient, {pt}, declined the lateral view.",
    "Verbal report given to {clin}.",
]
HEADERS = [
    "{pt}   ID {mrn}   {date}\n",
    "Paciente: {pt}  Fecha: {date}\n",
    "Patient {pt} (MRN {mrn}) seen {date}\n",
    "{pt} | {mrn} | {place}\n",
    "Referral from {clin}, {place}, tel {phone}\n",
]
SIGNOFF = [
    "{clin}\nConsultant Radiologist\n",
    "Reported by {clin} on {date}\n",
    "{clin} / {initials}\n",
    "Thanks, {clin}\n",
    "Authorised: {clin} {date}\n",
]


def build(row: dict[str, str], src: SourceC) -> CDocument:
    src.new_patient()
    r = src.rng
    doc = CDocument()
    values = {
        "pt": (src.name(), "NAME"),
        "clin": (src.clinician(), "NAME"),
        "clin2": (src.clinician(), "NAME"),
        "date": (src.date(), "DATE"),
        "phone": (src.phone(), "PHONE"),
        "place": (src.city(), "LOCATION"),
        "mrn": (src.mrn(), "ID"),
        "initials": ("".join(r.choice("ABCDEFGHJKLMNPRSTW") for _ in range(2)).lower(), "NAME"),
    }
    doc.write(r.choice(HEADERS), values)
    for section in ("indication", "findings", "impression"):
        body = (row.get(section) or "").strip()
        if not body:
            continue
        doc.add(f"{section.upper()}: {body}")
        if r.random() < 0.6:
            doc.add(" ")
            doc.write(r.choice(PROSE), values)
        doc.add("\n")
    doc.write(r.choice(SIGNOFF), values)
    return doc


def report_rows(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """The IU report rows (indication, findings, impression...) the generators write into."""
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))[:limit]


def load_corpus_c(path: Path, seed: int = 7, limit: int | None = None) -> list[CDocument]:
    src = SourceC(seed)
    return [build(row, src) for row in report_rows(path, limit)]


def report_misses(docs: list[CDocument], show: int = 80) -> None:
    """Token recall per category, leak-free reports and the first missed tokens in context."""
    import re
    from collections import Counter, defaultdict

    import numpy as np

    from radgen.privacy.deid import Deidentifier

    deid = Deidentifier("redact").load()
    found, total, missed = defaultdict(int), defaultdict(int), []
    leak_free, flagged, wrong, false_positives = 0, 0, 0, Counter()
    for doc in docs:
        covered = np.zeros(len(doc.text) + 1, bool)
        for s in deid.detect(doc.text):
            covered[s.start : s.end] = True
        gold = np.zeros(len(doc.text) + 1, bool)
        for s, e, _ in doc.gold:
            gold[s:e] = True
        for m in re.finditer(r"\w+", doc.text):
            if covered[m.start() : m.end()].any():
                flagged += 1
                if not gold[m.start() : m.end()].any():
                    wrong += 1
                    false_positives[m.group(0)] += 1
        clean = True
        for s, e, cat in doc.gold:
            for m in re.finditer(r"\w+", doc.text[s:e]):
                a, b = s + m.start(), s + m.end()
                total[cat] += 1
                if covered[a:b].all():
                    found[cat] += 1
                else:
                    clean = False
                    missed.append((cat, doc.text[a:b], doc.text[max(0, a - 30) : b + 20]))
        leak_free += clean
    print({c: round(found[c] / total[c], 4) for c in total})
    print("recall", round(sum(found.values()) / sum(total.values()), 4))
    print("leak-free", round(leak_free / len(docs), 4))
    print("precision", round(1 - wrong / max(flagged, 1), 4))
    print("most frequent false positives", false_positives.most_common(25))
    print("missed by category", dict(Counter(c for c, _, _ in missed)))
    for cat, tok, ctx in missed[:show]:
        print(cat, repr(tok), "|", ctx.replace("\n", " / "))


def main() -> None:
    from radgen.data import shared_data_dir

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    docs = load_corpus_c(shared_data_dir() / "iu_xray" / "reports_dev.csv", limit=limit)
    report_misses(docs)


if __name__ == "__main__":
    main()
