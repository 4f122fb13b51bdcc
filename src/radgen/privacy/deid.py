"""Report de-identification: patterns, a learned PHI tagger, a zone policy for headers and
signatures, and spaCy NER, as one detector; then redaction or consistent pseudonymisation.

Only this module can make a :class:`DeidentifiedText`; remote language-model backends accept
nothing else, so PHI cannot reach them by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from radgen.errors import RadgenError
from radgen.privacy.clinical_terms import is_clinical
from radgen.privacy.context import attach_context, join_neighbours
from radgen.privacy.cues import cue_spans
from radgen.privacy.drugs import drug_names
from radgen.privacy.keystore import KeyStore
from radgen.privacy.ner import SpacyNER
from radgen.privacy.not_phi import clinical_not_phi, trim_common_edges
from radgen.privacy.patterns import pattern_spans
from radgen.privacy.propagate import propagate_spans
from radgen.privacy.spans import PHI, Span, merge_spans
from radgen.privacy.surrogates import SurrogateMaker, year_of
from radgen.privacy.zones import (
    foreign_script_spans,
    protected_spans,
    residual_sentences,
    zone_spans,
)

if TYPE_CHECKING:
    from radgen.privacy.tagger import PHITagger

_MINT = object()  # capability: only this module can construct DeidentifiedText
Mode = Literal["redact", "pseudonymize"]
MAX_CHARS = 2_000_000  # one report; a larger input is almost certainly not a report


class DeidentifiedText(str):
    """A string that has passed de-identification. Any edit yields a plain ``str`` again."""

    def __new__(cls, value: str, *, _token: object = None) -> DeidentifiedText:
        if _token is not _MINT:
            raise TypeError("DeidentifiedText is produced by radgen.privacy.Deidentifier only")
        return super().__new__(cls, value)

    def strip(self, chars: str | None = None) -> DeidentifiedText:
        """Removing surrounding whitespace cannot add PHI: the result stays de-identified."""
        if chars is not None:
            return super().strip(chars)  # type: ignore[return-value]
        return DeidentifiedText(super().strip(), _token=_MINT)


@dataclass
class DeidResult:
    """The de-identified text and what was replaced: ``spans`` index the input, ``replaced``
    the output (where each replacement now stands, for review pages that never see PHI)."""

    text: DeidentifiedText
    spans: list[Span] = field(default_factory=list)
    replaced: list[Span] = field(default_factory=list)


def _check_input(text: object) -> None:
    """Text only: binary data and inputs far larger than any report are refused clearly."""
    if not isinstance(text, str):
        raise RadgenError(f"de-identification needs text, got {type(text).__name__}")
    if "\x00" in text:
        raise RadgenError("binary data, not text (NUL characters found)")
    if len(text) > MAX_CHARS:
        raise RadgenError(
            f"input of {len(text):,} characters is larger than any report ({MAX_CHARS:,} max);"
            " split it into reports"
        )


# Markdown emphasis ("**Name:** Jane Doe", "**Doe, Jane**"), as language models and rich-text
# exports write it: the detectors read spaces instead, so a label and its value stay apart.
_MARKUP = re.compile(r"\*{1,3}")
_AGE_UNIT = re.compile(r"[\s-]*(?:years?[\s-]*old|y/?o|yrs?|years?)$", re.I)


def _trim(span: Span, text: str) -> Span:
    """Leave possessives, trailing punctuation and an age's unit outside the span ("Doe's" ->
    "Doe", "93-year-old" -> "93")."""
    end = span.end
    while end > span.start and text[end - 1] in " .,;:":
        end -= 1
    if text[span.start : end].endswith(("'s", "’s")):
        end -= 2
    if span.category is PHI.AGE and (m := _AGE_UNIT.search(text, span.start, end)):
        end = m.start() if m.start() > span.start else end
    return Span(span.start, end, span.category, span.source)


def _without_protected(spans: list[Span], protected: list[tuple[int, int]]) -> list[Span]:
    """Cut protected clinical terms out of learned spans ("Hodgkin lymphoma" stays)."""
    out = []
    for span in spans:
        pieces = [(span.start, span.end)]
        for ps, pe in protected:
            pieces = [
                part
                for s, e in pieces
                for part in ((s, min(e, ps)), (max(s, pe), e))
                if part[1] > part[0]
            ]
        out += [Span(s, e, span.category, span.source) for s, e in pieces]
    return out


class Deidentifier:
    """Detects PHI with four detectors as one: patterns for PHI with a shape, the learned
    tagger for PHI in any format, the zone policy (headers, ``label: value`` fields,
    signatures), and spaCy NER as a second opinion on sentences where a capitalised word that
    is neither clinical nor common was left unclaimed. What they find is then propagated: a
    distinctive name or place token, or an identifier, found once is redacted wherever it
    recurs.
    Redacts (``[NAME]``) or pseudonymises.

    Pseudonyms come from the key store's secret, so the same original gets the same surrogate
    across documents and runs; dates shift by a per-scope offset, so intervals are kept.
    """

    def __init__(
        self,
        mode: Mode = "redact",
        *,
        keys: KeyStore | None = None,
        keep_year: bool = False,
        use_ner: bool = True,
        use_tagger: bool = True,
        use_zones: bool = True,
        propagate: bool = True,
        ner: SpacyNER | None = None,
        tagger: PHITagger | None = None,
    ) -> None:
        if mode not in ("redact", "pseudonymize"):
            raise RadgenError(f"unknown mode '{mode}'; choose one of ['pseudonymize', 'redact']")
        if mode == "pseudonymize" and keys is None:
            raise RadgenError("pseudonymisation needs a key store (--key-store PATH)")
        self.mode, self.keys, self.keep_year = mode, keys, keep_year
        self.ner = (ner or SpacyNER()) if use_ner else None
        if use_tagger and tagger is None:
            from radgen.privacy.tagger import PHITagger  # torch: loaded only when used

            tagger = PHITagger()
        self.tagger = tagger if use_tagger else None
        self.use_zones, self.propagate = use_zones, propagate
        self.surrogates = SurrogateMaker(keys) if keys is not None else None

    def load(self) -> Deidentifier:
        """Load every model now (the tagger, spaCy) instead of at the first report that needs
        it: for servers, and for timing."""
        if self.tagger is not None:
            self.tagger.spans("Patient: Jane Doe")
        if self.ner is not None:
            _ = self.ner.nlp
        drug_names()  # the drug dictionary (a few seconds, with the name lists)
        return self

    def detect(self, text: str) -> list[Span]:
        """PHI spans, overlaps joined. Patterns need context (a title, a label, a shape) and
        are trusted; the learned detectors never cut into a protected clinical term, NER hits
        on clinical words are dropped, and no detector keeps a bare time, a diagnosis code or
        a rib count (``not_phi``)."""
        _check_input(text)
        text = _MARKUP.sub(lambda m: " " * len(m.group(0)), text)  # same offsets, no "**"
        patterns = list(pattern_spans(text))
        learned: list[Span] = []
        if self.tagger is not None:
            learned += self.tagger.spans(text)
        if self.use_zones:
            learned += zone_spans(text) + cue_spans(text)
        protected = protected_spans(text)
        if self.ner is not None:  # a second opinion where capitalised words are left unclaimed
            claimed = patterns + learned
            for start, end in residual_sentences(text, claimed, protected):
                learned += [
                    Span(s.start + start, s.end + start, s.category, s.source)
                    for s in self.ner.spans(text[start:end])
                    if not is_clinical(s.text(text[start:end]))
                ]
        learned += foreign_script_spans(text)
        learned = _without_protected(learned, protected)
        learned = [t for t in (trim_common_edges(s, text) for s in learned) if t is not None]
        spans = patterns + learned
        spans = [t for t in (_trim(s, text) for s in spans) if t.end > t.start]
        merged = merge_spans([s for s in spans if not clinical_not_phi(s, text)])
        if self.propagate:  # a name or identifier found once is redacted where it recurs
            extra = _without_protected(propagate_spans(text, merged), protected)
            merged = merge_spans(merged + [s for s in extra if not clinical_not_phi(s, text)])
        return join_neighbours(attach_context(merged, text), text)

    def _replacement(self, span: Span, original: str, scope: str) -> str:
        if span.category is PHI.DATE and self.keep_year:
            year = year_of(original)
            if year:
                return year
        if self.mode == "redact":
            return f"[{span.category.value}]"
        assert self.surrogates is not None and self.keys is not None
        surrogate = self.surrogates.make(span.category, original, scope)
        self.keys.remember(span.category.value, surrogate, original)
        return surrogate

    def deidentify(self, text: str, scope: str = "corpus") -> DeidResult:
        """De-identify one document; ``scope`` (e.g. a patient ID) fixes its date shift."""
        spans = self.detect(text)
        out, last, length, replaced = [], 0, 0, []
        for span in spans:
            out.append(text[last : span.start])
            length += span.start - last
            surrogate = self._replacement(span, span.text(text), scope)
            replaced.append(Span(length, length + len(surrogate), span.category, span.source))
            out.append(surrogate)
            length += len(surrogate)
            last = span.end
        out.append(text[last:])
        if self.keys is not None:
            self.keys.commit()
        return DeidResult(DeidentifiedText("".join(out), _token=_MINT), spans, replaced)

    def __call__(self, text: str, scope: str = "corpus") -> DeidentifiedText:
        return self.deidentify(text, scope).text
