"""Realistic, consistent surrogates for pseudonymisation, and interval-keeping date shifts."""

from __future__ import annotations

import datetime as dt
import re

from faker import Faker

from radgen.privacy.keystore import KeyStore
from radgen.privacy.spans import PHI

DATE_FORMATS = [
    ("%m/%d/%Y", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")),
    ("%m-%d-%Y", re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")),
    ("%m.%d.%Y", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")),
    ("%m/%d/%y", re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")),
    ("%Y-%m-%d", re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")),
    ("%Y/%m/%d", re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")),
    ("%B %d, %Y", re.compile(r"^[A-Za-z]+ \d{1,2}, \d{4}$")),
    ("%B %d %Y", re.compile(r"^[A-Za-z]+ \d{1,2} \d{4}$")),
    ("%d %B %Y", re.compile(r"^\d{1,2} [A-Za-z]+ \d{4}$")),
    ("%B %Y", re.compile(r"^[A-Za-z]+ \d{4}$")),
]


def parse_date(text: str) -> tuple[dt.date, str] | None:
    """The date and the strftime format it was written in, or None when unparseable."""
    clean = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip())
    clean = re.sub(r"([A-Za-z])\.", r"\1", clean)  # "Mar. 3" -> "Mar 3"
    for fmt, pattern in DATE_FORMATS:
        if not pattern.match(clean):
            continue
        for variant in (fmt, fmt.replace("%B", "%b")):
            try:
                return dt.datetime.strptime(clean, variant).date(), variant
            except ValueError:
                continue
    return None


def year_of(text: str) -> str | None:
    parsed = parse_date(text)
    if parsed is not None:
        return str(parsed[0].year)
    m = re.search(r"\b(19|20)\d{2}\b", text)
    return m.group(0) if m else None


class SurrogateMaker:
    """Same original -> same surrogate, seeded by the key store's keyed hash."""

    def __init__(self, keys: KeyStore, min_shift: int = 30, max_shift: int = 365) -> None:
        self.keys, self.min_shift, self.max_shift = keys, min_shift, max_shift
        self.faker = Faker("en_US")

    def date_shift(self, scope: str) -> int:
        """Days to shift every date of ``scope`` (a patient or the corpus): intervals kept."""
        span = self.max_shift - self.min_shift + 1
        days = self.min_shift + self.keys.seed("date-shift", scope) % span
        return -days

    def shift_date(self, text: str, scope: str) -> str:
        parsed = parse_date(text)
        if parsed is None:
            return "[DATE]"
        date, fmt = parsed
        shifted = date + dt.timedelta(days=self.date_shift(scope))
        out = shifted.strftime(fmt)
        return out.replace(" 0", " ") if ("%d" in fmt and "%B" in fmt) or "%b" in fmt else out

    def _shape(self, text: str, seed: int) -> str:
        """Replace digits and letters one for one, keeping punctuation and length."""
        digits, letters = str(seed) * 4, "ABCDEFGHJKLMNPQRSTUVWXYZ"
        out = []
        for i, ch in enumerate(text):
            if ch.isdigit():
                out.append(digits[i % len(digits)])
            elif ch.isalpha():
                out.append(letters[(seed >> (i % 48)) % len(letters)])
            else:
                out.append(ch)
        return "".join(out)

    def make(self, category: PHI, original: str, scope: str) -> str:
        if category is PHI.DATE:
            return self.shift_date(original, scope)
        if category is PHI.AGE:
            return "90"  # HIPAA: ages over 89 fall into one category, 90 or older
        key = re.sub(r"\s+", " ", original.strip().lower())
        if category is PHI.NAME:  # "Doe, John" and "John Doe" are one person
            key = " ".join(sorted(re.findall(r"[a-z'’-]+", key)))
        seed = self.keys.seed(category.value, key)
        self.faker.seed_instance(seed)
        f = self.faker
        if category is PHI.NAME:
            first, last = f.first_name(), f.last_name()
            if "," in original:
                return f"{last}, {first}"
            return last if len(original.split()) == 1 else f"{first} {last}"
        if category is PHI.PHONE:
            return f"({200 + seed % 700}) 555-{seed % 10000:04d}"
        if category is PHI.EMAIL:
            return f"{f.user_name()}@example.org"
        if category is PHI.URL:
            return f"https://example.org/{seed % 100000}"
        if category is PHI.IP:
            return f"192.0.2.{seed % 254 + 1}"
        if category is PHI.ADDRESS:
            return f.street_address()
        if category is PHI.LOCATION:
            return f.city()
        if category is PHI.INSTITUTION:
            return f"{f.last_name()} Medical Center"
        return self._shape(original, seed)  # ID, DEVICE
