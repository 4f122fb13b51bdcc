"""Field parsers shared by the pydantic configs of several commands (one copy each)."""

from __future__ import annotations


def comma_list(cls: type, value: object) -> object:
    """A list field the CLI gives as one comma-separated string; None becomes empty. Use as
    ``field_validator(name, mode="before")(comma_list)``."""
    return [] if value is None else comma_list_or_none(cls, value)


def comma_list_or_none(cls: type, value: object) -> object:
    """As ``comma_list``, but None stays None (a field whose absence means "all")."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value
