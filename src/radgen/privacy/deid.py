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
from radgen.privacy.cues import cue_spans
from radgen.privacy.keystore import KeyStore
from radgen.privacy.ner import SpacyNER
from radgen.privacy.not_phi import clinical_not_phi, trim_common_edges
from radgen.privacy.patterns import pattern_spans
from radgen.privacy.propagate import propagate_spans
from radgen.privacy.spans import PHI, Span, merge_spans
from radgen.privacy.surrogates import SurrogateMaker, year_of
from radgen.privacy.zones import protected_spans, residual_sentences, zone_spans

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


US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MA MI MN MS MO MT NE NV NH NJ NM"
    " NY NC ND OH OK OR RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)  # MD and PA left out: after a name they are credentials ("Smith, MD"), not states
_ATTACHED_TIME = re.compile(r"(?:,?\s*(?:at\s+)?)\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?", re.I)
_ATTACHED_STATE = re.compile(r",\s*(?P<state>[A-Z]{2})\b(?:\s+\d{5}(?:-\d{4})?)?")
# A span that ends with a date, whatever it was merged into ("A81098545  5/9/12 18:30").
_DATE_AT_END = re.compile(r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|(?:19|20)\d{6})$")
_STATE_AT_END = re.compile(r",\s*(?P<state>[A-Z]{2})(?:\s+\d{5}(?:-\d{4})?)?$")
_WEEKDAY_BEFORE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?[ \t]+$", re.I)
_PLACE_PREFIX = re.compile(
    r"\b(?:New|San|Santa|Port|Saint|St\.?|North|South|East|West|Fort|Mount|Lake|Los|Las|El)"
    r"[ \t]+$"
)


# Lower-case particles inside names and places ("M. de Roos", "Melo do Galho").
PARTICLES = frozenset(
    "de da do das dos del della di du des la le van von der den ter ten nad pod en y bin al"
    " zu am an im ob sur sous".split()
)
_JOINABLE_GAP = re.compile(r"[ \t]*[.,()^'’-]?[ \t]*[(]?")
# A house number after a street ("Fuchsstrasse 20", "Béke utca 30.", "No. 8", "N° 958").
_NUMBERED = r"(?:No\.?|Nr\.?|N[°º]|n[°º])[ \t]*\d{1,5}[a-zA-Z]?"
_HOUSE_NUMBER = re.compile(
    rf"(?:,?[ \t]*{_NUMBERED}|[ \t]+\d{{1,5}}[a-zA-Z]?(?:/\d{{1,4}}[a-z]?)?)"
    r"(?:,?[ \t]+(?:Bl|Sc|Ap|Apt|Et|Flat|Unit|Suite)\.?[ \t]*\d{1,5}[a-zA-Z]?)*"
    r"(?![\w/]|[.,]\d|[ \t]?(?:mm|cm|ml|mL|%))"
)
_NUMBER_SIGN = re.compile(rf",?[ \t]*{_NUMBERED}(?![\w/]|[.,]\d)")
# One capital after a name is its initial ("Martineau, Arthur D"); M or F without a point is
# more often the sex in a header line ("SMITH, JOHN  M  DOB ...").
_TRAILING_INITIAL = re.compile(r"[ \t]+(?:[A-EG-HJ-LN-Z]\.?|[MF]\.)(?=[\s,;:)]|$)")
_LEADING_PARTICLE = re.compile(
    r"(?:^|(?<=[\s(,:\[]))(?:(?:van der|van den|van|von|de la|de|da|das|dos|del|della|di|du|des|"
    r"le|la|ter|Van|Von|De|Da|Das|Dos|Del|Della|Di|Du|Le|La|Ó|Ní|Nic|Mac an|Mac|Mc|Ua|Uí)"
    r"[ \t]+){1,2}$"
)


def _join_neighbours(spans: list[Span], text: str) -> list[Span]:
    """One element, one span: merged neighbours of one category separated only by
    punctuation ("J. Synak", "Porter, J.", "(07) 7090 5438") or by a lower-case particle
    ("da Paz de Leão") are joined. A redaction then leaves one ``[NAME]``, not ``[NAME].
    [NAME]``, and a pseudonym replaces the whole name."""
    out: list[Span] = []
    for span in spans:
        if out and out[-1].category is span.category and span.start >= out[-1].end:
            gap = text[out[-1].end : span.start]
            words = gap.split()
            particle = 1 <= len(words) <= 2 and all(w in PARTICLES for w in words)
            particle = particle and gap.startswith(" ")
            if (len(gap) <= 3 and _JOINABLE_GAP.fullmatch(gap)) or (
                particle and span.category in (PHI.NAME, PHI.LOCATION, PHI.INSTITUTION)
            ):
                out[-1] = Span(out[-1].start, span.end, span.category, out[-1].source)
                continue
        out.append(span)
    return out


def _attach_context(spans: list[Span], text: str) -> list[Span]:
    """Take along what belongs to a found span: a weekday before a date and a time written
    onto it ("Tue 14-MAR-2024 15:42": parts of the date element), the first word of a place
    ("New", "San", "Port") and a state code after it ("Tallahassee, FL 32301"), which makes
    the span a location whatever the detector called it; a particle before a name or place
    ("de Roos"), a house number after a street ("Fuchsstrasse 20", "No. 8"), an initial
    after a name ("Martineau, Arthur D") and a phone number's opening bracket. Overlaps this
    makes are merged."""
    out = []
    for span in spans:
        if span.category is PHI.DATE and (m := _WEEKDAY_BEFORE.search(text, 0, span.start)):
            span = Span(m.start(), span.end, span.category, span.source)
        if span.category is PHI.LOCATION and (m := _PLACE_PREFIX.search(text, 0, span.start)):
            span = Span(m.start(), span.end, span.category, span.source)
        dated = span.category is PHI.DATE or _DATE_AT_END.search(text, span.start, span.end)
        if dated and (m := _ATTACHED_TIME.match(text, span.end)):
            span = Span(span.start, m.end(), span.category, span.source)
        elif span.category in (PHI.NAME, PHI.LOCATION, PHI.INSTITUTION):
            after = _ATTACHED_STATE.match(text, span.end)
            inside = _STATE_AT_END.search(text, span.start, span.end)
            if after and after.group("state") in US_STATES:
                span = Span(span.start, after.end(), PHI.LOCATION, span.source)
            elif inside and inside.group("state") in US_STATES:
                span = Span(span.start, span.end, PHI.LOCATION, span.source)
        if span.category in (PHI.NAME, PHI.LOCATION) and (
            m := _LEADING_PARTICLE.search(text, max(0, span.start - 12), span.start)
        ):
            span = Span(m.start(), span.end, span.category, span.source)
        street = span.category in (PHI.LOCATION, PHI.ADDRESS)
        if street and (m := _HOUSE_NUMBER.match(text, span.end)):
            span = Span(span.start, m.end(), span.category, span.source)
        elif span.category in (PHI.NAME, PHI.INSTITUTION) and (
            m := _NUMBER_SIGN.match(text, span.end)
        ):  # a street read as a name ("Strada Laura Gheorghiu Nr. 28")
            span = Span(span.start, m.end(), PHI.LOCATION, span.source)
        if span.category is PHI.NAME and (m := _TRAILING_INITIAL.match(text, span.end)):
            span = Span(span.start, m.end(), span.category, span.source)
        if span.category is PHI.PHONE and span.start > 0 and text[span.start - 1] == "(":
            span = Span(span.start - 1, span.end, span.category, span.source)
        out.append(span)
    return merge_spans(out)


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
        return self

    def detect(self, text: str) -> list[Span]:
        """PHI spans, overlaps joined. Patterns need context (a title, a label, a shape) and
        are trusted; the learned detectors never cut into a protected clinical term, NER hits
        on clinical words are dropped, and no detector keeps a bare time, a diagnosis code or
        a rib count (``not_phi``)."""
        _check_input(text)
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
        learned = _without_protected(learned, protected)
        learned = [
            t
            for t in (
                trim_common_edges(s, text) if s.source in ("tagger", "ner", "zone") else s
                for s in learned
            )
            if t is not None
        ]
        spans = patterns + learned
        spans = [t for t in (_trim(s, text) for s in spans) if t.end > t.start]
        merged = merge_spans([s for s in spans if not clinical_not_phi(s, text)])
        if self.propagate:  # a name or identifier found once is redacted where it recurs
            extra = _without_protected(propagate_spans(text, merged), protected)
            merged = merge_spans(merged + [s for s in extra if not clinical_not_phi(s, text)])
        return _join_neighbours(_attach_context(merged, text), text)

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
