"""Report de-identification: patterns + NER, then redaction or consistent pseudonymisation.

Only this module can make a :class:`DeidentifiedText`; remote language-model backends accept
nothing else, so PHI cannot reach them by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from radgen.errors import RadgenError
from radgen.privacy.clinical_terms import is_clinical
from radgen.privacy.keystore import KeyStore
from radgen.privacy.ner import SpacyNER
from radgen.privacy.patterns import pattern_spans
from radgen.privacy.spans import PHI, Span, merge_spans
from radgen.privacy.surrogates import SurrogateMaker, year_of

_MINT = object()  # capability: only this module can construct DeidentifiedText
Mode = Literal["redact", "pseudonymize"]


class DeidentifiedText(str):
    """A string that has passed de-identification. Any edit yields a plain ``str`` again."""

    def __new__(cls, value: str, *, _token: object = None) -> DeidentifiedText:
        if _token is not _MINT:
            raise TypeError("DeidentifiedText is produced by radgen.privacy.Deidentifier only")
        return super().__new__(cls, value)


@dataclass
class DeidResult:
    """The de-identified text and what was replaced (offsets refer to the input)."""

    text: DeidentifiedText
    spans: list[Span] = field(default_factory=list)


def _trim(span: Span, text: str) -> Span:
    """Leave possessives and trailing punctuation outside the span ("Doe's" -> "Doe")."""
    end = span.end
    while end > span.start and text[end - 1] in " .,;:":
        end -= 1
    if text[span.start : end].endswith(("'s", "’s")):
        end -= 2
    return Span(span.start, end, span.category, span.source)


class Deidentifier:
    """Detects PHI with patterns and spaCy NER; redacts (``[NAME]``) or pseudonymises.

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
        ner: SpacyNER | None = None,
    ) -> None:
        if mode not in ("redact", "pseudonymize"):
            raise RadgenError(f"unknown mode '{mode}'; choose one of ['pseudonymize', 'redact']")
        if mode == "pseudonymize" and keys is None:
            raise RadgenError("pseudonymisation needs a key store (--key-store PATH)")
        self.mode, self.keys, self.keep_year = mode, keys, keep_year
        self.ner = (ner or SpacyNER()) if use_ner else None
        self.surrogates = SurrogateMaker(keys) if keys is not None else None

    def detect(self, text: str) -> list[Span]:
        """PHI spans, overlaps resolved. Patterns need context (a title, a label, a shape), so
        only NER hits are checked against the clinical vocabulary."""
        spans = list(pattern_spans(text))
        if self.ner is not None:  # NER is weak evidence: drop its hits on clinical words
            spans += [s for s in self.ner.spans(text) if not is_clinical(s.text(text))]
        return merge_spans([_trim(s, text) for s in spans])

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
        if not isinstance(text, str):
            raise RadgenError(f"de-identification needs text, got {type(text).__name__}")
        spans = self.detect(text)
        out, last = [], 0
        for span in spans:
            out.append(text[last : span.start])
            out.append(self._replacement(span, span.text(text), scope))
            last = span.end
        out.append(text[last:])
        if self.keys is not None:
            self.keys.commit()
        return DeidResult(DeidentifiedText("".join(out), _token=_MINT), spans)

    def __call__(self, text: str, scope: str = "corpus") -> DeidentifiedText:
        return self.deidentify(text, scope).text
