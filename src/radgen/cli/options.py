"""Command-line options made from a command's pydantic config, so the CLI copies no field.

A command written as ``def cmd(config: SampleConfig, overwrite: bool = typer.Option(...))``
and decorated with ``@config_options(SampleConfig)`` gets one ``--flag`` per config field:
its name, default and help come from the field. Nested models and collections stay out
(commands that need them take ``--config``/``--set``). The config is validated by pydantic,
so a bad value fails with the same one-line message from the CLI and from Python.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

SIMPLE = (str, int, float, bool, Path)


def _cli_type(annotation: Any) -> Any | None:
    """The type typer parses a field as, or None when the field has no plain flag.

    Literal choices parse as ``str``: pydantic then checks them with the config's message.
    """
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return None
        plain = _cli_type(inner[0])
        return None if plain is None else plain | None
    if origin is Literal:
        return str
    return annotation if annotation in SIMPLE else None


def _resolve(annotation: Any, func: Callable[..., Any]) -> Any:
    """A string annotation (``from __future__ import annotations``) as the type it names."""
    if isinstance(annotation, str):
        return eval(annotation, func.__globals__)
    return annotation


def _choices(annotation: Any) -> tuple[str, ...]:
    """The values of a Literal field (also inside ``X | None``), for the help text."""
    if typing.get_origin(annotation) is Literal:
        return tuple(str(v) for v in typing.get_args(annotation))
    return tuple(c for a in typing.get_args(annotation) for c in _choices(a))


def _option(name: str, field: FieldInfo, default: Any, kind: Any) -> typer.models.OptionInfo:
    flag = "--" + name.replace("_", "-")
    if bool in (kind, *typing.get_args(kind)):
        flag = f"{flag}/--no-{name.replace('_', '-')}"
    text = field.description or ""
    choices = _choices(field.annotation)
    if choices:
        text = f"{text} One of: {', '.join(choices)}.".strip()
    return typer.Option(default, flag, help=text)


def config_options(
    config_cls: type[BaseModel],
    *,
    defaults: dict[str, Any] | None = None,
    text: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a command whose first parameter is ``config`` (the built config) or
    ``fields`` (the raw values, for commands that layer a config file under them).

    ``defaults`` gives command-line defaults where the config has none (an output folder) or
    where the command must see an unset value (``None``); ``text`` fields (lists) are typed
    as one string that the config parses.
    The command's own parameters come after the generated ones.
    """
    defaults = defaults or {}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        own = list(inspect.signature(func).parameters.values())
        target = own[0].name
        if target not in ("config", "fields"):
            raise TypeError(f"{func.__name__}: first parameter must be 'config' or 'fields'")
        own = [p.replace(annotation=_resolve(p.annotation, func)) for p in own[1:]]
        taken = {p.name for p in own}
        generated, annotations = [], {}
        for name, field in config_cls.model_fields.items():
            if name in taken:
                continue
            kind = str | None if name in text else _cli_type(field.annotation)
            if kind is None:
                continue
            if name in defaults:
                default = defaults[name]
            elif field.is_required():
                default = ...
            else:
                default = field.get_default(call_default_factory=True)
            if default is None and not typing.get_args(kind):
                kind = kind | None
            generated.append(
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=_option(name, field, default, kind),
                    annotation=kind,
                )
            )
            annotations[name] = kind
        names = {p.name for p in generated}

        @functools.wraps(func)
        def command(**values: Any) -> Any:
            fields = {k: str(v) if isinstance(v, Path) else v for k, v in values.items()
                      if k in names}  # fmt: skip
            rest = {k: v for k, v in values.items() if k not in names}
            built = fields if target == "fields" else config_cls(**fields)
            return func(built, **rest)

        params = generated + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = annotations | {p.name: p.annotation for p in own}
        del command.__wrapped__  # typer must read the generated signature, not func's
        return command

    return decorate
