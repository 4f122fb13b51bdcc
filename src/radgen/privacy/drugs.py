"""Drug names, generic and brand ("Depo-Medrone", "methylprednisolone", "Omnipaque"), from the
dictionary that the registry package ``drug-named-entity-recognition`` ships (MIT; DrugBank,
MeSH and Wikipedia names). A drug is no PHI, but the learned detectors call a capitalised
brand an institution or a name. Variants that are also a person's first or last name in
Faker's locales ("Allegra", "Camila") are left out, so they stay PHI where a detector finds
them; so are variants that are also words of Faker's place names.

The dictionary is read from the package's data file, without importing the package (its import
sets up caches in the home folder and helpers that go online).
"""

from __future__ import annotations

import bz2
import pickle
import re
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution

_DISTRIBUTION = "drug-named-entity-recognition"
_DATA = "drug_named_entity_recognition/drug_ner_dictionary.pkl.bz2"
# Shorter variants are abbreviations and fragments more than drug names
_MIN_LENGTH = 4


@cache
def drug_names() -> frozenset[str]:
    """Lower-cased drug names (one or more words), without any that holds a person's name or
    a word of a place name; empty when the package is absent (detection then behaves as it
    did without it)."""
    from radgen.privacy.zones import person_names, place_words

    try:
        path = distribution(_DISTRIBUTION).locate_file(_DATA)
        with bz2.open(str(path), "rb") as fh:
            # a pickle from the pinned registry package, never from user data
            variants = pickle.load(fh)["drug_variant_to_canonical"]
    except (PackageNotFoundError, FileNotFoundError):
        return frozenset()
    names = person_names() | place_words()
    return frozenset(
        v
        for v in variants
        if len(v) >= _MIN_LENGTH and not any(w in names for w in re.split(r"[\s\-]+", v))
    )


def is_drug(piece: str) -> bool:
    """Whether ``piece`` names a drug: as a whole ("Depo-Medrone", "sodium chloride"), or
    word by word ("Medrol Dosepak")."""
    text = re.sub(r"\s+", " ", piece.strip(" \t\n.,;:()[]*")).lower()
    if not text:
        return False
    names = drug_names()
    if text in names:
        return True
    words = [w for w in re.split(r"[\s/]+", text) if w]
    return all(w in names for w in words)
