"""``radgen`` entry point: sub-commands, and one clear error line instead of a traceback."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from radgen import __version__
from radgen.cli import data, deid, demo, doctor, image, info, kb, models, review, text
from radgen.errors import RadgenError

app = typer.Typer(
    name="radgen",
    help="Local, privacy-first generative AI for radiology.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(image.app, name="image")
app.add_typer(deid.app, name="deid")
app.add_typer(data.app, name="data")
app.add_typer(text.app, name="text")
app.add_typer(kb.app, name="kb")
app.add_typer(models.app, name="models")
app.add_typer(review.app, name="review")
app.command("demo")(demo.demo)
app.command("doctor")(doctor.doctor)
app.command("info")(info.info)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(f"radgen {__version__}")
        raise typer.Exit()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()]
        return "invalid configuration: " + "; ".join(parts)
    if isinstance(exc, RadgenError):
        return str(exc)
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
        return f"{exc.filename}: {exc.strerror}"
    return f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors print one line on stderr and exit 2 (or 1 if unexpected)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    err = Console(stderr=True, soft_wrap=True)
    try:
        app(args=args, prog_name="radgen")  # standalone: usage errors and --help exit here
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        err.print("interrupted: the last checkpoint is kept; resume with --resume", markup=False)
        return 130
    except Exception as exc:
        if debug:
            raise
        expected = isinstance(exc, (RadgenError, ValidationError, OSError))
        err.print(Text.assemble(("error: ", "bold red"), _describe(exc)), highlight=False)
        return 2 if expected else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
