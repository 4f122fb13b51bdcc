"""Generator E: de-identification text whose layout radgen's author did not write.

A, C and D were all written by the author of the detector, so they share his idea of where
PHI sits and how it is formatted; B's gains from C and D carried over only in part. Here the
local Qwen2.5-Coder-1.5B writes the frame of each document (a letter, an e-mail, a RIS header,
a fax cover, a telephone addendum...) from a fact sheet of PHI values, and a PHI-free
radlabels report (its held-out half, MIT) fills the ``[FINDINGS]`` slot. Gold spans are found
afterwards by searching the output for every value and its parts (each name word, the date in
other common formats, the phone's digits with any separators), so PHI the model reworded
beyond that, or invented, is not gold: recall counts the sheet's values only, and precision
is approximate (an invented name that is redacted counts against it).

Written 2026-12-01, after stop 40, with the detector unchanged since stop 32. Its first run
(only aggregate numbers printed) is therefore a held-out figure for the detector of that day;
after it, E is a development set like C and D, whose misses may be read. B stays held out.
``data/deid_generator_e.meta.json`` holds the hash of the script as it generated the data
(commit eb9818e); later edits changed no draw. In stop 42 the gold was trimmed by
``trim_gold`` (text unchanged): the sheet's "Dr Name", "bleep 1234" and "91 years" had made the
title, "bleep" and "years" PHI tokens, and an undetected "Dr" a leak. Rescored with the same
stop-32 detector, leak-free went from 0.393 to 0.886 and token recall from 0.966 to 0.994.

    .venv/bin/python benchmarks/deid_generator_e.py --write 140   # the 1.5B; ~25 min, 2 cores
    .venv/bin/python benchmarks/deid_generator_e.py               # misses (development only)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from common import ROOT
from deid_generator_c import CDocument, report_misses

DATA = ROOT / "data" / "deid_generator_e.jsonl"
WRITER = "qwen2.5-coder-1.5b"
LOCALES = [
    "en_US", "en_US", "en_GB", "en_GB", "en_IN", "en_AU", "en_CA", "en_IE", "en_PH", "de_DE",
    "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "pt_BR", "cs_CZ", "sv_SE", "da_DK", "fr_BE",
    "nl_BE", "en_NZ", "tr_TR", "lv_LV", "lt_LT", "sl_SI", "et_EE", "el_GR",
]  # fmt: skip
MONTHS = "January February March April May June July August September October November December"
STYLES = {
    "ris": "the printed header of a radiology report from a hospital's radiology information"
    " system, with its labelled fields, and the report's sign-off lines at the end",
    "gp_letter": "a letter from a consultant radiologist to the patient's family doctor about"
    " this examination, with the address block, a salutation, a closing and a signature",
    "email": "an e-mail from a radiology secretary forwarding the report to a clinician, with"
    " the e-mail's From/To/Date/Subject lines, a short message and a signature",
    "phone": "an addendum to the report recording a telephone call in which the radiologist"
    " told the referring doctor about an urgent finding: who called whom, when, and on which"
    " number",
    "fax": "a fax cover sheet sent with the report from the imaging department, with the"
    " sender's and recipient's details",
    "discharge": "a paragraph of a hospital discharge summary that mentions this examination,"
    " with the patient's details at the top and the discharging doctor's name at the end",
    "second_opinion": "a request for a second opinion on the images, sent by one hospital to"
    " another, with both hospitals' details and the requesting doctor's signature",
    "mdt": "an entry in the list of a multidisciplinary team meeting, with the patient's"
    " identifiers, who presented the case, and the outcome",
    "portal": "a message the patient sent through the hospital's online portal asking about"
    " this result, with the portal's header and the patient's own sign-off",
    "transfer": "a note sent with images transferred to another hospital on disc, with the"
    " patient's identifiers, the sending and receiving departments and a contact",
}
SYSTEM = (
    "You write realistic hospital documents for testing a de-identification system. Use every"
    " detail given exactly as it is written, each at least once, and invent no other names,"
    " dates, numbers, addresses or places. Write the line [FINDINGS] where the report's"
    " findings go. Plain text only."
)


@dataclass
class Sheet:
    """The PHI values one document is written from: (label, value, category)."""

    items: list[tuple[str, str, str]] = field(default_factory=list)
    name_words: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)  # other spellings of a value


class Facts:
    def __init__(self, seed: int, locales: list[str] = LOCALES) -> None:
        self.rng = random.Random(seed)
        self.locales = locales
        self.fakers = {loc: Faker(loc) for loc in sorted(set(locales))}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 131 + i)

    def person(self, f: Faker) -> tuple[str, list[str]]:
        r = self.rng
        first, last = f.first_name(), f.last_name()
        form = r.choice(["{f} {l}", "{f} {l}", "{L}, {f}", "{l}, {f}", "{L}^{F}", "{f} {m}. {l}"])
        m = r.choice("ABCDEFGHJKLMNPRSTW")
        text = form.format(f=first, l=last, L=last.upper(), F=first.upper(), m=m)
        words = re.split(r"[\s,^.'-]+", f"{first} {last}")
        return text, [w for w in words if len(w) > 1 and w.lower() not in PARTICLES]

    def date(self, f: Faker, start: str = "-3y") -> tuple[str, list[str]]:
        d = f.date_between(start_date=start, end_date="-1d")
        mon = MONTHS.split()[d.month - 1]
        forms = [
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{d.month}/{d.day}/{d.year}",
            f"{d.year}-{d.month:02d}-{d.day:02d}",
            f"{d.day} {mon} {d.year}",
            f"{mon} {d.day}, {d.year}",
            f"{d.day:02d}-{mon[:3].upper()}-{d.year}",
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day} {mon[:3]} {d.year}",
        ]
        return self.rng.choice(forms), forms

    def phone(self, f: Faker) -> str:
        if hasattr(f, "phone_number"):
            return f.phone_number()
        digits = "".join(self.rng.choice("0123456789") for _ in range(7))  # en_PH has none
        return f"+63 9{self.rng.randrange(10, 99)} {digits[:3]} {digits[3:]}"

    def sheet(self) -> Sheet:
        r = self.rng
        f = self.fakers[r.choice(self.locales)]
        s = Sheet()
        patient, words = self.person(f)
        s.items.append(("patient", patient, "NAME"))
        s.name_words += words
        dob, dob_forms = self.date(f, "-95y")
        if r.random() < 0.7:
            s.items.append(("date of birth", dob, "DATE"))
            s.extra[dob] = dob_forms
        exam, exam_forms = self.date(f)
        s.items.append(("examination date", exam, "DATE"))
        s.extra[exam] = exam_forms
        mrn = r.choice(["{d7}", "MRN{d6}", "{d3}-{d3}-{d3}", "H{d7}", "{L2}{d6}", "{d10}"])
        mrn = re.sub(
            r"\{d(\d+)\}",
            lambda m: "".join(r.choice("0123456789") for _ in range(int(m.group(1)))),
            mrn,
        )
        mrn = mrn.replace("{L2}", "".join(r.choice("ABCDEFGHKLMNPRSTXZ") for _ in range(2)))
        s.items.append(("hospital number", mrn, "ID"))
        if r.random() < 0.5:
            acc = f"{r.choice(['ACC', 'RAD', 'A', ''])}{r.randrange(10**6, 10**9)}"
            s.items.append(("accession number", acc, "ID"))
        doctor, words = self.person(f)
        s.items.append(
            ("referring doctor", f"Dr {doctor}" if "," not in doctor else doctor, "NAME")
        )
        s.name_words += words
        radiologist, words = self.person(f)
        s.items.append(("radiologist", radiologist, "NAME"))
        s.name_words += words
        city = f.city()
        hospital = r.choice(
            [
                f"{city} General Hospital",
                f"St {f.last_name()}'s Hospital",
                f"{city} University Hospital",
                f"Royal {city} Infirmary",
                f"{f.last_name()} Medical Centre",
                f"{city} Imaging Clinic",
            ]
        )
        s.items.append(("hospital", hospital, "INSTITUTION"))
        if r.random() < 0.6:
            s.items.append(("address", f.street_address(), "LOCATION"))
            s.items.append(("city", city, "LOCATION"))
            postcode = f.postcode()
            if r.random() < 0.6:
                s.items.append(("postcode", postcode, "LOCATION"))
        if r.random() < 0.7:
            s.items.append(("telephone", self.phone(f), "PHONE"))
        if r.random() < 0.3:
            s.items.append(("pager", f"bleep {r.randrange(1000, 9999)}", "PHONE"))
        if r.random() < 0.35:
            user = re.sub(r"[^a-z.]", "", f"{f.first_name()}.{f.last_name()}".lower())
            s.items.append(("e-mail", f"{user}@{f.domain_name()}", "CONTACT"))
        if r.random() < 0.25:
            relative, words = self.person(f)
            kin = r.choice(["wife", "husband", "daughter", "son", "mother"])
            s.items.append((f"next of kin ({kin})", relative, "NAME"))
            s.name_words += words
        if r.random() < 0.15:
            s.items.append(("age", f"{r.randrange(90, 103)} years", "AGE"))
        return s


def label(text: str, sheet: Sheet) -> list[tuple[int, int, str]]:
    """Gold spans: every value, its other spellings, each name word and the phone's digits."""
    gold: list[tuple[int, int, str]] = []

    def find(pattern: str, category: str) -> None:
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            gold.append((m.start(), m.end(), category))

    for _, value, category in sheet.items:
        for form in dict.fromkeys([value, *sheet.extra.get(value, [])]):  # ordered: same file
            find(r"(?<!\w)" + re.escape(form) + r"(?!\w)", category)
        if category == "PHONE":
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 4:
                find(r"(?<!\d)" + r"[\s().+-]{0,3}".join(digits) + r"(?!\d)", category)
        if category in ("LOCATION", "INSTITUTION"):
            for word in re.findall(r"[^\W\d_]{3,}", value):
                if word.lower() not in GENERIC:
                    find(rf"(?<!\w){re.escape(word)}(?!\w)", category)
    for word in sheet.name_words:
        find(rf"(?<!\w){re.escape(word)}(?!\w)", "NAME")
    return [trimmed for g in gold if (trimmed := trim_gold(text, g)) is not None]


_NOT_PHI_EDGE = {
    "NAME": re.compile(r"^(?:Dr\.?|Prof\.?|Mr\.?|Mrs\.?|Ms\.?)\s+", re.I),
    "PHONE": re.compile(r"^(?:bleep|pager|ext\.?)\s*", re.I),
    "AGE": re.compile(r"\s*years?$", re.I),
}


def trim_gold(text: str, span: tuple[int, int, str]) -> tuple[int, int, str] | None:
    """Leave out what is not PHI although the sheet's value holds it: a title ("Dr"), the word
    "bleep" before a pager number, and "years" after an age. (Before stop 42's relabelling
    these counted as PHI tokens, so every undetected "Dr" was a leak.)"""
    start, end, category = span
    edge = _NOT_PHI_EDGE.get(category)
    if edge is not None and (m := edge.search(text[start:end])):
        if m.start() == 0:
            start += m.end()
        else:
            end = start + m.start()
    return (start, end, category) if end > start else None


PARTICLES = {"de", "da", "di", "do", "du", "la", "le", "van", "von", "der", "den", "del", "dos"}
GENERIC = {
    "general", "hospital", "university", "royal", "infirmary", "medical", "centre", "imaging",
    "clinic", "street", "road", "avenue", "lane", "suite", "apt", "the", "and",
}  # fmt: skip


def write(
    n: int,
    seed: int = 2026_12_01,
    *,
    facts: Facts | None = None,
    data: Path = DATA,
    styles_text: dict[str, str] = STYLES,
    prefix: str = "e",
    script: Path = Path(__file__),
) -> None:
    """Write ``n`` documents into ``data``, one JSON line each (a restart resumes; the same
    values are drawn). Generator F calls this with its own sheets, styles and file."""
    from radgen.privacy.phi_synth import clinical_texts
    from radgen.text.llm.base import message
    from radgen.text.llm.llamacpp import LlamaCppBackend

    facts = facts or Facts(seed)
    bodies = clinical_texts("heldout")
    done = len(data.read_text(encoding="utf-8").splitlines()) if data.exists() else 0
    if done >= n:
        print(f"{data.name} already holds {done} documents")
        return
    backend = LlamaCppBackend(WRITER, threads=2)
    styles = list(styles_text)
    t0 = time.perf_counter()
    with data.open("a", encoding="utf-8") as out:  # one line per document: a crash loses none
        for i in range(n):
            style = styles[i % len(styles)]
            sheet = facts.sheet()
            body = bodies[facts.rng.randrange(len(bodies))].strip()
            if i < done:  # written before a restart: the same values were drawn, skip the model
                continue
            details = "\n".join(f"- {k}: {v}" for k, v, _ in sheet.items)
            frame = backend.chat(
                [
                    message("system", SYSTEM),
                    message("user", f"Write {styles_text[style]}.\n\nDetails:\n{details}"),
                ],
                max_tokens=260,
            ).strip()
            if "[FINDINGS]" in frame:
                text = frame.replace("[FINDINGS]", body, 1)
            else:
                text = f"{frame}\n\n{body}"
            row = {
                "id": f"{prefix}{i:03d}",
                "style": style,
                "sheet": sheet.items,
                "text": text,
                "gold": label(text, sheet),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{i + 1}/{n} {time.perf_counter() - t0:.0f}s", flush=True)
    meta = {
        "writer": WRITER,
        "system": SYSTEM,
        "styles": styles_text,
        "seed": seed,
        "script_sha256": hashlib.sha256(script.read_bytes()).hexdigest(),
        "minutes": round((time.perf_counter() - t0) / 60, 1),
    }
    data.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def load_corpus_e(limit: int | None = None, data: Path = DATA) -> list[CDocument]:
    """E's (or F's) documents with their gold spans (tuples again after JSON)."""
    docs = []
    for line in data.read_text(encoding="utf-8").splitlines()[:limit]:
        row = json.loads(line)
        docs.append(CDocument(row["text"], [tuple(g) for g in row["gold"]]))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=int, default=0, help="generate N documents first")
    args = parser.parse_args()
    if args.write:
        write(args.write)
    else:
        report_misses(load_corpus_e())


if __name__ == "__main__":
    main()
