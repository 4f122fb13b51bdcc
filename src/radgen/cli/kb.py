"""``radgen kb ...``: the local knowledge base for retrieval-augmented answers."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import track

from radgen.cli.text import API_KEY, BACKEND, BASE_URL, MODEL, THREADS, _backend, _options, _private

app = typer.Typer(help="Knowledge base: add documents, search, ask.", no_args_is_help=True)
console = Console()
KB = typer.Option(None, "--kb", help="Knowledge-base file (default: $RADGEN_KB or ~/.cache).")


@app.command("add")
def add_cmd(
    paths: list[Path] = typer.Argument(None, help="Markdown, text, JSON templates or PDF files."),
    starter: bool = typer.Option(False, "--starter", help="Add the bundled starter pack."),
    kb: Path | None = KB,
) -> None:
    """Index documents (folders are searched); unchanged files are skipped."""
    from radgen.errors import RadgenError
    from radgen.text.rag import open_kb, starter_documents
    from radgen.text.rag.chunking import SUPPORTED_SUFFIXES

    files: list[Path] = list(starter_documents()) if starter else []
    for p in paths or []:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            files.append(p)
    if not files:
        raise RadgenError("nothing to add: give files or folders, or --starter")
    with open_kb(kb) as base:
        total = 0
        for f in track(files, description="indexing", console=console):
            total += base.add_file(f)
        stats = base.stats()
    console.print(f"added {total} chunks; {stats['documents']} documents, {stats['chunks']} chunks")


@app.command("delete")
def delete_cmd(
    path: Path = typer.Argument(..., help="A document added before."), kb: Path | None = KB
) -> None:
    """Remove one document and its chunks."""
    from radgen.text.rag import open_kb

    with open_kb(kb) as base:
        console.print(f"removed {base.delete(path)} chunks of {path}")


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help="What to look for."),
    k: int = typer.Option(5, "-k", help="How many chunks."),
    mode: str = typer.Option("hybrid", help="hybrid, dense or bm25."),
    kb: Path | None = KB,
) -> None:
    """The best-matching chunks, with source, section and ranks."""
    from radgen.text.rag import open_kb

    with open_kb(kb) as base:
        for i, hit in enumerate(base.search(query, k, mode), start=1):  # type: ignore[arg-type]
            console.print(
                f"[bold]{i}. {hit.chunk.citation()}[/] [dim](score {hit.score:.4f}, dense"
                f" #{hit.dense_rank}, bm25 #{hit.bm25_rank})[/]"
            )
            console.print("   " + " ".join(hit.chunk.text.split())[:300], markup=False)


@app.command("stats")
def stats_cmd(kb: Path | None = KB) -> None:
    """Documents, chunks and the embedder of the knowledge base."""
    from radgen.text.rag import open_kb

    with open_kb(kb) as base:
        stats = base.stats()
    console.print(
        f"{stats['path']}: {stats['documents']} documents, {stats['chunks']} chunks,"
        f" embedder {stats['embedder']}; {stats['search']}"
    )
    for s in stats["sources"]:  # type: ignore[union-attr]
        console.print(f"  {s['source']} ({s['chunks']} chunks, added {s['added_utc']})")


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help="A question the knowledge base may answer."),
    k: int = typer.Option(4, "-k", help="Chunks retrieved."),
    method: str = typer.Option(
        "extractive", help="extractive (quote the answering sentence) or llm (model writes it)."
    ),
    rephrase: bool = typer.Option(False, help="Let the model reword the quote (checked)."),
    model: str | None = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    as_json: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    kb: Path | None = KB,
) -> None:
    """Answer from the knowledge base: the sentence that answers, quoted with its source and
    section, or "the sources do not answer this"."""
    from radgen.errors import RadgenError
    from radgen.text.rag import open_kb
    from radgen.text.rag.answer import answer_question
    from radgen.text.rag.extractive import Quote, RagAnswer, answer_extractive

    if method not in ("extractive", "llm"):
        raise RadgenError(f"unknown method '{method}'; choose one of ['extractive', 'llm']")

    def backend():
        options = _options(model, threads, "none", False, backend_name, base_url, api_key)
        return _backend(options)

    with open_kb(kb) as base:
        if method == "extractive":
            result = answer_extractive(
                question, base, k=k, rephrase_with=backend() if rephrase else None
            )
        else:
            llm = backend()
            old = answer_question(_private(llm)(question), base, llm, k=k)
            quotes = [
                Quote(
                    number=c.number,
                    source=c.source,
                    section=c.section,
                    sentence=c.text,
                    score=0.0,
                    passage=c.text,
                )
                for c in old.citations
            ]
            result = RagAnswer(
                question=question, answered=old.answered, answer=old.text, citations=quotes
            )
    if as_json:
        console.print_json(result.model_dump_json())
        return
    if not result.answered:
        console.print(
            f"[yellow]{result.answer}[/]" + (f" [dim]({result.reason})[/]" if result.reason else "")
        )
        return
    console.print(result.answer, highlight=False)
    for c in result.citations:
        console.print(
            f'[dim][{c.number}] {Path(c.source).name}, {c.section}: "{c.sentence}"[/]',
            highlight=False,
        )
    for d in result.dropped:
        console.print(f"[yellow]rephrasing dropped[/]: {d}", highlight=False)
