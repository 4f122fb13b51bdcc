"""Shapes that detectors mistake for PHI but that HIPAA Safe Harbor does not ask to remove, or
that are clinical content: a bare clock time, diagnosis codes, ordinals counting ribs or
vertebrae, and learned hits made only of clinical vocabulary.

Each rule looks at one detected span and its neighbourhood; a span that is part of something
larger (a time written onto a date, a code after "MRN:") is not touched.
"""

from __future__ import annotations

import re
from functools import cache

from radgen.privacy.clinical_terms import (
    CLINICAL_ABBREVIATIONS,
    MEASUREMENT_UNIT,
    medical_word_form,
    unit_follows,
)
from radgen.privacy.drugs import drug_names, is_drug
from radgen.privacy.patterns import LATIN_STREET_KINDS
from radgen.privacy.spans import PHI, Span
from radgen.privacy.zones import (
    PHI_LABEL,
    SECTION,
    clinical_word,
    exam_title_at,
    is_safe_word,
    person_names,
)

# A clock time alone ("10:10 PM", "at 8:05 p.m."): Safe Harbor removes dates, not times.
BARE_TIME = re.compile(r"(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?", re.I)
# ICD-9 ("786.05", "V76.12", "E880.9") and ICD-10 ("J18.9", "C34.11") codes, one or a list.
_CODE = r"(?:[VE]?\d{3}\.\d{1,2}|[A-TV-Z]\d{2}\.\d{1,4})"
DIAGNOSIS_CODES = re.compile(rf"[,\s]*{_CODE}(?:\s*,\s*{_CODE})*[,\s]*")
ID_LABEL = re.compile(
    r"(?:mrn|mr#|id|no|nr|number|#|acc\w*|account|ssn|nhs|uhid|encounter|visit|case|csn|"
    r"phone|tel|fax|pager|ext|ip)\W{0,3}$",
    re.I,
)
# "4th", "4th, 5th and 6th", "___-10th": ordinals without a month or a year.
ORDINALS = re.compile(
    r"[\s_\-,]*(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th))(?:\s*(?:,|and|to|-|through)\s*\d{1,2}(?:st|nd|rd|th))*",
    re.I,
)
COUNTED = re.compile(
    r"(?:[\s,\-/]+|and\b|to\b|through\b|or\b|\d{1,2}(?:st|nd|rd|th)\b|(?:left|right|"
    r"posterior|anterior|\w*lateral|\w*medial|upper|lower|bilateral|healed|old)\b)*"
    r"(?:ribs?|intercostal|vertebra\w*|thoracic|lumbar|cervical|sacral|metatarsal\w*|"
    r"metacarpal\w*|digits?|fingers?|toes?|cranial|nerves?|spaces?|ventricles?|percentile|"
    r"decade|costochondral|costovertebral|levels?|discs?|interspaces?)\b",
    re.I,
)
# What is left of a learned hit once text that cannot be PHI is taken out: a mask written by
# an earlier de-identification ("XXXX", "___"), a vertebral level or a run of them ("L2-L3",
# "T12"), and a count of times ("x3").
NOT_PHI_PIECES = re.compile(
    r"X{3,}(?![A-Za-z])|_{2,}|\b[CTLS]\d{1,2}(?:-[CTLS]?\d{1,2})?\b|\bx\d{1,2}\b"
    r"|\b(?:YYYY|YY|MM|DD|HH)(?:[-/.:](?:YYYY|YY|MM|DD|HH|SS))+\b"  # a blank form's "YYYY-MM-DD"
    r"|\bICD-?(?:9|10|11|O)(?:-(?:CM|PCS|\d))?\b"  # a coding system's name, not a code
    # a TNM stage ("pT3a", "N0", "M1", "N+", "ypN1"): a tumour's, no person's
    r"|\b(?:y?[cpr])?(?-i:[TNM])(?:[0-4][a-c]?|is|x|X)\b|\b(?-i:N)\s?\+"
    # a radionuclide ("Tc-99m", "F-18", "I-131", "99mTc") and a reporting system ("TI-RADS")
    r"|\b(?:(?:Tc-?99m|F-?18|I-?12[35]|I-?131|Ga-?6[78]|In-?111|Tl-?201|Xe-?133|Rb-?82|"
    r"Lu-?177|Y-?90|Zr-?89|Cu-?64|Ra-?223|Sm-?153|Sr-?89|C-?11|N-?13|O-?15|Kr-?81m)|"
    r"99mTc|18F|68Ga|111In|123I|131I|177Lu|201Tl)\b|\b[A-Z][A-Za-z]{0,4}-?RADS\b",
    re.I,
)
# Places larger than a state (Safe Harbor removes only smaller ones): "North America"
CONTINENTS = frozenset("africa america americas antarctica asia europe oceania".split())
_COMPASS = frozenset(
    "north south east west central latin northern southern eastern western".split()
)
_CONTINENT = r"(?:" + "|".join(sorted(CONTINENTS)) + r")\b"
CONTINENT_AFTER = re.compile(r"\s+" + _CONTINENT, re.I)
CONTINENT_BODY = re.compile(
    r"\s+of\s+(?:the\s+)?(?:(?:north|south|latin|central)\s+)?" + _CONTINENT, re.I
)
# A unit of time after a number or a range: a duration ("4-6 weeks"), never a date
# (not years: "93 years" may be an age over 89, which is PHI)
DURATION_AFTER = re.compile(r"\s*(?:hours?|days?|weeks?|wks?|months?)\b", re.I)
# A list item's number, and the full stop and capital after it ("2. Bibasilar")
LIST_NUMBER = re.compile(r"\d{1,2}")
ITEM_AFTER = re.compile(r"[.)][ \t]+[A-Z]")
# A year that dates a guideline or classification, before or after its name
YEAR = re.compile(r"(?:19|20)\d{2}")
_GUIDELINE = (
    r"(?:criteria|guidelines?|classification|consensus|recommendations?|revision|update|"
    r"edition|version|lexicon|atlas|staging|statement|system)"
)
GUIDELINE_AFTER = re.compile(rf"\s+(?:[A-Za-z][\w\-]*\s+){{0,3}}{_GUIDELINE}\b", re.I)
GUIDELINE_BEFORE = re.compile(rf"(?:\b{_GUIDELINE}(?:\s+of)?|\b[A-Z]+-?RADS(?:\s+v)?)\s*$", re.I)
# What a date holds: a day, month and year in numbers, a month and year, a year, or the words
DATE_SHAPE = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}|\d{1,2}[/.\-]\d{4}|(?:19|20)\d{2}")
DATE_WORDS = re.compile(
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|"
    r"fri|sat|sun|january|february|march|april|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|of|the|st|nd|rd|th|"
    r"on|at|am|pm|today|yesterday|tomorrow|noon|midnight",
    re.I,
)
# A drug's strength after its name ("Omnipaque 350", "Lasix 40 mg")
_STRENGTH = re.compile(r"(?:\s+\d+(?:[.,]\d+)?(?:\s*(?:mg|mcg|g|ml|%))?)+\s*$", re.I)
# A number or a range of numbers; followed by a unit, it is a measurement ("10-15 beats")
MEASURED = re.compile(r"\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?")
# A ratio of measurements ("16.2/24.7"): no date has a decimal fraction.
RATIO = re.compile(r"\d{1,3}[.,]\d+\s*/\s*\d{1,3}(?:[.,]\d+)?|\d{1,3}\s*/\s*\d{1,3}[.,]\d+")


def _scraps(piece: str) -> bool:
    """What a mask leaves: punctuation, an ordinal, at most two digits ("4", ":00") or a
    lone letter ("x-" of IU's "chest x-XXXX", "-a-" of "XXXX-a-XXXX")."""
    rest = re.sub(r"\b(?:\d{1,2}(?:st|nd|rd|th)|[^\W\d_])\b", " ", piece)
    return not re.search(r"[^\W\d_]", rest) and sum(c.isdigit() for c in rest) <= 2


def _impossible_date(piece: str) -> bool:
    """ "19/33": two numbers that are no day and month in either order."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})", piece)
    if m is None:
        return False
    a, b = int(m.group(1)), int(m.group(2))
    return not ((1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31))


# "McDonald", "DeVito", "LaToya", "O'Neill": inner capitals that names have.
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz|O['’]|D['’])[A-Z]")


def _camel_case(token: str) -> bool:
    """One token with capitals or digits inside that no name has: "EtOH", "HFpEF", "AComm",
    "DM2" (shorthand and eponym abbreviations NER mistakes for names)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", token) or token.isupper():
        return bool(re.fullmatch(r"[A-Z]{1,4}\d{1,2}", token))
    inner = token[1:]
    return any(c.isupper() for c in inner) and not _NAME_PREFIX.match(token)


# "I hope", "I'm": the pronoun, not an initial
PRONOUN_I = re.compile(r"[ \t]+[a-z]|['’](?:m|ve|d|ll)\b")
_CODE_ONLY = re.compile(rf"{_CODE}|\d{{3}}")


def _code_list(piece: str) -> bool:
    """Diagnosis codes glued into a list with words ("cxr,786.2", "486,V76.12")."""
    parts = [p for p in re.split(r"\s*,\s*", piece.strip(" ,")) if p]
    if len(parts) < 2 or not any(_CODE_ONLY.fullmatch(p) for p in parts):
        return False
    if all(re.fullmatch(r"\d{3}", p) for p in parts):
        return False
    return all(_CODE_ONLY.fullmatch(p) or is_safe_word(p, strict=False) for p in parts)


def _options_not_date(piece: str) -> bool:
    """A learned date with no date in it: numbers without a date's shape, beside clinical
    words and none of a date's ("lesions/10–20"; not "12 mars", a French date)."""
    words = re.findall(r"[^\W\d_]+", piece)
    if not words or DATE_SHAPE.search(piece):
        return False
    if any(DATE_WORDS.fullmatch(w) for w in words):
        return False
    return all(_clinical(w) for w in words)


def _clinical_options(piece: str) -> bool:
    """Choices of a template, two or more joined by "/" or "|", each a drug or made only of
    clinical words ("none/hyoscine-N-butylbromide/glucagon"); "Tinaport/clips" is not."""
    options = [o.strip() for o in re.split(r"[/|]", piece)]
    if len(options) < 2:
        return False
    for option in options:
        plain = " ".join(w for w in re.split(r"[\s\-]+", option) if len(w) > 1)
        words = re.findall(r"[^\W\d_]{2,}", option)
        if not words or not (
            is_drug(plain) or all(_clinical(w) or w.lower() == "none" for w in words)
        ):
            return False
    return True


def _clinical(word: str) -> bool:
    w = word.lower()
    if w in person_names():
        return False
    if word.isupper() and w in CLINICAL_ABBREVIATIONS:
        return True  # "HTN", "DKA": shorthand in capitals, not a typist's initials
    return clinical_word(w) or medical_word_form(w) or w in drug_names()


PRONOUNS = frozenset("he she him his her hers they them their we us".split())
# Two-letter English words that are no name and no typist's initials ("[yes/no]")
TWO_LETTER_WORDS = frozenset("no or in on at to of is it an as be by if up so do".split())


def _lower_case_not_name(word: str) -> bool:
    """A lower-case word no name is: a pronoun, or a clinical or common non-name word of three
    letters or more that is no name particle ("rhonchi"; not "van" or typist initials "kk")."""
    if word in PRONOUNS or word in TWO_LETTER_WORDS:
        return True
    if len(word) < 3 or word in NAME_PARTICLES:
        return False
    return is_safe_word(word, strict=True) or _clinical(word)


def clinical_not_phi(span: Span, text: str) -> bool:
    """True when ``span`` is a bare time, diagnosis codes, an ordinal count of ribs (or
    similar), a tagger hit made only of clinical vocabulary, or an NER hit made only of
    clinical or common words that are not names ("Dysphagia", "Hematocrit")."""
    piece = text[span.start : span.end]
    before = text[max(0, span.start - 12) : span.start]
    if BARE_TIME.fullmatch(piece.strip()):
        return True
    if RATIO.fullmatch(piece.strip()):
        return True
    if MEASURED.fullmatch(piece.strip()) and unit_follows(text, span.end):
        return True
    if (
        span.category is PHI.DATE
        and span.source != "pattern"
        and MEASURED.fullmatch(piece.strip())
        and DURATION_AFTER.match(text, span.end)
    ):
        return True  # "in 4-6 weeks", "for 3 days": a length of time, not a date
    if (
        span.category is PHI.DATE
        and span.source != "pattern"
        and YEAR.fullmatch(piece.strip())
        and (GUIDELINE_AFTER.match(text, span.end) or GUIDELINE_BEFORE.search(before))
    ):
        return True  # "2016 MAGNIMS criteria", "BI-RADS 2013": a guideline's year, no event's
    if span.category is PHI.DATE and span.source != "pattern" and _options_not_date(piece):
        return True  # "[< 10 lesions/10–20 lesions]": choices of a template, no date
    if DIAGNOSIS_CODES.fullmatch(piece) and not ID_LABEL.search(before):
        return True
    if (
        (span.category in (PHI.DATE, PHI.AGE, PHI.ID) or span.source != "pattern")
        and ORDINALS.fullmatch(piece)
        and COUNTED.match(text, span.end)
    ):
        return True
    if span.source != "pattern":
        if piece.strip() == "I" and PRONOUN_I.match(text, span.end):
            return True
        if _code_list(piece) and not ID_LABEL.search(before):
            return True
        if span.category is PHI.DATE and _impossible_date(piece.strip()):
            return True
        unmasked = NOT_PHI_PIECES.sub(" ", piece)
        if not re.search(r"[^\W_]", unmasked):
            return True
        if unmasked != piece and _scraps(unmasked):
            return True  # "___:00", "4XXXX": digits left beside an earlier mask
        piece = unmasked
        dose = re.search(r"\d+(?:[.,]\d+)?\s*$", piece)
        if dose and unit_follows(text, span.end):
            piece = piece[: dose.start()]  # "F-18 FDG, 370" [MBq]: the dose is a measurement
        if span.source == "ner" and _camel_case(piece.strip()):
            return True
    if (
        span.category in (PHI.NAME, PHI.LOCATION, PHI.INSTITUTION)
        and span.source != "pattern"
        and LIST_NUMBER.fullmatch(piece.strip())
        and ITEM_AFTER.match(text, span.end)
    ):
        return True  # "2. Lumbosacral spine": a numbered item, not a place or a name
    if (
        span.category in (PHI.NAME, PHI.LOCATION, PHI.INSTITUTION)
        and span.source in ("tagger", "ner")
        and is_drug(_STRENGTH.sub("", piece))
    ):
        return True  # "Depo-Medrone", "Omnipaque 350": a drug, whatever the detector called it
    words = re.findall(r"[^\W\d_]{2,}", piece)
    if not words or re.search(r"\d", piece):
        return False
    if (
        span.source != "pattern"
        and MEASUREMENT_UNIT.fullmatch(piece.strip())
        and re.search(r"\d\s*$", text[: span.start])
    ):
        return True  # "200 kPa"; a typist's "kg" or "ml" stays initials
    lowered = {w.lower() for w in words}
    if span.source != "pattern" and lowered & CONTINENTS and lowered <= CONTINENTS | _COMPASS:
        return True
    if span.source != "pattern" and lowered <= _COMPASS and CONTINENT_AFTER.match(text, span.end):
        return True  # "North" of "Radiological Society of North America"
    if span.source != "pattern" and _clinical_options(piece):
        return True  # "[none/hyoscine-N-butylbromide/glucagon]": a template's choices
    if span.source == "tagger" and span.category is PHI.ID and not re.search(r"\d", piece):
        return True  # "Acknowledgments": an identifier the tagger found holds a digit
    if (
        span.source != "pattern"
        and span.category is PHI.INSTITUTION
        and CONTINENT_BODY.match(text, span.end)
    ):
        return True  # a society "of North America" or "of Europe" is no one's hospital
    if (
        span.source in ("tagger", "ner")
        and exam_title_at(text, span.start)
        and all(clinical_word(w) or is_safe_word(w, strict=True) for w in words)
    ):
        return True  # "MRI Pituitary Report", "Ultrasound Carotid Doppler"
    if span.source == "tagger":
        if span.category is PHI.NAME and all(w.islower() for w in words):
            # "he", "rhonchi": a name written in lower case is rarely a common word
            return all(_lower_case_not_name(w) for w in words)
        return all(_clinical(w) or _lower_case_elsewhere(w, span, text) for w in words)
    if span.source == "ner":
        return all(
            is_safe_word(w, strict=True) or _clinical(w) or _lower_case_elsewhere(w, span, text)
            for w in words
        )
    return False


def _lower_case_elsewhere(word: str, span: Span, text: str) -> bool:
    """A capitalised word that the same text also writes in lower case, and that is no
    person's name ("situs: Situs"): a name keeps its capital wherever it is written. Not for
    places, many of which are common words too ("Reading", "Bath")."""
    low = word.lower()
    if word == low or low in person_names() or span.category is PHI.LOCATION:
        return False
    return re.search(rf"(?<![\w'’-]){re.escape(low)}(?![\w'’-])", text) is not None


# Words of letters and roles that a learned span takes along at its edges ("Thanks, Julia",
# "Yours sincerely", "John Smith, Consultant"): never PHI, whatever their case.
LETTER_WORDS = frozenset(
    "thanks thank dear yours sincerely regards kind best faithfully truly cheers consultant"
    " radiologist registrar resident fellow physician doctor nurse sister radiographer"
    " sonographer technologist husband wife son daughter mother father brother partner"
    " carer patient".split()
)
# Field labels a learned span runs into ("SMITH JOHN   ID", "Jose Garcia  Fecha"), in any case.
LABEL_WORDS = frozenset(
    "id mrn dob ssn nhs acc accession tel fax phone mobile email born birth name patient"
    " paciente fecha datum geb geboren nom date gp md ref mob".split()
)
NAME_PARTICLES = frozenset(
    "van von der den ter ten nad pod bin al zu am an im ob sur sous in".split()
)
# Kinds of street, written in lower case inside addresses ("rue Gauthier", "Orechový rad 63").
STREET_WORDS = frozenset(LATIN_STREET_KINDS) | frozenset(
    "put cesta tie rad vej gade gata gatan katu kuja street road lane drive way place court"
    " square terrace close crescent".split()
)


@cache
def _frequent_words() -> frozenset[str]:
    """The 10,000 most frequent English words: a lower-case name is rarely among them."""
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", 10000))


_EDGE_WORD = re.compile(r"\w[\w'’\-]*")
# A field's label at the start of a learned span, up to its colon ("**Address:** ").
_LEADING_LABEL = re.compile(r"[\W_]*((?:[^\W\d_]+['’\-]?[ \t]*){1,3}):[\s*]*")


def _common_edge(word: str) -> bool:
    """An edge word a learned span should not take: a letter or role word, or a common
    English word of three letters or more written in lower case (a lower-case name is rarely
    a frequent word); not a particle of a name or place ("van", "nad", "in") nor a kind of
    street ("rue")."""
    w = word.lower()
    if not w.isalpha():  # "10th", "year-old": never trimmed
        return False
    if w in LETTER_WORDS and (word.islower() or word.istitle()):
        return True
    if w in LABEL_WORDS:
        return True
    if not word.islower() or len(w) <= 2 or w in NAME_PARTICLES or w in STREET_WORDS:
        return False
    return w in _frequent_words() and w not in person_names()


# A field's label word: a common word that is no name ("City", "National"), a label word
# ("Ward", "Doctor"), an acronym ("GMC", "IP") or such parts joined ("E-MAIL", "Peer-Review")
_LABEL_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_LINE_LEAD = re.compile(r"[ \t\-*•>#|]*")
_LABEL_TAIL = re.compile(rf"((?:[ \t/()]*{_LABEL_TOKEN.pattern}){{0,5}})[ \t]*:")


def _word_parts(word: str) -> list[str]:
    """The parts of a hyphenated or possessive word ("E-MAIL", "NURSE'S")."""
    return [p for p in re.split(r"['’\-]", word) if p]


def _line_of(span: Span, text: str) -> tuple[int, int]:
    """Where the line holding ``span`` starts and ends."""
    end = text.find("\n", span.end)
    return text.rfind("\n", 0, span.start) + 1, len(text) if end < 0 else end


def _label_parts(word: str) -> tuple[bool, bool]:
    """(every part is a label part, some part is a word rather than an acronym)."""
    parts = _word_parts(word)
    worded = [
        is_safe_word(p, strict=True) or PHI_LABEL.fullmatch(p) is not None or clinical_word(p)
        for p in parts
    ]  # "KIDNEYS:", "MENISCI:" label a clinical field, though "Kidney" is also a surname
    acronym = [re.fullmatch(r"[A-Z]{1,4}", p) is not None for p in parts]
    return all(w or a for w, a in zip(worded, acronym, strict=True)), any(worded)


def is_field_label(span: Span, text: str) -> bool:
    """Whether a learned span is (part of) a field's label: on its line only label words come
    before it and up to a colon after it ("- City: Port Gloria", "Doctor's GMC Number:
    5123870", "E-MAIL: ..."). A label names the field; the value after the colon is PHI. A
    name used as a label ("John Smith: 45M") or initials alone ("JS:") are no label words."""
    lead = _LINE_LEAD.match(text, _line_of(span, text)[0]).end()
    section = SECTION.match(text[lead : span.start])
    if section and section.group(0).rstrip().endswith(":"):
        lead += section.end()  # "FINDINGS: MENISCI: ...": a sub-field's label after its section's
    segment = text[lead : span.start]
    if lead > span.start or re.search(r"[\d:]", segment):
        return False
    if not (tail := _LABEL_TAIL.match(text, span.end)):
        return False
    words = [
        *_LABEL_TOKEN.findall(segment),
        *_LABEL_TOKEN.findall(text, span.start, span.end),
        *_LABEL_TOKEN.findall(tail.group(1)),
    ]
    if not words or len(words) > 8:
        return False
    checks = [_label_parts(w) for w in words]
    return all(ok for ok, _ in checks) and any(worded for _, worded in checks)


# A template's placeholder ("[Insert Ward Name]", "[Consultant Radiologist's Position]"):
# what it names is a blank, not a value
_PLACEHOLDER = re.compile(
    r"\[(?:(?:insert|enter|your|add|type)\b[^\]\n]{0,60}|[^\]\n]{0,60}\b(?:name|number|"
    r"address|date|position|title|signature|details))\]",
    re.I,
)


# A template variable: "<gallbladder_findings>", "{{ impression }}", "{comparison}"
_VARIABLE = re.compile(r"<([a-z][a-z0-9_]*)>|\{\{?\s*([a-z][a-z0-9_]*)\s*\}?\}")


def in_placeholder(span: Span, text: str) -> bool:
    """Whether a learned span lies inside a bracketed template placeholder, or in a template
    variable with a clinical or common word and no name in it ("<gallbladder_distend>"; not
    "<jsmith>" or "<anna_reporting>")."""
    a, b = _line_of(span, text)
    for m in _PLACEHOLDER.finditer(text, a, b):
        if m.start() < span.start and span.end < m.end():
            return True
    for m in _VARIABLE.finditer(text, a, b):
        parts = [w for w in (m.group(1) or m.group(2)).split("_") if w]
        if m.start() < span.start and span.end < m.end() and parts:
            known = any(_clinical(w) or is_safe_word(w) for w in parts)
            names = [w for w in parts if w in person_names() and not clinical_word(w)]
            return known and not names  # "stone" is a surname and a clinical word
    return False


def _heading_word(word: str) -> bool:
    parts = [p for p in _word_parts(word) if p.lower() != "s"]
    return bool(parts) and all(
        is_safe_word(p, strict=True) or p.lower() in LETTER_WORDS or clinical_word(p) for p in parts
    )


# Words that name a document or its part: a heading holds one ("NURSE'S HANDOVER NOTE",
# "Kidney Findings", "Rectal Cancer Staging")
DOCUMENT_WORDS = frozenset(
    "note notes report checklist form summary letter review overread handover referral"
    " request consent claim details information record sheet list log entry submission"
    " addendum results assessment plan screening invoice minutes memo findings impression"
    " conclusion technique staging template protocol".split()
)


def is_heading(span: Span, text: str) -> bool:
    """Whether a learned span lies on a heading line: six words or fewer, no digit and no
    colon, one of them a document word and every word a common word that is no name, a
    clinical or a role word ("NURSE'S HANDOVER NOTE", "Peer-Review Note"). A name line
    ("JOHN SMITH") or a place alone ("Freiburg") is none."""
    start, end = _line_of(span, text)
    line = text[start:end]
    if re.search(r"[\d:@]", line):
        return False
    words = _LABEL_TOKEN.findall(line)
    parts = {p.lower() for w in words for p in _word_parts(w)}
    return (
        0 < len(words) <= 6
        and not parts.isdisjoint(DOCUMENT_WORDS)
        and all(_heading_word(w) for w in words)
    )


def trim_common_edges(span: Span, text: str) -> Span | None:
    """A tagger or NER span without common words at its edges ("farmer", "sincerely",
    "husband"); ``None`` when nothing else is left, or when it is a field's label, a
    template's placeholder or a heading. Words inside the span stay."""
    if is_field_label(span, text) or in_placeholder(span, text) or is_heading(span, text):
        return None
    label = _LEADING_LABEL.match(text, span.start, span.end)
    if label and all(is_safe_word(w) for w in re.findall(r"[^\W\d_]+", label.group(1))):
        span = Span(label.end(), span.end, span.category, span.source)  # "Address: 75 Oak"
    words = list(_EDGE_WORD.finditer(text, span.start, span.end))
    if not words:
        return span if span.end > span.start else None
    first, last = 0, len(words) - 1
    while first <= last and _common_edge(words[first].group(0)):
        first += 1
    while last >= first and _common_edge(words[last].group(0)):
        last -= 1
    if first > last:
        return None
    start = span.start if first == 0 else words[first].start()
    end = span.end if last == len(words) - 1 else words[last].end()
    return Span(start, end, span.category, span.source)
