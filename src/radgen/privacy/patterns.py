"""Pattern detectors for PHI with a fixed shape: dates, phones, IDs, emails, URLs, IPs,
addresses, ages over 89, device serials, titled names and institution names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import is_safe_word

MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
# Month names of the other languages reports arrive in (French, German, Spanish, Italian, Dutch,
# Portuguese), used only in shapes with a day and a year ("12 août 2015", "3. März 2024"), where
# no clinical word looks like them.
FOREIGN_MONTH = (
    r"(?:janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|"
    r"sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?|"
    r"J[äa]n(?:ner|uar)|Feb(?:ruar)?|M[äa]rz|Mai|Juni|Juli|Okt(?:ober)?|Dez(?:ember)?|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|sept?iembre|octubre|noviembre|"
    r"diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"januari|februari|maart|mei|augustus|oktober|janeiro|fevereiro|mar[çc]o|maio|junho|"
    r"julho|setembro|outubro|novembro|dezembro)\.?"
)
ANY_MONTH = rf"(?:{MONTH}|{FOREIGN_MONTH})"
# Latin letters with their diacritics ("Lasić", "Sečová", "Ó Cabraigh"), as character classes.
UPPER = "".join(c for c in map(chr, range(0x250)) if c.isalpha() and c.isupper())
LOWER = "".join(c for c in map(chr, range(0x250)) if c.isalpha() and c.islower())
# A capitalised word ("Smith", "O'Neill", "McDonald", "Smith-Jones", "Lasić") or an initial.
NAME_WORD = (
    rf"(?:[{UPPER}](?:['’][{UPPER}])?[{LOWER}]+(?:['’\-][{UPPER}]?[{LOWER}]+|[{UPPER}][{LOWER}]+)*"
    rf"|[{UPPER}]\.?)"
    rf"(?![{UPPER}{LOWER}])"
)
STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Alley|Bend|Bluffs?|Branch|Bridge|"
    r"Brooks?|Bypass|Camp|Canyon|Cape|Causeway|Centers?|Cliffs?|Club|Commons?|Corners?|Course|"
    r"Courts|Coves?|Creek|Crescent|Crest|Crossing|Curve|Dale|Dam|Divide|Drives|Estates?|"
    r"Expressway|Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|Forks?|Fort|"
    r"Freeway|Gardens?|Gateway|Glens?|Greens?|Groves?|Harbors?|Haven|Heights|Hills?|Hollow|"
    r"Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|Lakes?|Landing|Lights?|Loaf|Locks?|Lodge|"
    r"Loop|Mall|Manors?|Meadows?|Mews|Mills?|Mission|Motorway|Mount|Mountains?|Neck|Orchard|"
    r"Oval|Overpass|Parks?|Parkways|Pass|Passage|Path|Pike|Pines?|Plains?|Plaza|Points?|Ports?|"
    r"Prairie|Ramp|Ranch|Rapids?|Rest|Ridges?|River|Roads|Route|Row|Run|Shoals?|Shores?|"
    r"Skyway|Springs?|Spurs?|Squares?|Station|Stravenue|Stream|Streets|Summit|Trace|Track|"
    r"Trafficway|Trail|Tunnel|Turnpike|Underpass|Unions?|Valleys?|Viaduct|Views?|Villages?|"
    r"Ville|Vista|Walks?|Wall|Ways|Wells?|Burgs?|Radial|Crossroads?|Circles|Via|Land|"
    r"Throughway|Trailer|Bayou|Beach|Bottom|Annex|Arcade)\.?"
)
STATE = (
    r"(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|"
    r"S[CD]|T[NX]|UT|V[TA]|W[AVIY]|AS|FM|GU|MH|MP|PW|PR|VI)"
)
INSTITUTION_WORDS = (
    r"(?:Hospital|Medical Center|Medical Centre|Health System|Health Center|Clinic|Infirmary|"
    r"Imaging Center|Radiology Associates|Cancer Center|Children's Hospital|Healthcare|"
    r"University Hospital|Memorial|Imaging Centre|Health Centre|Cancer Centre|Medical Clinic)"
)
# Institutions named after their kind ("Klinikum Zell am See", "Hôpital Saint-Louis").
INSTITUTION_FIRST = (
    r"(?:Klinikum|Krankenhaus|Universitätsklinikum|Kantonsspital|Hôpital|Clinique|"
    r"Centre Hospitalier|Ospedale|Policlinico|Clínica|Szpital|Sairaala)"
)  # not "Hospital": in English it ends a name ("Mercy Hospital Radiology" is not one)

# Kinds of street in French, Italian, Spanish, Portuguese, Indonesian, Polish and Hungarian
# layouts, written before the street's name ("rue Gauthier", "Jl. Kendalsari").
LATIN_STREET_KINDS = (
    "rue route avenue av. boulevard bd chemin allée impasse quai rang cours via viale piazza"
    " calle avenida rua travessa largo praça jalan jl. gang gg. ul. ulica utca".split()
)
LATIN_STREET = (
    rf"\b(?i:{'|'.join(re.escape(kind) for kind in LATIN_STREET_KINDS)})[ \t]+"
    r"(?:(?:de|du|des|la|le|del|della|do|da|dos|das|l['’]|d['’])[ \t]*)*"
    rf"(?:{NAME_WORD}\.?|\d+)"
    rf"(?:[ \t]+(?!(?:No|Nr|N[°º])\.?[ \t]*\d)(?:{NAME_WORD}\.?|de|do|da|del)){{0,4}}"
)
# "No. 8", "Nr. 28", "N° 958" before a house number.
NUMBER_SIGN = r"(?:No\.?|Nr\.?|N[°º]|n[°º])"
HOUSE_NUMBER = rf"(?:,?[ \t]+{NUMBER_SIGN}?[ \t]*\d{{1,5}}[a-z]?\b)"

# The value of a field whose label names a place smaller than a state ("City: Port Gloria",
# "Postcode: 086 72", "Ort: Zell am See"), to the end of its field: every word of it is PHI,
# common words too ("Port", "do"). Blank forms ("City: ____", "[Insert City]", "N/A") are not.
LABELLED_PLACE = re.compile(
    r"(?im)(?:^|(?<=[|;]))[ \t\-*•>]*(?:city|town|village|suburb|county|district|"
    r"municipality|commune|ort|wohnort|ville|ciudad|cidade|città|stad|miasto|post ?code|"
    r"postal code|zip(?: code)?|plz|code postal|c[oó]digo postal)[ \t]*[:#][ \t]*"
    r"(?!(?:n/?a|none|unknown|not\b|nil\b|tbc|tbd|insert\b|x{2,}))"
    r"(?P<phi>[^\W_][^\n|;]{0,60}?)(?=[ \t]*(?:[|;\n]|$|[ \t]{2,}))"
)
# An institution written in capitals ("SMITHMOUTH IMAGING CLINIC"), when a word before its
# kind is no common or clinical word (so "RADIOLOGY CLINIC" stays)
CAPITALS_INSTITUTION = re.compile(
    rf"\b(?P<phi>(?:[{UPPER}][{UPPER}'’\-]+[ \t]+){{1,4}}(?:HOSPITAL|MEDICAL CENT(?:ER|RE)|"
    r"CLINIC|INFIRMARY|IMAGING CENT(?:ER|RE)|HEALTH CENT(?:ER|RE)|HEALTHCARE|KLINIKUM|"
    r"CLINIQUE|HÔPITAL|HOPITAL))\b"
)
# A name after a cue word ("Patient: Jane Doe", "Read by J. Smith").
NAME_CUE = re.compile(
    r"\b(?i:Patient Name|Patient|Name|Pt|Physician|Radiologist|Referring Physician|"
    r"Referring|Attending|Technologist|Dictated by|Signed by|Read by|Reviewed by|cc|"
    r"Contact)\b(?:[ \t]*\.{2,}[ \t]*:?|[ \t]*:?)[ \t]*(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?[ \t]+)?"
    rf"(?P<phi>(?:{NAME_WORD})(?:,?[ \t]+(?:{NAME_WORD})){{0,2}})"
)

# Order matters: on equal length, earlier patterns win the overlap.
PATTERNS: list[tuple[PHI, re.Pattern[str]]] = [
    (PHI.EMAIL, re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (PHI.URL, re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:)]", re.I)),
    (PHI.IP, re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    (
        PHI.PHONE,
        re.compile(
            r"(?<![\w/])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
            r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\d)",
            re.I,
        ),
    ),
    (
        PHI.PHONE,
        re.compile(
            r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(0\)\s?)?\d{1,5}(?:[\s.-]\d{2,8}){1,4}"
            r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\d)",
            re.I,
        ),
    ),
    (
        PHI.PHONE,
        re.compile(
            r"\b(?:ext(?:ension)?\.?|x)\s?\d{3,6}\b|"
            r"\b(?:pager|bleep|beeper|pgr)\s*(?:#|no\.?|:)?\s*(?P<phi>\d{3,7})\b",
            re.I,
        ),
    ),
    (
        PHI.DATE,
        re.compile(
            rf"\b\d{{1,2}}[\s-]?{MONTH}[\s-]?(?:\d{{4}}|\d{{2}})\b|"
            rf"\b{MONTH}[\s-]\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*(?:mm|cm|%))|"
            r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b|"
            r"\b(?:on|dated|since|from)\s+(?P<phi>\d{1,2}/\d{1,2})\b(?![/\d])",
            re.I,
        ),
    ),
    (
        PHI.DATE,
        re.compile(
            r"\b(?:(?<!\d[.,])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![.,]\d)|"
            r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|"
            rf"{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
            rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH},?\s+\d{{4}}|{MONTH}\s+\d{{4}})\b"
        ),
    ),
    (
        PHI.DATE,  # "31st of March 2025", "3. März 2024", "1er mars 2024", "Aug. 3, '12"
        re.compile(
            rf"\b\d{{1,2}}(?:st|nd|rd|th|er|\.)?[ \t]+(?:of[ \t]+)?{ANY_MONTH},?[ \t]+"
            r"(?:\d{4}|['’]\d{2})\b|"
            rf"\b{ANY_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th|\.)?,?[ \t]+(?:\d{{4}}|['’]\d{{2}})\b|"
            rf"\b\d{{1,2}}-{ANY_MONTH}-(?:\d{{4}}|\d{{2}})\b",
            re.I,
        ),
    ),
    (
        PHI.AGE,
        re.compile(
            r"\b(?P<phi>9\d|1[0-2]\d)(?=(?:\s?|-)(?:years?|yrs?|y/?o|year-old)\b)|"
            r"\b(?:age|aged)[:\s]+(?P<phi2>9\d|1[0-2]\d)\b",
            re.I,
        ),
    ),
    (
        PHI.ID,
        re.compile(
            r"\b(?:MRN|MR#|medical record(?: number)?|acc(?:ession)?(?: number| no\.?| #)?|"
            r"patient id|pid|ssn|account(?: number)?|encounter|visit id|order(?: number)?|"
            r"study id|insurance id|member id|id)\s*[:#]?\s*"
            r"(?P<phi>[A-Z]{0,3}-?\d[\d-]{3,}[A-Z]?)\b",
            re.I,
        ),
    ),
    (PHI.ID, re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b|(?<![\d.])\d{7,}(?![\d.]|\s?(?:mm|cm|ml))")),
    (PHI.ID, re.compile(r"(?<![\w/.-])\d{2,4}-\d{3,4}-\d{2,4}(?![\w/.-])")),
    (  # the author's and the typist's initials: "JS/ab" (not views such as "PA/lat")
        PHI.NAME,
        re.compile(
            r"(?<![\w/])(?!(?:PA|AP|LAT|CT|MR|MRI|US|XR|CXR|KUB)/)[A-Z]{2,3}/[a-z]{2,3}(?![\w/])"
        ),
    ),
    (PHI.NAME, re.compile(r"\b[A-Z][A-Za-z'’-]+\^[A-Z][A-Za-z'’-]*(?:\^[A-Z][A-Za-z'’.-]*)*")),
    (
        PHI.DEVICE,
        re.compile(
            r"\b(?:serial(?: number| no\.?| #)?|S/N|SN|device id|lot(?: number)?|model(?: number)?)"
            r"\s*[:#]?\s*(?P<phi>[A-Z0-9][A-Z0-9-]{4,})\b",
            re.I,
        ),
    ),
    (
        PHI.ADDRESS,
        re.compile(
            rf"\b\d{{1,6}}[ \t]+(?:(?:{NAME_WORD}|\d+(?:st|nd|rd|th))[ \t]+){{1,4}}{STREET}"
            rf"(?![A-Za-z])(?:,?[ \t]+(?:Apt|Suite|Unit|#)\.?[ \t]*\w+)?"
            rf"(?:,\s*(?:{NAME_WORD})(?:\s+{NAME_WORD})*,?\s+{STATE}\s+\d{{5}}(?:-\d{{4}})?)?"
        ),
    ),
    (PHI.ADDRESS, re.compile(rf"\b{STATE}\s+\d{{5}}(?:-\d{{4}})?\b")),
    (
        PHI.ADDRESS,  # "12, rue de la Paix", "53794 route Lucas", "Av. Mitre N° 5047": a number
        re.compile(  # before or after, so that "sent via Fax" is not an address
            rf"\b\d{{1,5}}[a-z]?,?[ \t]+{LATIN_STREET}(?:{HOUSE_NUMBER})?|"
            rf"{LATIN_STREET}{HOUSE_NUMBER}"
        ),
    ),
    (
        PHI.ADDRESS,  # German, Dutch, Nordic and Central European streets: "Fuchsstrasse 20"
        re.compile(
            rf"\b[{UPPER}][{LOWER}\-]*(?i:strasse|straße|str\.|weg|gasse|platz|allee|damm|"
            r"straat|laan|gracht|gatan|vägen|gata|vej|gade|veien|vegen|katu|kuja|polku|"
            r"utca|út|ulica|ulice|cesta|trg)[ \t]+\d{1,5}[a-z]?\b"
        ),
    ),
    (PHI.LOCATION, LABELLED_PLACE),
    (PHI.INSTITUTION, CAPITALS_INSTITUTION),
    (  # UK ("DN9 1RG", "SW1A 2AA") and Canadian ("E6H 3ZA", "T2K5M5") postcodes
        PHI.LOCATION,
        re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)\b"),
    ),
    (
        PHI.LOCATION,
        re.compile(
            rf"(?P<phi>(?:{NAME_WORD})(?:[ \t]+(?:{NAME_WORD})){{0,2}}),[ \t]+{STATE}[ \t]+\d{{5}}"
        ),
    ),
    (
        PHI.INSTITUTION,
        re.compile(
            rf"\b(?:(?:St\.?|Saint|Mount|Mt\.?)\s+)?(?:{NAME_WORD})(?:\s+(?:{NAME_WORD}|of|and|&))*"
            rf"\s+{INSTITUTION_WORDS}\b|\bUniversity of (?:{NAME_WORD})(?:\s+{NAME_WORD})*|"
            rf"\b{INSTITUTION_FIRST}[ \t]+"
            r"(?:(?:de|du|des|la|le|di|del|am|an der|im|bei|sur)[ \t]+)?"
            rf"{NAME_WORD}(?:[ \t]+(?:(?:am|an der|im|bei|sur|de|di|del)[ \t]+)?{NAME_WORD}){{0,3}}"
        ),
    ),
    (
        PHI.NAME,
        re.compile(
            r"\b(?:Dr|Drs|Mr|Mrs|Ms|Miss|Prof)\.?[ \t]+"
            rf"(?P<phi>(?:{NAME_WORD})(?:[ \t]+(?:{NAME_WORD})){{0,2}})"
        ),
    ),
    (
        PHI.NAME,
        re.compile(
            rf"(?:{NAME_WORD})(?:[ \t]+(?:{NAME_WORD})){{1,2}}"
            r"(?=,?[ \t]+(?:MD|M\.D\.|DO|RN|NP|PA-C|PhD|MBBS|FRCR|RT\(R\))\b)"
        ),
    ),
    (PHI.NAME, NAME_CUE),
]


# Digits in groups, in any national layout ("09 83 13 26", "0038 140872", "(03) 7859 5559",
# "+90 (831) 2830347"): with 7 to 15 digits in all, a number written so is a phone number or
# an identifier, never a measurement (no decimals, no unit after it).
GROUPED_DIGITS = re.compile(
    r"(?<![\w.+/-])(?:\+\d{1,3}[ \t]?)?"
    r"(?:\(\d{1,5}\)[ \t]?\d{2,10}(?:[ \t-]\d{1,8}){0,5}|\d{1,5}(?:[ \t-]\d{1,8}){1,5})"
    r"(?![\w-]|[.,/:]\d|[ \t]?(?:mm|cm|ml|mL|x\b|%|°))"
)


_TITLE_BEFORE = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof)\.?[ \t]+$")
_LABEL_END = re.compile(r"[ \t]*(?:[:)*\]]|['’]s\b)")


def _field_words(text: str, start: int, end: int) -> bool:
    """A name candidate after a cue that is the rest of a field label ("Patient
    Information", "Referring Doctor:", "(Referring Doctor)"): common words that are not names
    at all, or that are frequent words ("doctor", also a surname) ending the label."""
    words = re.findall(r"[^\W\d_]{2,}", text[start:end])
    if not words:
        return False
    if all(is_safe_word(w, strict=True) for w in words):
        return True
    return _LABEL_END.match(text, end) is not None and all(
        is_safe_word(w, strict=False) for w in words
    )


def _common_kind_words(name: str) -> bool:
    """Every word before the institution's kind is a common or clinical word ("RADIOLOGY
    CLINIC", "GENERAL HOSPITAL"): a department, not a named institution."""
    words = re.findall(r"[^\W\d_]+", name)[:-1]
    return all(is_safe_word(w.lower(), strict=True) for w in words)


def pattern_spans(text: str) -> Iterator[Span]:
    """Every pattern match, labelled with its category (the ``phi`` group when a pattern has a
    label before the PHI itself)."""
    for category, pattern in PATTERNS:
        for m in pattern.finditer(text):
            groups = [g for g in ("phi", "phi2") if g in pattern.groupindex and m.group(g)]
            start, end = m.span(groups[0]) if groups else m.span()
            titled = _TITLE_BEFORE.search(text, m.start(), start) is not None
            if pattern is NAME_CUE and not titled and _field_words(text, start, end):
                continue
            if pattern is CAPITALS_INSTITUTION and _common_kind_words(m.group("phi")):
                continue
            if end > start:
                yield Span(start, end, category, "pattern")
    for m in GROUPED_DIGITS.finditer(text):
        if 7 <= sum(c.isdigit() for c in m.group(0)) <= 15:
            yield Span(m.start(), m.end(), PHI.PHONE, "pattern")
