"""The 61 bundled structured-report templates (MIT, see assets/REPORT_TEMPLATES_LICENSE)
and the choice of the best-matching one for a report."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from radgen.data.registry import bundled_asset
from radgen.errors import RadgenError

MODALITY_WORDS = {
    "XRAY": r"x-?ray|radiograph|\bpa\b|lateral view|frontal|chest film|cxr|views? of the chest",
    "CT": r"\bct\b|computed tomograph|hounsfield|axial images",
    "MR": r"\bmri?\b|magnetic resonance|t1|t2|flair|diffusion[- ]weighted",
}


@lru_cache(maxsize=1)
def load_templates() -> dict[str, dict[str, Any]]:
    return json.loads(bundled_asset("report_templates.json").read_text(encoding="utf-8"))


def template_fields(name: str) -> list[str]:
    """Flat field names: top-level keys, with FINDINGS expanded into its sub-fields."""
    templates = load_templates()
    if name not in templates:
        raise RadgenError(f"unknown template '{name}'; see `radgen text templates`")
    fields = []
    for key, value in templates[name].items():
        fields += list(value) if isinstance(value, dict) else [key]
    return fields


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower().replace("_", " ")))


def choose_template(report: str, hint: str | None = None) -> str:
    """The template whose name and fields best overlap the report (modality words count
    double); ``hint`` (e.g. the exam title "Xray Chest PA and Lateral") is added to the text."""
    text = f"{hint or ''} {report}".lower()
    words = _words(text)
    best, best_score = "", -1.0
    for name in load_templates():
        modality = name.split("_")[0]
        score = 2.0 * bool(re.search(MODALITY_WORDS.get(modality, "$^"), text))
        name_words = _words(name.split("_", 1)[1])
        field_words = _words(" ".join(template_fields(name)))
        score += (
            1.5 * len(words & name_words)
            + 0.5 * len(words & field_words) / (1 + len(field_words)) ** 0.5
        )
        if score > best_score:
            best, best_score = name, score
    return best


def template_model(name: str) -> type[BaseModel]:
    """A pydantic model with one string field per template field (all required)."""
    fields = {_py(f): (str, ...) for f in template_fields(name)}
    aliases = {_py(f): f for f in template_fields(name)}
    model = create_model(  # type: ignore[call-overload]
        f"Template_{_py(name)}",
        __config__=ConfigDict(extra="forbid", populate_by_name=True,
                              alias_generator=lambda n: aliases.get(n, n)),
        **fields,
    )  # fmt: skip
    return model


def _py(name: str) -> str:
    return re.sub(r"\W", "_", name).lower()
