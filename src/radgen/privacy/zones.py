"""Zones where PHI concentrates, and the safe-list policy applied inside them (after Philter).

Report headers, ``label: value`` lines, signature and addendum lines and salutations carry
most PHI, in formats no pattern can list. Inside those zones a token survives only when it is
clinical vocabulary or a common English word that is not also a common first or last name;
everything else is redacted. Clinical prose outside the zones is left to the patterns and the
learned tagger, so its precision is unchanged.

Also here: protected clinical terms (an eponym or device name followed by its clinical noun:
"Hodgkin lymphoma", "Swan-Ganz catheter", "Kerley B lines"), which no detector may redact.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from importlib import resources

from radgen.errors import RadgenError
from radgen.privacy.clinical_terms import (
    CLINICAL_WORDS,
    MEASUREMENT_UNIT,
    medical_word_form,
    unit_follows,
)
from radgen.privacy.drugs import drug_names
from radgen.privacy.eponyms import eponym_spans
from radgen.privacy.spans import PHI, Span

SECTION = re.compile(
    r"^\s*(?:final report|findings?|impressions?|indications?|history|clinical (?:history|details|"
    r"information|indication)|comparisons?|compared with|technique|exam(?:ination)?|procedure|"
    r"reason for (?:exam|study|examination)|conclusions?|report|opinion|summary|result|"
    r"befund|beurteilung|indikation|résultats?|compte rendu|indication|hallazgos|conclusión)"
    r"\s*(?::|-|\.?\s*$)",
    re.I,
)
PHI_LABEL = re.compile(
    r"\b(?:name|patient|pt|dob|d\.o\.b|birth|born|geb|né|nee|date|datum|mrn|mr#|id|no|nr|num|"
    r"number|#|acc|accession|uhid|nhs|ssn|account|encounter|visit|case|csn|ipp|fall|phone|tel|"
    r"tél|telephone|fax|mobile|cell|pager|bleep|ext|address|addr|adresse|home|residence|city|"
    r"physician|doctor|dr|md|referr\w*|attending|consultant|gp|clinician|prescripteur|"
    r"requested|ordered|ordering|signed|dictated|transcribed|verified|reported|read|reviewed|"
    r"cc|copy|institution|hospital|facility|location|ward|site|clinic|email|e-mail|contact|"
    r"insurance|member|medicare|order|req|unit|study|re|kin)\b",
    re.I,
)
SIGNATURE = re.compile(
    r"^\s*(?:electronically signed|signed|dictated|transcribed|verified|reported by|read by|"
    r"reviewed by|attending|radiologist|addendum|amended|cc\b|d:|t:|dear\b|re:|thank you|"
    r"befundet|validé|sincerely|regards|yours)",
    re.I,
)
TOKEN = re.compile(r"[^\W\d_][\w'’^.\-]*|\d[\w/.:\-]*")
HONORIFICS = frozenset("dr drs mr mrs ms miss prof md do rn np pa phd mbbs frcr mbchb".split())
HEADS = (
    r"disease|syndrome|sign|fracture|lymphoma|sarcoma|tumou?r|catheter|tube|lines?|drain|filter|"
    r"rods?|valve|shunt|device|hernia|tear|lesion|nodes?|nodule|cyst|joints?|procedure|"
    r"o?esophagectomy|fundoplication|reservoir|occluder|pump|palsy|deformity|malformation|"
    r"encephalopathy|thyroiditis|diverticulum|o?esophagus|hump|criteria|score|grade|"
    r"classification|man(?:oeu|eu)ver|position|technique|circulation|granulomatosis|"
    r"histiocytosis|injury|ligament|pacemaker|icd|needle|basket|bypass|port|line|space|"
    r"effect|phenomenon|angle|ring|body|bodies|cell|cells|node|changes|type|stage|artery"
)
# Anatomy named "of" somebody ("foramen of Monro", "pouch of Douglas", "ampulla of Vater")
_OF_HEADS = (
    r"foramen|foramina|pouch|ligament|circle|vein|sphincter|canal|space|islets?|loop|ampulla|"
    r"duct|angle|organ|triangle|fossa|bursa|tract|cave|fissure|fascia|capsule|tubercle|plexus|"
    r"recess|node|crypts?|glands?|aqueduct|ring"
)
PROTECTED = re.compile(
    rf"\b(?:non-)?(?:[A-Z][A-Za-z'’]+(?:-[A-Z][A-Za-z'’]+)*|[A-Z])(?:\s+(?:[A-Z][a-z'’]+"
    rf"(?:-[A-Z][a-z'’]+)*|[A-Z]))?(?:['’]s)?(?:\s+[a-z]+)?\s+(?:{HEADS})\b"
    rf"|\b(?i:{_OF_HEADS})\s+of\s+(?!(?i:{'|'.join(sorted(HONORIFICS))})\b)[A-Z][a-z'’]+\b"
)


EXTRA_NAME_LOCALES = (
    "da_DK", "no_NO", "fi_FI", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "lt_LT",
    "lv_LV", "et_EE", "en_NZ", "en_CA", "es_MX", "es_CO", "es_AR", "pt_PT", "fr_CH", "fr_CA",
    "de_AT", "de_CH", "it_CH", "nl_BE", "id_ID", "fil_PH", "en_PH", "vi_VN", "az_AZ", "ga_IE",
    "zu_ZA", "bg_BG", "el_GR", "ru_RU", "uk_UA",
)  # fmt: skip


def _locale_names(loc: str) -> set[str]:
    import importlib

    try:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
    except (ImportError, AttributeError):
        return set()
    out: set[str] = set()
    for attr in ("first_names", "last_names", "first_names_male", "first_names_female"):
        values = getattr(provider, attr, ())
        out.update(n.lower() for n in values if isinstance(n, str))
    return {n for n in out if re.fullmatch(r"[^\W\d_][\w'’\-]*", n)}


@cache
def person_names() -> frozenset[str]:
    """Lower-cased first and last names of Faker's person providers in many locales. Names
    from the wider set of locales count only outside the 5,000 most frequent English words, so
    that adding Danish or Czech surnames does not turn "mass" or "long" into names."""
    from wordfreq import top_n_list

    names: set[str] = set()
    for loc in (
        "en_US",
        "en_GB",
        "en_IN",
        "en_AU",
        "de_DE",
        "fr_FR",
        "es_ES",
        "it_IT",
        "nl_NL",
        "pt_BR",
        "pl_PL",
        "sv_SE",
        "tr_TR",
        "en_IE",
    ):
        names |= _locale_names(loc)
    frequent = set(top_n_list("en", 5000))
    for loc in EXTRA_NAME_LOCALES:
        names |= _locale_names(loc) - frequent
    return frozenset(names)


@cache
def place_words() -> frozenset[str]:
    """Lower-cased words of the city, state, country and street names of Faker's address
    providers ("Kingston", "Cerna")."""
    import importlib
    import pkgutil

    import faker.providers.address as address

    words: set[str] = set()
    for module in pkgutil.iter_modules(address.__path__):
        try:
            provider = importlib.import_module(f"{address.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in ("cities", "city_names", "states", "countries", "street_names", "provinces"):
            values = getattr(provider, attr, ())
            if isinstance(values, (list, tuple)):
                for value in values:
                    if isinstance(value, str):
                        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", value))
    return frozenset(words)


def _asset_texts(*paths: str) -> list[str]:
    """Bundled clinical texts with no names, by path inside the package."""
    return [(resources.files("radgen") / path).read_text("utf-8") for path in paths]


@cache
def _radlabels_sample() -> tuple[str, ...]:
    """radlabels' first 500 synthetic reports (no names there); none when it is absent."""
    try:
        from radgen.privacy.phi_synth import radlabels_reports

        return tuple(radlabels_reports()[:500])
    except RadgenError:
        return ()


_TEMPLATES = "assets/report_templates.json"
_GUIDANCE = "assets/kb/protocol_guidance.md"


@cache
def clinical_vocabulary() -> frozenset[str]:
    """Words of the rule lexicon, the templates and the guidance notes, plus report words."""
    words: set[str] = set(CLINICAL_WORDS)
    for text in _asset_texts("text/extract/lexicon.yaml", _TEMPLATES, _GUIDANCE):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", text))
    for report in _radlabels_sample():  # words written in lower case in radlabels' reports
        words.update(re.findall(r"\b[a-z]{2,}\b", report))
    return frozenset(words)


@cache
def clinical_bigrams() -> frozenset[tuple[str, str]]:
    """Pairs of adjacent words in clinical text without names (radlabels' first 500 reports,
    the templates, the guidance notes): "wet read", "chest wall", "is clear"."""
    pairs: set[tuple[str, str]] = set()
    for text in [*_asset_texts(_TEMPLATES, _GUIDANCE), *_radlabels_sample()]:
        for line in text.lower().splitlines():
            pairs.update(itertools.pairwise(re.findall(r"[a-z]{2,}", line)))
    return frozenset(pairs)


def _in_clinical_phrase(words: list[str], j: int) -> bool:
    """``words[j]`` forms a clinical phrase with a neighbour ("WET READ", "chest wall")."""
    w = words[j].lower()
    pairs = clinical_bigrams()
    before = j > 0 and (words[j - 1].lower(), w) in pairs
    after = j + 1 < len(words) and (w, words[j + 1].lower()) in pairs
    return bool(before or after)


@cache
def common_words(strict: bool = True) -> frozenset[str]:
    """The 50,000 most frequent English words (wordfreq) without person names; ``strict``
    drops every name, otherwise only names outside the 5,000 most frequent words ("clear",
    "will" and "young" stay)."""
    from wordfreq import top_n_list

    names, words = person_names(), top_n_list("en", 50000)
    keep = set() if strict else set(words[:5000])
    return frozenset(w for w in words if w not in names or w in keep)


def is_safe_word(token: str, strict: bool = True) -> bool:
    """A token that cannot be PHI: clinical vocabulary, or a common word that is not a name
    (``strict``: not any name; else not a name outside the 5,000 most frequent words)."""
    word = token.strip(".'’-").lower()
    if len(word) <= 1 or word in HONORIFICS or word in CLINICAL_WORDS:
        return True
    if word in drug_names():
        return True  # "Depo-Medrone", "lidocaine" (no drug name that is also a name or place)
    if "-" in word:  # "sign-off", "year-old": safe when every part is ("Smith-Jones" is not)
        return all(is_safe_word(part, strict) for part in word.split("-") if part)
    if word in clinical_vocabulary() and word not in person_names():
        return True
    return word in common_words(strict) or prefixed_clinical(word)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Eponym and device terms ("Swan-Ganz catheter") that no learned detector may redact."""
    out = []
    for m in PROTECTED.finditer(text):
        lead = m.group(0).split()[0].lower().strip("'’s")
        if lead in HONORIFICS:
            continue  # "Dr Parkinson's patient" is a name, not a term
        out.append(m.span())
    return out + eponym_spans(text)


def _label_end(line: str) -> int:
    """Where a ``label:`` prefix ends in a field (0 when the field has no label)."""
    m = re.match(r"[\s\[(*#>•-]*([^\W\d][^:=\t]{0,40}?)\s*(?::|=|\t| - )[\s*]*", line)
    return m.end() if m else 0


def _is_prose(line: str) -> bool:
    """A sentence, not a header line: eight or more words, most of them lower case (a
    preliminary "wet read" written before the first section heading)."""
    words = re.findall(r"[^\W\d_]+", line)
    return len(words) >= 8 and sum(w[0].islower() for w in words) >= 0.6 * len(words)


def _trailing_block(lines: list[tuple[int, str]]) -> int:
    """The index of the first of the short lines (five words or fewer, none a section
    heading) that end a report after its last sentence: an unlabelled signature ("J. Smith",
    "Consultant Radiologist", transcriptionist initials). ``len(lines)`` when there is none."""
    first = len(lines)
    for i in range(len(lines) - 1, 0, -1):
        body = lines[i][1].strip()
        if not body:
            continue
        if len(body.split()) > 5 or SECTION.match(body) or body.endswith((".", ":")):
            break
        if not _signature_like(body):
            break
        first = i
    return first


def _signature_like(line: str) -> bool:
    """A name line, not the end of a cut sentence: transcriptionist initials alone, or most
    words capitalised once trailing initials ("J. Smith / kt") are set aside."""
    if re.fullmatch(r"[\s/:-]*[a-z]{2,3}[\s/:.-]*", line):
        return True
    words = re.findall(r"[^\W\d_][\w'’\-]*", re.sub(r"/\s*[a-z]{2,3}[\s.]*$", "", line))
    return bool(words) and sum(w[0].isupper() for w in words) > len(words) / 2


def zones(text: str) -> list[tuple[int, int]]:
    """Character ranges the safe-list policy covers: the header before the first clinical
    section, ``label: value`` fields whose label names PHI, signature lines and the short
    lines after them."""
    out: list[tuple[int, int]] = []
    lines, pos = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, line))
        pos += len(line)
    header = next((i for i, (_, ln) in enumerate(lines) if SECTION.match(ln)), None)
    tail = _trailing_block(lines)
    in_signature = False
    for i, (start, line) in enumerate(lines):
        body = line.rstrip("\n")
        if not body.strip():
            continue
        keyword = SIGNATURE.match(body)
        if keyword:
            in_signature = True
        elif in_signature and (len(body.split()) > 12 or _is_prose(body)):
            in_signature = False
        in_header = header is not None and i < header and not _is_prose(body)
        whole = in_header or in_signature or i >= tail
        for m in re.finditer(r"[^\t|;]+?(?=\s{3,}|\t|\||;|$)", body):
            field = m.group(0)
            label_end = _label_end(field)
            label = field[:label_end]
            labelled = label_end > 0 and PHI_LABEL.search(label) is not None
            begin = m.start() + label_end
            if keyword and m.start() == 0:  # "Read by", "Signed": the trigger is not PHI
                begin = max(begin, keyword.end())
            if (whole or labelled) and begin < m.end():
                out.append((start + begin, start + m.end()))
    return out


def capital_initials(token: str) -> bool:
    """Two or three capitals that are not clinical shorthand: "DL", "JR", not "CT"."""
    return (
        2 <= len(token) <= 3
        and token.isalpha()
        and token.isupper()
        and token.lower() not in clinical_vocabulary()
    )


def _initials(tok: str, text: str, m: re.Match[str]) -> bool:
    """Two or three capitals that are not clinical shorthand ("DL", "JR"), or two or three
    lower-case letters alone on their line or after a slash ("/ kt": a transcriptionist)."""
    word = tok.lower()
    if not (2 <= len(tok) <= 3 and tok.isalpha()) or word in CLINICAL_WORDS:
        return False
    if tok.isupper():
        return capital_initials(tok) and word not in HONORIFICS
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line = text[line_start : len(text) if line_end < 0 else line_end]
    alone = re.fullmatch(r"[\s/:-]*[a-z]{2,3}[\s/:.-]*", line) is not None
    after_slash = re.search(rf"/\s*{tok}[\s.]*$", line) is not None  # "J. Smith / kt"
    return tok.islower() and (alone or after_slash)


_TRAILING_SPACE = re.compile(r"\s*")


def _cut_last_word(tok: str, text: str, end: int) -> bool:
    """The report's last word, cut off mid-word by an export ("TECHNI", "Endotr"): the start
    of a clinical word, and not a name."""
    word = tok.lower()
    if _TRAILING_SPACE.fullmatch(text, end) is None or len(word) < 3 or word in person_names():
        return False
    return any(w.startswith(word) and len(w) > len(word) for w in clinical_vocabulary())


# An examination's title: a short line without digits that names a modality ("CT Temporal
# Bones Report", "Ultrasound Carotid Doppler"). Its clinical words stay even when they are also
# surnames ("Bones", "Doppler"); any other word in it is still checked.
EXAM_TITLE = re.compile(
    r"\b(?:CT|MRI?|MRA|ultrasound|sonograph\w*|x-?rays?|radiograph\w*|PET(?:-CT)?|SPECT|"
    r"scintigraph\w*|mammo\w*|fluoro\w*|angiogra\w*|echocardiogra\w*|DEXA|doppler|"
    r"nuclear medicine|barium|tomosynthesis|(?:veno|arthro|myelo|uro|cholangio)gra\w*|"
    # modality codes in capitals ("XR CHEST", "CTPA", "MRCP"); "US" only before a region, as
    # "US Army" or "US Department of Veterans Affairs" is no examination
    r"(?-i:XR|DX|NM|IR|CTA|CTPA|CTU|CTC|MRCP|MRV|DXA|IVU|KUB|HSG)|"
    r"(?-i:US)(?=[ \t_]+(?:abdomen|abdominal|pelvi[cs]|renal|kidneys?|liver|thyroid|neck|"
    r"breasts?|scrot\w*|testes|carotids?|doppler|obstetric|OB|upper|lower|soft|guided|chest|"
    r"hip|shoulder|knee|groin|appendix|bladder|venous|arterial)\b))\b",
    re.I,
)


# A PHI label that labels something ("Patient: ...", "Study #"): such a line is no title, though
# a title may use the word ("Barium Swallow Study")
_LABELLED = re.compile(rf"{PHI_LABEL.pattern}[ \t]*[:#]", re.I)


def _line_at(text: str, pos: int) -> str:
    """The line holding ``pos``."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : len(text) if end < 0 else end]


def exam_title_at(text: str, pos: int) -> bool:
    """Whether the line holding ``pos`` is an examination's title."""
    return _exam_title(_line_at(text, pos))


def _capitals_line(text: str, pos: int) -> bool:
    """Whether the line holding ``pos`` has no lower-case letter."""
    return not any(c.islower() for c in _line_at(text, pos))


def _exam_title(line: str) -> bool:
    return (
        len(line.split()) <= 10
        and not re.search(r"\d", line)
        and EXAM_TITLE.search(line) is not None
        and _LABELLED.search(line) is None
    )


def clinical_word(tok: str) -> bool:
    """In the clinical vocabulary, alone, as a plural (Latin ones of six letters or more too:
    "menisci", "vertebrae"; not "Mae") or after a prefix ("microlobulated"), even when it is
    also a surname."""
    word = tok.strip(".'’-").lower()
    vocabulary = clinical_vocabulary()
    return (
        word in vocabulary
        or (word.endswith("s") and word[:-1] in vocabulary)
        or (len(word) >= 6 and word.endswith("i") and word[:-1] + "us" in vocabulary)
        or (len(word) >= 6 and word.endswith("ae") and word[:-1] in vocabulary)
        or prefixed_clinical(word)
    )


# Prefixes that make new clinical words of clinical words ("microlobulated", "subpleural")
_CLINICAL_PREFIX = re.compile(
    r"(?:micro|macro|hyper|hypo|peri|intra|inter|sub|supra|infra|retro|trans|pseudo|poly|"
    r"multi|non|post|pre|anti)-?"
)


def prefixed_clinical(word: str) -> bool:
    """A prefix and a clinical word of five letters or more: no person or place name in
    Faker's locales is built so ("interchange", a common word, is the one place word)."""
    m = _CLINICAL_PREFIX.match(word)
    rest = word[m.end() :] if m else ""
    return len(rest) >= 5 and rest in clinical_vocabulary() and word not in person_names()


def _title_word(tok: str, capitals: bool) -> bool:
    """A word an exam title may hold: clinical ("Bones", "Doppler"), or written in lower case
    and no person's name ("in a neonate"); a capitalised non-clinical word is still checked.
    In a title written all in capitals ("INTERVENTION FLUORO GREAT TOE") case says nothing, so
    any word that is neither a person's name nor a word of a place name is kept."""
    word = tok.lower()
    if clinical_word(tok):
        return True
    if tok.islower():
        return word not in person_names()
    return capitals and word not in person_names() and word not in place_words()


_TIME_UNITS = frozenset("hours days weeks months years".split())


def _counted_time(tok: str, text: str, start: int) -> bool:
    """A unit of time after a number or a template's blank ("[ ] weeks", "6 weeks"): "Weeks"
    is also a surname."""
    return tok.lower() in _TIME_UNITS and text[:start].rstrip()[-1:] in tuple("0123456789])_")


def zone_spans(text: str) -> list[Span]:
    """Tokens inside zones that are neither clinical nor common words; numbers with three or
    more digits (not measurements: "120 ml"); single letters and honorifics next to a
    redacted name are taken along."""
    spans: list[Span] = []
    for a, b in zones(text):
        tokens = list(TOKEN.finditer(text, a, b))
        flagged = []
        words = [m.group(0).rstrip(".,;:") for m in tokens]
        title = exam_title_at(text, a)
        capitals = title and _capitals_line(text, a)
        for j, m in enumerate(tokens):
            tok = words[j]
            digits = sum(c.isdigit() for c in tok)
            if tok[:1].isdigit():
                unit = digits >= 3 and unit_follows(text, m.start() + len(tok))
                flagged.append(digits >= 3 and not unit)  # "120 ml" is a measurement
            elif title and EXAM_TITLE.fullmatch(tok):
                flagged.append(False)  # a modality code in a title ("IR", "XR")
            elif digits >= 3 or (
                _initials(tok, text, m) and not (capitals and is_safe_word(tok, strict=True))
            ):  # initials; in a title in capitals, "TOE" is a word
                flagged.append(True)
            else:
                safe = (
                    is_safe_word(tok)
                    or _in_clinical_phrase(words, j)
                    or medical_word_form(tok)
                    or (title and _title_word(tok, capitals))
                    or MEASUREMENT_UNIT.fullmatch(tok) is not None
                    or _counted_time(tok, text, m.start())
                )
                flagged.append(not safe and not _cut_last_word(tok, text, m.end()))
        for j, m in enumerate(tokens):  # initials beside a flagged word: "John A. Smith"
            tok = m.group(0).rstrip(".")
            if not flagged[j] and len(tok) == 1 and tok.isupper():
                near = [flagged[k] for k in (j - 1, j + 1) if 0 <= k < len(tokens)]
                flagged[j] = any(near)
        for m, f in zip(tokens, flagged, strict=True):
            if f:
                end = m.end()
                while end > m.start() and text[end - 1] in ".,;:":
                    end -= 1
                category = PHI.ID if any(c.isdigit() for c in text[m.start() : end]) else PHI.NAME
                spans.append(Span(m.start(), end, category, "zone"))
    return spans


_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]+")
_SENTENCE = re.compile(r"[^\n.!?]*(?:[.!?]|\n|$)")


def residual_sentences(
    text: str, claimed: list[Span], protected: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Sentences holding a capitalised word, not at the sentence start, that no detector
    claimed and that is neither clinical vocabulary nor a common word: where a name or place
    could still hide. NER reads only these."""
    covered = bytearray(len(text) + 1)
    for s, e in [(s.start, s.end) for s in claimed] + protected:
        covered[s:e] = b"\x01" * (e - s)
    out: list[tuple[int, int]] = []
    for sentence in _SENTENCE.finditer(text):
        a, b = sentence.span()
        for m in _CAPITALISED.finditer(text, a, b):
            head = text[a : m.start()].strip(" \t-*•:(")
            if not head or head[-1:] in ":;":
                continue  # the first word of a sentence or field
            if covered[m.start()]:
                continue
            if is_safe_word(m.group(0), strict=False):
                continue
            out.append((a, b))
            break
    return out


_NON_LATIN_WORD = re.compile(r"(?<![\w'’-])[^\W\d_A-Za-z\u00c0-\u024f][^\W\d_]+")


def foreign_script_spans(text: str) -> list[Span]:
    """Capitalised words in another script (Greek, Cyrillic...) inside a Latin-script report:
    a name written in its own alphabet ("Μάριος Κανταρελή"). Reports written in that script
    are left alone (fewer than four in five letters Latin)."""
    letters = [c for c in text if c.isalpha()]
    latin = sum(c < "\u0250" for c in letters)
    if not letters or latin < 0.8 * len(letters):
        return []
    return [
        Span(m.start(), m.end(), PHI.NAME, "zone")
        for m in _NON_LATIN_WORD.finditer(text)
        if m.group(0)[0].isupper()
    ]
