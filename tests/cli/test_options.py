"""Options generated from a command's pydantic config: names, defaults, help and validation
come from the config, so the command line copies no field."""

from __future__ import annotations

from typing import Literal

import pytest
import typer
from pydantic import BaseModel, Field, ValidationError, field_validator
from typer.testing import CliRunner

from radgen.cli.options import config_options


class Demo(BaseModel):
    out: str = Field(description="Where to write.")
    batch_size: int = Field(8, ge=1, description="Items at once.")
    method: Literal["fast", "exact"] = Field("fast", description="How.")
    labels: bool = Field(True, description="Use labels.")
    note: str | None = Field(None, description="Free text.")
    names: list[str] | None = Field(None, description="Comma-separated names.")
    nested: dict[str, int] = Field(default_factory=dict, description="Not on the command line.")

    @field_validator("names", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split(",") if isinstance(value, str) else value


def app_for(**kw) -> tuple[typer.Typer, list]:
    seen: list = []
    app = typer.Typer()

    @app.command()
    @config_options(Demo, text=("names",), **kw)
    def run(config: Demo, force: bool = typer.Option(False, "--force", help="Own flag.")) -> None:
        seen.append((config, force))

    @app.command()
    def other() -> None:  # a second command keeps typer from collapsing the group
        pass

    return app, seen


def test_flags_defaults_and_help_come_from_the_config():
    app, seen = app_for(defaults={"out": "runs/x"})
    result = CliRunner().invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    for text in ("--batch-size", "Items at once.", "One of: fast, exact", "--no-labels", "--force"):
        assert text in result.output
    assert "--nested" not in result.output
    result = CliRunner().invoke(app, ["run", "--batch-size", "4", "--no-labels", "--names", "a,b",
                                      "--force"])  # fmt: skip
    assert result.exit_code == 0, result.output
    config, force = seen[-1]
    assert config == Demo(out="runs/x", batch_size=4, labels=False, names=["a", "b"])
    assert force is True


def test_a_required_field_stays_required_and_bad_values_fail_in_pydantic():
    app, _ = app_for()
    assert CliRunner().invoke(app, ["run"]).exit_code == 2  # --out is required
    result = CliRunner().invoke(app, ["run", "--out", "o", "--method", "slow"])
    assert isinstance(result.exception, ValidationError)  # the config's own message, one line
    result = CliRunner().invoke(app, ["run", "--out", "o", "--batch-size", "0"])
    assert isinstance(result.exception, ValidationError)


def test_the_first_parameter_must_receive_the_config():
    with pytest.raises(TypeError, match="first parameter"):

        @config_options(Demo)
        def bad(x: int) -> None:
            pass
