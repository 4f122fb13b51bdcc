"""What belongs to a found PHI span besides the span itself: a weekday and a time around a
date, a place's first word and state code, particles, house numbers, initials; and one span
per element when a detector split it ("J. Synak", "da Paz de Leão")."""

from __future__ import annotations

import re

from radgen.privacy.patterns import NUMBER_SIGN
from radgen.privacy.spans import PHI, Span, merge_spans
from radgen.privacy.zones import clinical_vocabulary, person_names

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
_NUMBERED = rf"{NUMBER_SIGN}[ \t]*\d{{1,5}}[a-zA-Z]?"
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


_WORD_BEFORE = re.compile(r"(?<![\w'’-])([^\W\d_][\w'’-]*)[ \t]+(?:[A-Z]\.?[ \t]+)?$")
_WORD_AFTER = re.compile(r",?[ \t]+([^\W\d_][\w'’-]*)(?![\w'’-])")


def _known_name(word: str) -> bool:
    """A capitalised first or last name of Faker's lists that is not clinical vocabulary."""
    w = word.lower()
    return word[0].isupper() and w in person_names() and w not in clinical_vocabulary()


def _with_name_neighbours(span: Span, text: str) -> Span:
    """A known first or last name right before a found name ("Gary [Toolis]", also with a
    middle initial: "Brian M. [Compton]") or after it,
    also after a comma ("[ROHRICHT], Diethard"), belongs to it: the tagger often finds only
    the rarer half of a name."""
    if (m := _WORD_BEFORE.search(text, max(0, span.start - 40), span.start)) and _known_name(
        m.group(1)
    ):
        span = Span(m.start(1), span.end, span.category, span.source)
    if (m := _WORD_AFTER.match(text, span.end)) and _known_name(m.group(1)):
        span = Span(span.start, m.end(1), span.category, span.source)
    return span


def join_neighbours(spans: list[Span], text: str) -> list[Span]:
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


def attach_context(spans: list[Span], text: str) -> list[Span]:
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
        if span.category is PHI.NAME:
            span = _with_name_neighbours(span, text)
        if span.category is PHI.NAME and (m := _TRAILING_INITIAL.match(text, span.end)):
            span = Span(span.start, m.end(), span.category, span.source)
        if span.category is PHI.PHONE and span.start > 0 and text[span.start - 1] == "(":
            span = Span(span.start - 1, span.end, span.category, span.source)
        out.append(span)
    return merge_spans(out)
