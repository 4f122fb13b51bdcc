"""Task ``structure``: a free-text report (any language) -> the best-matching template,
filled by the local model and validated field by field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from radgen.errors import RadgenError
from radgen.text.extract.context import clauses
from radgen.text.llm.base import LLMBackend, check_text
from radgen.text.llm.structured import generate_json
from radgen.text.prompts.builder import build_messages, load_prompt
from radgen.text.tasks.config import LLMOptions
from radgen.text.tasks.templates import (
    NOT_MENTIONED,
    choose_template_detail,
    template_fields,
    template_model,
)

_ENGLISH = {"the", "is", "are", "no", "of", "and", "with", "there", "normal", "lungs", "heart"}
_STOPWORDS = {
    "de": {"der", "die", "das", "ist", "kein", "keine", "und", "mit", "unauffällig", "lunge"},
    "fr": {"le", "la", "les", "est", "pas", "de", "et", "avec", "poumons", "cœur", "normale"},
    "es": {"el", "la", "los", "es", "sin", "de", "y", "con", "pulmones", "corazón", "normal"},
    "it": {"il", "la", "è", "non", "di", "e", "con", "polmoni", "cuore", "nella"},
    "nl": {"de", "het", "is", "geen", "en", "met", "longen", "hart", "normaal"},
    "pt": {"o", "a", "é", "não", "de", "e", "com", "pulmões", "coração", "sem"},
}


def detect_language(text: str) -> str:
    """'en' or the most likely of a few European languages, by stop-word counts."""
    words = re.findall(r"\w+", text.lower())
    scores = {"en": sum(w in _ENGLISH for w in words)}
    scores |= {lang: sum(w in sw for w in words) for lang, sw in _STOPWORDS.items()}
    return max(scores, key=scores.__getitem__)


# Words that send a sentence to a template field, beyond the field's own name.
FIELD_SYNONYMS = {
    "cardiomegaly": "heart cardiac cardiomegaly",
    "enlarged_cardiomediastinum": "mediastinum mediastinal cardiomediastinal contour contours"
    " silhouette aorta aortic hilar",
    "lung_opacity": "opacity opacities density densities infiltrate infiltrates airspace"
    " scarring scar granuloma granulomas calcified lungs lung clear",
    "lung_lesion": "nodule nodules mass masses lesion",
    "edema": "edema congestion vascular vascularity",
    "consolidation": "consolidation consolidative",
    "pneumonia": "pneumonia infection",
    "atelectasis": "atelectasis atelectatic collapse volumes volume",
    "pneumothorax": "pneumothorax pneumothoraces",
    "pleural_effusion": "effusion effusions fluid",
    "pleural_other": "thickening blunting costophrenic",
    "fracture": "fracture fractures osseous bony bone spine degenerative ribs rib",
    "support_devices": "tube line catheter pacemaker device clips sternotomy wires stent",
    "overlying_soft_tissues": "soft tissue tissues",
    "upper_abdomen": "abdomen abdominal diaphragm hemidiaphragm bowel",
}


@dataclass
class Structured:
    template: str
    fields: dict[str, str] | None
    language: str
    ok: bool
    valid_first_try: bool
    repaired: bool
    attempts: int
    method: str = "llm"
    unassigned: list[str] = field(default_factory=list)
    raw: str = ""
    errors: list[str] = field(default_factory=list)
    template_note: str = ""  # set when no template of the report's modality and region exists
    translation: str | None = None  # the English the fields came from, for non-English reports

    def text(self) -> str:
        """What the structured report says: its filled fields, then unassigned sentences."""
        filled = [v for v in (self.fields or {}).values() if v and v != NOT_MENTIONED]
        return " ".join([*filled, *self.unassigned])


GENERIC_WORDS = {"enlarged", "lung", "lungs", "other", "upper", "lower", "and", "the", "with"}


def _field_words(name: str) -> set[str]:
    """Words that route a sentence to a field: curated synonyms when radgen has them
    (chest X-ray fields), else the field name's own words minus generic ones."""
    key = re.sub(r"\W", "_", name).lower()
    if key in FIELD_SYNONYMS:
        return set(FIELD_SYNONYMS[key].split())
    return {w for w in key.split("_") if len(w) > 2 and w not in GENERIC_WORDS}


# The template field of each finding the rule extractor recognises (chest X-ray fields);
# None: the finding has no field of its own (degenerative spine change is not a fracture).
FINDING_FIELDS: dict[str, str | None] = {
    "cardiomegaly": "CARDIOMEGALY",
    "cardiac_shadow": "CARDIOMEGALY",
    "atelectasis": "ATELECTASIS",
    "hypoinflation": "ATELECTASIS",
    "opacity": "LUNG_OPACITY",
    "airspace_disease": "LUNG_OPACITY",
    "calcified_granuloma": "LUNG_OPACITY",
    "scarring": "LUNG_OPACITY",
    "pulmonary_fibrosis": "LUNG_OPACITY",
    "nodule": "LUNG_LESION",
    "edema": "EDEMA",
    "consolidation": "CONSOLIDATION",
    "pneumonia": "PNEUMONIA",
    "pneumothorax": "PNEUMOTHORAX",
    "pleural_effusion": "PLEURAL_EFFUSION",
    "fracture": "FRACTURE",
    "hilar_prominence": "ENLARGED_CARDIOMEDIASTINUM",
    "thoracic_spine_degeneration": None,
    "hyperinflation": None,
    "emphysema": None,
    "calcinosis": None,
}


def route_sentences(text: str, template: str) -> tuple[dict[str, str], list[str]]:
    """Deterministic structuring. A clause goes to the field of each finding the rule
    extractor recognises in it ("No effusion or pneumothorax" informs both fields); a clause
    with no recognised finding goes to every field whose name or synonyms it mentions, and
    one whose findings have no field here goes only to fields that no finding owns.
    Clauses matching no field are returned, never dropped."""
    from radgen.text.extract.rules import RuleExtractor

    names = template_fields(template)
    vocab = {
        n: _field_words(n)
        for n in names
        if n not in ("INDICATION", "COMPARISON", "TECHNIQUE", "IMPRESSION")
    }
    owned = {f for f in FINDING_FIELDS.values() if f}
    extractor = RuleExtractor()
    filled: dict[str, list[str]] = {n: [] for n in names}
    unassigned = []
    for clause in clauses(text):
        sentence = clause.text.strip()
        found = {f.finding for f in extractor.extract(sentence)} & FINDING_FIELDS.keys()
        targets = [n for n in names if n in {FINDING_FIELDS[f] for f in found}]
        if not targets:
            words = set(re.findall(r"[a-z]+", sentence.lower()))
            allowed = [n for n in vocab if not (found and n in owned)]
            targets = [n for n in allowed if words & vocab[n]]
        if not targets:
            unassigned.append(sentence)
        for n in targets:
            filled[n].append(sentence)
    return {n: " ".join(v) or NOT_MENTIONED for n, v in filled.items()}, unassigned


SECTION = re.compile(r"(?:^|(?<=[.!?] ))\s*([A-Z][A-Z /]{2,30}):\s*", re.MULTILINE)
HEADER_FIELDS = ("INDICATION", "COMPARISON", "TECHNIQUE", "IMPRESSION")


def split_sections(text: str) -> dict[str, str]:
    """'INDICATION: ...' style headers -> {header: text}; text before any header is ''."""
    marks = list(SECTION.finditer(text))
    sections = {"": text[: marks[0].start()] if marks else text}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        sections[m.group(1).strip().upper()] = text[m.end() : end].strip()
    return sections


def structure_rules(
    report: str,
    *,
    template: str | None = None,
    hint: str | None = None,
    impression: str | None = None,
) -> Structured:
    """Structure an English report without a model: header sections (INDICATION,
    IMPRESSION...) fill the fields of the same name; other sentences are routed."""
    text = check_text(report)
    name, note = pick_template(text, template, hint)
    sections = split_sections(text)
    skip = (*HEADER_FIELDS, "EXAMINATION", "EXAM")
    routed = " ".join(v for k, v in sections.items() if k not in skip)
    fields, unassigned = route_sentences(routed, name)
    for key, value in sections.items():
        if key in HEADER_FIELDS and key in fields and value:
            fields[key] = value
    if impression and "IMPRESSION" in fields:
        fields["IMPRESSION"] = impression.strip()
    return Structured(name, fields, detect_language(text), True, True, False, 0, "rules",
                      unassigned, template_note=note)  # fmt: skip


def pick_template(
    report: str, template: str | None, hint: str | None, translation: str | None = None
) -> tuple[str, str]:
    """(template, note): the one asked for, else the best fit by modality and region, read
    from the report (its title) and its English translation when there is one, with a note
    when none of the right modality and region exists."""
    if template:
        return template, ""
    text = report if translation in (None, report) else f"{report}\n{translation}"
    choice = choose_template_detail(text, hint)
    return choice.name, "" if choice.fits else choice.reason


def to_english(text: str, backend: LLMBackend, options: LLMOptions) -> tuple[str, str]:
    """(English text, detected language): non-English reports are translated by the model;
    an empty translation keeps the original text."""
    language = detect_language(text)
    if language == "en":
        return text, language
    messages = build_messages(load_prompt("translate"), text, examples="none")
    return backend.chat(messages, max_tokens=options.max_tokens).strip() or text, language


def structure(
    report: str,
    backend: LLMBackend,
    options: LLMOptions | None = None,
    *,
    template: str | None = None,
    hint: str | None = None,
) -> Structured:
    """Fill ``template`` (default: the best match) from ``report``; non-English reports are
    translated to English by the model first."""
    options = options or LLMOptions()
    text, language = to_english(check_text(report), backend, options)
    name, note = pick_template(report, template, hint, text)
    model = template_model(name)
    schema = model.model_json_schema(by_alias=True)
    messages = build_messages(
        load_prompt("structure"),
        text,
        examples="none",
        extra="Keys: " + ", ".join(template_fields(name)),
        variables={"template_name": name},
    )
    result = generate_json(
        backend, messages, model, schema=schema,
        max_tokens=max(options.max_tokens, 64 * len(template_fields(name))),
        retries=options.retries,
    )  # fmt: skip
    fields = None if result.value is None else result.value.model_dump(by_alias=True)
    return Structured(
        name, fields, language, result.ok, result.valid_first_try, result.repaired,
        result.attempts, "llm", [], result.raw, result.errors, note,
        text if language != "en" else None,
    )  # fmt: skip


def structure_report(
    report: str,
    method: str = "hybrid",
    backend: LLMBackend | None = None,
    options: LLMOptions | None = None,
    *,
    template: str | None = None,
    hint: str | None = None,
) -> Structured:
    """``rules``: sentence routing (English only); ``llm``: the model fills the template;
    ``hybrid`` (default): the model translates non-English reports, then the rules fill."""
    if method not in ("rules", "llm", "hybrid"):
        raise RadgenError(f"unknown method '{method}'; choose one of ['hybrid', 'llm', 'rules']")
    if method == "rules":
        return structure_rules(report, template=template, hint=hint)
    if backend is None:
        raise ValueError(f"method '{method}' needs a backend")
    if method == "llm":
        return structure(report, backend, options, template=template, hint=hint)
    text, language = to_english(check_text(report), backend, options or LLMOptions())
    name, note = pick_template(report, template, hint, text)
    result = structure_rules(text, template=name, hint=hint)
    result.language, result.method, result.template_note = language, "hybrid", note
    result.translation = text if language != "en" else None
    return result
