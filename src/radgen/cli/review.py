"""``radgen review serve|add|token|export``: the expert review page and its queues."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="Expert review of generated outputs.", no_args_is_help=True)
console = Console()
PROJECT = typer.Option(..., "--project", help="Review project folder.")


@app.command("serve")
def serve_cmd(
    project: Path = PROJECT,
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: this machine only)."),
    port: int = typer.Option(8765, help="Port."),
    key_store: Path | None = typer.Option(
        None, help="Re-identification key: lets the reviewer see originals behind surrogates."
    ),
) -> None:
    """Start the review page; the access token is printed once, at the first start."""
    import uvicorn

    from radgen.review.server import create_app
    from radgen.review.store import ReviewStore

    store = ReviewStore(project)
    token = store.ensure_token()
    store.close()
    app_ = create_app(project, key_store)
    if token:
        console.print(f"access token (shown once; keep it): [bold]{token}[/]")
        console.print(f"open http://{host}:{port}/#token={token}")
    else:
        console.print(
            f"open http://{host}:{port}/ (token printed at the first start;"
            " `radgen review token --reset` makes a new one)"
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning[/]: listening on {host}, beyond this machine")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command("token")
def token_cmd(
    project: Path = PROJECT, reset: bool = typer.Option(False, help="Make a new token.")
) -> None:
    """Make a new access token (the old one stops working)."""
    from radgen.errors import RadgenError
    from radgen.review.store import ReviewStore

    if not reset:
        raise RadgenError("tokens are shown once; use --reset to make a new one")
    console.print(ReviewStore(project).reset_token())


@app.command("add")
def add_cmd(
    project: Path = PROJECT,
    eval_dir: Path | None = typer.Option(None, "--eval", help="An `image eval` folder."),
    source: Path | None = typer.Option(None, help="Translation/edit: the input image."),
    output: Path | None = typer.Option(None, help="Translation/edit: the output image."),
    report: Path | None = typer.Option(None, help="Text: the source report."),
    generated: Path | None = typer.Option(None, help="Text: the generated text or JSON."),
    deid: Path | None = typer.Option(None, help="A report to de-identify for sign-off."),
    key_store: Path | None = typer.Option(None, help="With --deid: pseudonymise with this key."),
    title: str | None = typer.Option(None, help="Item title."),
) -> None:
    """Add outputs to the review queues (creating the project)."""
    from radgen.errors import RadgenError
    from radgen.io.text import read_text
    from radgen.review import add
    from radgen.review.store import ReviewStore

    store = ReviewStore(project, create=True)
    n = 0
    if eval_dir is not None:
        n += add.add_eval(store, eval_dir)
    if (source is None) != (output is None):
        raise RadgenError("give --source and --output together")
    if source is not None and output is not None:
        add.add_translation(store, source, output, title)
        n += 1
    if (report is None) != (generated is None):
        raise RadgenError("give --report and --generated together")
    if report is not None and generated is not None:
        text = read_text(generated)
        add.add_text(store, read_text(report), text, title or generated.name)
        n += 1
    if deid is not None:
        n += add_deid_files(store, [deid], key_store)
    if n == 0:
        raise RadgenError(
            "nothing to add: give --eval, --source/--output, --report/--generated or --deid"
        )
    console.print(f"{n} items added to {project}")


def add_deid_files(store, files: list[Path], key_store: Path | None) -> int:
    from radgen.io.text import read_text
    from radgen.privacy.deid import Deidentifier
    from radgen.privacy.keystore import KeyStore
    from radgen.review.add import add_deid

    keys = KeyStore(key_store) if key_store else None
    deid = Deidentifier("pseudonymize" if keys else "redact", keys=keys)
    for f in files:
        add_deid(store, deid.deidentify(read_text(f)), f.name)
    return len(files)


@app.command("export")
def export_cmd(
    project: Path = PROJECT,
    what: str = typer.Option("decisions", help="decisions or accepted."),
    out: Path = typer.Option(..., "--out", help="A .json or .csv file."),
) -> None:
    """Write the decision log or the accepted items."""
    import csv

    from radgen.errors import RadgenError
    from radgen.review.store import ReviewStore

    store = ReviewStore(project)
    if what not in ("decisions", "accepted"):
        raise RadgenError(f"unknown export '{what}'; choose decisions or accepted")
    rows = store.decisions() if what == "decisions" else store.accepted()
    if out.suffix == ".json":
        out.write_text(json.dumps(rows, indent=1))
    elif out.suffix == ".csv":
        with out.open("w", newline="") as fh:
            if rows:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(
                    {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in r.items()}
                    for r in rows
                )
    else:
        raise RadgenError("--out must end in .json or .csv", out)
    console.print(f"{len(rows)} rows -> {out}")
