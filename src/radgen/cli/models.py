"""``radgen models list``: the local language models radgen can use."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Local language models.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_cmd() -> None:
    """Registry models: installed or not, size, license, and how to install."""
    from radgen.text.llm.models import DEFAULT_MODEL, MODELS, install_hint, source_files

    table = Table("model", "installed", "size", "license", "note")
    for name, spec in MODELS.items():
        files = source_files(spec)
        have = sum(f is not None for f in files)
        status = "yes" if have == len(files) else f"no ({have}/{len(files)} parts)"
        label = f"{name} (default)" if name == DEFAULT_MODEL else name
        table.add_row(label, status, f"{spec.size_mb} MB",
                      spec.license, spec.note)  # fmt: skip
    console.print(table)
    missing = [s for s in MODELS.values() if None in source_files(s)]
    for spec in missing:
        console.print(f"[dim]install {spec.name}: {install_hint(spec)}[/]")
    from radgen.text.finetune.registry import finetuned_models

    tuned = finetuned_models()
    if tuned:
        table = Table("fine-tuned model", "kind", "base", "task", "data", "trained")
        for meta in tuned:
            table.add_row(*(str(meta.get(k, "")) for k in
                            ("name", "kind", "base", "task", "data", "trained")))  # fmt: skip
        console.print(table)


@app.command("convert")
def convert_cmd(
    model: str = typer.Argument(..., help="Registry name or .gguf path."),
    out: Path | None = typer.Option(None, help="Folder (default: the model cache's hf/NAME)."),
    overwrite: bool = typer.Option(False, help="Convert again over an existing folder."),
) -> None:
    """A GGUF model as a Hugging Face folder (fp32 safetensors and tokenizer), once: what
    `radgen text finetune` trains. Nothing is downloaded."""
    from radgen.text.finetune.convert import gguf_to_hf, hf_cache_dir
    from radgen.text.llm.models import resolve_model

    gguf = resolve_model(model)
    target = out or hf_cache_dir(model)
    console.print(f"converted -> {gguf_to_hf(gguf, target, overwrite=overwrite)}")


@app.command("serve")
def serve_cmd(
    model: str = typer.Option("qwen2.5-coder-0.5b", help="Registry name or .gguf path."),
    engine: str = typer.Option("xllamacpp", help="xllamacpp or llama-cpp-python."),
    host: str = typer.Option("127.0.0.1", help="Address (default: this machine only)."),
    port: int = typer.Option(8080, help="Port."),
    threads: int | None = typer.Option(None, help="Threads (default: half the cores)."),
    ctx: int = typer.Option(4096, help="Context window in tokens."),
    mmproj: Path | None = typer.Option(None, help="Vision projector of a multimodal GGUF."),
) -> None:
    """An OpenAI-compatible server over an installed GGUF: /v1/chat/completions."""
    from radgen.text.llm.llamacpp import default_threads
    from radgen.text.llm.serve import serve

    console.print(f"serving {model} with {engine} at http://{host}:{port}/v1 (Ctrl-C stops)")
    serve(model, engine, host, port, threads or default_threads(), ctx, mmproj)  # type: ignore[arg-type]
