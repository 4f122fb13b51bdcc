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
from radgen.text.tasks.template_choice import TemplateChoice, choose

NOT_MENTIONED = "Not mentioned."  # the value of a template field the report does not address


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


def choose_template(report: str, hint: str | None = None) -> str:
    """The template that best fits the exam: modality, then body region, then the template's
    own words (see :mod:`radgen.text.tasks.template_choice`). ``hint`` is an exam title such
    as "Xray Chest PA and Lateral" or a DICOM StudyDescription."""
    return choose_template_detail(report, hint).name


def choose_template_detail(report: str, hint: str | None = None) -> TemplateChoice:
    """The choice with the modality and region read, and whether the template really fits."""
    return choose(report, list(load_templates()), hint)


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
