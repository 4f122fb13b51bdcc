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

NOT_MENTIONED = "Not mentioned."  # the value of a template field the report does not address
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
    """The template that best fits the exam: its modality must match the one the title (or,
    without a title, the report) names, then the template name's words are scored in the
    title (heavily) and the report (lightly). ``hint`` is an exam title such as "Xray Chest
    PA and Lateral"; without it, a first line like "EXAMINATION: ..." serves."""
    first = report.strip().splitlines()[0] if report.strip() else ""
    title = (hint or (first if re.match(r"\s*(exam|examination|study|procedure)\b", first, re.I)
                      else "")).lower()  # fmt: skip
    body = report.lower()
    named = {m for m, pattern in MODALITY_WORDS.items() if re.search(pattern, title or body)}
    title_words, body_words = _words(title), _words(body)
    best, best_score = "", float("-inf")
    for name in load_templates():
        modality = name.split("_")[0]
        words = _words(name.split("_", 1)[1])
        score = 3.0 * len(words & title_words) + 1.0 * len(words & body_words) / len(words)
        if named and modality not in named:
            score -= 10.0
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
