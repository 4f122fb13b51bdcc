"""``radgen text ...``: report tasks with the local language model, one report or a batch."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import track

from radgen.cli.options import config_options
from radgen.text.protocol.config import MatcherTrainConfig, ProtocolConfig, ReaderTrainConfig

if TYPE_CHECKING:
    from radgen.text.llm.base import LLMBackend
    from radgen.text.tasks.config import LLMOptions

app = typer.Typer(help="Report language tasks on a local model.", no_args_is_help=True)
prompt_app = typer.Typer(help="Inspect the versioned prompts.", no_args_is_help=True)
app.add_typer(prompt_app, name="prompt")
console = Console()

TEXT = typer.Option(None, "--text", help="The report text itself.")
INPUT = typer.Option(None, "--input", help="A UTF-8 text file with one report.")
CSV = typer.Option(None, "--csv", help="Batch: a CSV file (see --column).")
JSONL = typer.Option(None, "--jsonl", help="Batch: a JSON-lines file (see --column).")
COLUMN = typer.Option("findings", "--column", help="Batch: the CSV column / JSON field.")
OUT = typer.Option(None, "--out", help="Batch: JSON-lines results file.")
MODEL = typer.Option(
    None, help="Model: registry name (radgen models list), .gguf, HF folder or server model id."
)
THREADS = typer.Option(None, help="llama.cpp threads (default: half the cores).")
BACKEND = typer.Option(
    None, "--backend", help="llamacpp (default), transformers or openai (any server)."
)
BASE_URL = typer.Option(None, help="openai backend: the server's URL, e.g. http://host:8080/v1.")
API_KEY = typer.Option(
    None, envvar="RADGEN_API_KEY", show_default=False, help="openai backend: API key."
)
EXAMPLES = typer.Option("fixed", help="Few-shot examples: none, fixed or similar.")
COT = typer.Option(False, "--cot", help="Chain-of-thought (reasoning kept out of output).")
JSON_OUT = typer.Option(False, "--json", help="Print JSON.")
OVERWRITE = typer.Option(False, help="Replace an existing --out file.")


def _options(
    model: str | None,
    threads: int | None,
    examples: str,
    cot: bool,
    backend: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
) -> LLMOptions:
    """The task's options: the config file's [llm] defaults, then what the command line says.
    A key given on the command line only lives in this process's environment."""
    import os

    from radgen.text.tasks.config import LLMOptions

    options = LLMOptions.load(
        model=model, threads=threads, examples=examples, cot=cot, backend=backend, base_url=base_url
    )
    if api_key:
        os.environ[options.api_key_env] = api_key
    return options


def _backend(options: LLMOptions) -> LLMBackend:
    from radgen.text.llm.factory import make_backend

    backend = make_backend(options)
    if backend.is_remote:
        console.print(
            f"[yellow]remote backend {backend.name}[/]: every input is de-identified before it"
            " leaves this machine, and every call is written to the audit log"
        )
    return backend


def _private(backend: LLMBackend | None) -> Callable[[str], str]:
    """What a task does to its input first: nothing for a local model, de-identification for
    a remote one (the gate refuses anything else)."""
    if backend is None or not backend.is_remote:
        return lambda text: text
    from radgen.privacy.deid import Deidentifier

    deid = Deidentifier("redact")
    return lambda text: deid(text)


def _inputs(
    text: str | None, input: Path | None, csv: Path | None, jsonl: Path | None, column: str
) -> list[tuple[str, str]]:
    """(id, text) pairs from exactly one source."""
    from radgen.errors import RadgenError
    from radgen.io.text import read_csv_column, read_text

    given = [x is not None for x in (text, input, csv, jsonl)]
    if sum(given) != 1:
        raise RadgenError("give exactly one of --text, --input, --csv or --jsonl")
    if text is not None:
        return [("text", text)]
    if input is not None:
        return [(input.name, read_text(input))]
    if csv is not None:
        rows, fields = read_csv_column(csv, [column])
        key = "uid" if "uid" in fields else None
        return [(r[key] if key else str(i), r[column] or "") for i, r in enumerate(rows)]
    assert jsonl is not None
    items = []
    for i, line in enumerate(read_text(jsonl).splitlines()):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise RadgenError(f"line {i + 1} is not JSON: {err}", jsonl) from err
        if column not in record:
            raise RadgenError(f"line {i + 1} has no field '{column}'", jsonl)
        items.append((str(record.get("id", i)), str(record[column])))
    return items


def _run(
    items: list[tuple[str, str]],
    task: Callable[[str], dict[str, Any]],
    out: Path | None,
    overwrite: bool,
    show: Callable[[dict[str, Any]], None],
    as_json: bool,
    resume: bool = False,
) -> None:
    """One item: print it. A batch: every result (failures included) to --out as it
    finishes, with progress; --resume skips the reports already in --out."""
    from radgen.errors import RadgenError
    from radgen.io.paths import writable
    from radgen.text.batch import run_local

    if len(items) == 1 and out is None:
        result = task(items[0][1])
        console.print_json(json.dumps(result)) if as_json else show(result)
        return
    if out is None:
        raise RadgenError("a batch needs --out FILE.jsonl")
    path = out if resume else writable(out, overwrite)
    summary = run_local(
        items,
        task,
        path,
        resume=resume,
        progress=lambda xs: track(xs, description="reports", console=console),
    )
    _summary(summary, path)


def _summary(summary: dict[str, int], path: Path) -> None:
    skipped = f", {summary['skipped']} already done" if summary["skipped"] else ""
    console.print(
        f"{summary['written']} reports written, {summary['failed']} failed{skipped} -> {path}"
    )


def _batch(
    task: str,
    items: list[tuple[str, str]],
    out: Path | None,
    overwrite: bool,
    resume: bool,
    workers: int,
) -> None:
    """A rules task over a batch on Ray workers."""
    from radgen.errors import RadgenError
    from radgen.io.paths import writable
    from radgen.text.batch import run_ray

    if out is None:
        raise RadgenError("--ray needs --out FILE.jsonl")
    path = out if resume else writable(out, overwrite)
    summary = run_ray(items, task, path, workers=workers, resume=resume)  # type: ignore[arg-type]
    _summary(summary, path)


RAY = typer.Option(False, "--ray", help="Batch: map over Ray workers (a local cluster).")
WORKERS = typer.Option(2, help="Batch with --ray: workers, one model each.")
RESUME = typer.Option(False, "--resume", help="Batch: skip reports already in --out.")


@app.command("extract")
def extract_cmd(
    text: str | None = TEXT,
    input: Path | None = INPUT,
    csv: Path | None = CSV,
    jsonl: Path | None = JSONL,
    column: str = COLUMN,
    method: str = typer.Option(
        "rules",
        help="rules (default, deterministic, cites evidence), learned (a trained labeler),"
        " ensemble (rules and labeler, per-label rule chosen on calibration) or llm.",
    ),
    labeler: Path | None = typer.Option(
        None, help="learned/ensemble: labeler.pt from `radgen text train-labeler`."
    ),
    model: str = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    examples: str = EXAMPLES,
    cot: bool = COT,
    out: Path | None = OUT,
    as_json: bool = JSON_OUT,
    overwrite: bool = OVERWRITE,
    ray: bool = RAY,
    workers: int = WORKERS,
    resume: bool = RESUME,
) -> None:
    """Findings with presence, laterality, location, size and severity."""
    from radgen.text.extract.rules import report_labels
    from radgen.text.tasks.extract import check_method, extract, learned_labels

    check_method(method)
    if method in ("learned", "ensemble"):
        from radgen.text.extract.learned import LearnedLabeler

        trained = LearnedLabeler(labeler)
        trained.labels  # noqa: B018 - load now: a bad file fails before any report is read
    if ray:
        if method != "rules":
            from radgen.errors import RadgenError

            raise RadgenError("--ray batches run the rules extractor (--method rules)")
        return _batch(
            "extract", _inputs(text, input, csv, jsonl, column), out, overwrite, resume, workers
        )
    options = _options(model, threads, examples, cot, backend_name, base_url, api_key)
    backend = _backend(options) if method == "llm" else None
    private = _private(backend)

    def task(report: str) -> dict[str, Any]:
        if method in ("learned", "ensemble"):
            return learned_labels(private(report), trained, method)  # type: ignore[arg-type]
        result = extract(private(report), method, backend, options)  # type: ignore[arg-type]
        return {
            "method": result.method,
            "valid_json": result.ok,
            "labels": sorted(report_labels(result.findings)),
            "findings": [f.model_dump(exclude_none=True) for f in result.findings],
        }

    def show(result: dict[str, Any]) -> None:
        colour = {"present": "red", "absent": "green", "uncertain": "yellow"}
        for f in result["findings"]:
            extra = ", ".join(
                f"{k} {f[k]}" for k in ("laterality", "location", "severity", "size_mm") if k in f
            )
            console.print(
                f"[{colour[f['presence']]}]{f['presence']:9s}[/] {f['finding']}"
                + (f" ({extra})" if extra else "")
            )
        console.print(f"labels: {', '.join(result['labels'])}")

    _run(_inputs(text, input, csv, jsonl, column), task, out, overwrite, show, as_json, resume)


@app.command("train-labeler")
def train_labeler_cmd(
    csv: Path = typer.Option(..., "--csv", help="CSV of labelled reports."),
    out: Path = typer.Option(..., "--out", help="Run directory (labeler.pt is written there)."),
    config_file: Path | None = typer.Option(
        None, "--config", help="A LabelerTrainConfig YAML (a run's config.yaml works)."
    ),
    settings: list[str] = typer.Option(
        [],
        "--set",
        help="Any setting as key=value: text_columns='[findings, impression]',"
        " labels_column=Problems, id_column=uid, held_out=odd|none, 'labels=[normal, Opacity]',"
        " epochs=4, steps=N, minutes=M, layers=6, seed=0, device=cpu|cuda|auto.",
    ),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Fine-tune the learned labeler (MiniLM + LoRA) on your labelled reports; reports with an
    odd id are held out (never read) unless held_out=none."""
    from radgen.runs.settings import merge_settings
    from radgen.text.extract.labeler_train import LabelerTrainConfig, train_labeler

    data = merge_settings({}, config_file, {"csv": str(csv), "out": str(out)}, settings)
    summary = train_labeler(LabelerTrainConfig(**data), overwrite=overwrite, resume=resume)
    cal = summary["calibration_micro_f1"]
    console.print(
        f"{summary['steps']} steps in {summary['seconds']:.0f} s; calibration micro-F1 rules"
        f" {cal['rules']:.3f}, learned {cal['learned']:.3f}, ensemble {cal['ensemble']:.3f}"
        f" -> {summary['weights']}"
    )


@app.command("finetune")
def finetune_cmd(
    csv: Path = typer.Option(..., "--csv", help="CSV of labelled reports (IU layout)."),
    out: Path = typer.Option(..., "--out", help="Run directory (adapter and GGUF adapter)."),
    config_file: Path | None = typer.Option(
        None, "--config", help="A FinetuneConfig YAML (a run's config.yaml works)."
    ),
    settings: list[str] = typer.Option(
        [],
        "--set",
        help="Any setting as key=value: task=impression|labels, base=smollm2-135m,"
        " n_train=400, max_length=192, epochs=1, steps=N, minutes=M, lr=2e-4, lora.rank=8,"
        " lora.alpha=16, 'lora.target_modules=[q_proj, v_proj]', held_out=odd|none,"
        " device=cpu|cuda|auto.",
    ),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """LoRA instruction tuning of a local model on your reports; reports with an odd uid are
    held out (never read). The adapter is exported for llama.cpp and registered under the run
    folder's name: use it with --model NAME."""
    from radgen.runs.settings import merge_settings
    from radgen.text.finetune.config import FinetuneConfig
    from radgen.text.finetune.sft import finetune

    data = merge_settings({}, config_file, {"csv": str(csv), "out": str(out)}, settings)
    summary = finetune(FinetuneConfig(**data), overwrite=overwrite, resume=resume)
    console.print(
        f"{summary['steps']} steps on {summary['examples']} examples in"
        f" {summary['seconds']:.0f} s (peak memory {summary['peak_memory_mb']:.0f} MB)"
        f" -> {summary['gguf_adapter']}; use it with --model {out.name}"
    )


@app.command("dpo")
def dpo_cmd(
    sft_run: Path = typer.Option(..., "--sft-run", help="The `radgen text finetune` run."),
    pairs: Path = typer.Option(..., "--pairs", help="JSONL: prompt, chosen, rejected."),
    out: Path = typer.Option(..., "--out", help="Run directory."),
    config_file: Path | None = typer.Option(None, "--config", help="A DpoConfig YAML."),
    settings: list[str] = typer.Option(
        [], "--set", help="Any setting as key=value: beta=0.1, lr=5e-5, n_pairs=200, steps=N."
    ),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Preference tuning (DPO) of a fine-tuned adapter: chosen answers up, rejected down,
    measured against the adapter as it was. Registered under the run folder's name."""
    from radgen.runs.rundir import RunDir
    from radgen.runs.settings import merge_settings
    from radgen.text.finetune.config import DpoConfig
    from radgen.text.finetune.dpo import preference_tune

    given = {"sft_run": str(sft_run), "pairs": str(pairs), "out": str(out)}
    defaults = {"base": RunDir(sft_run).read_config().get("base")}
    data = merge_settings(defaults, config_file, given, settings)
    summary = preference_tune(DpoConfig(**data), overwrite=overwrite, resume=resume)
    console.print(
        f"{summary['steps']} steps on {summary['pairs']} pairs in {summary['seconds']:.0f} s"
        f" -> {summary['gguf_adapter']}; use it with --model {out.name}"
    )


@app.command("structure")
def structure_cmd(
    text: str | None = TEXT,
    input: Path | None = INPUT,
    csv: Path | None = CSV,
    jsonl: Path | None = JSONL,
    column: str = COLUMN,
    method: str = typer.Option(
        "hybrid", help="hybrid (rules fill, model translates non-English), rules or llm."
    ),
    template: str | None = typer.Option(None, help="Template name (default: best match)."),
    hint: str | None = typer.Option(None, help="Exam title, helps choose the template."),
    dicom: Path | None = typer.Option(
        None, help="A DICOM file of the exam: its header names modality and region."
    ),
    model: str = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    out: Path | None = OUT,
    as_json: bool = JSON_OUT,
    overwrite: bool = OVERWRITE,
    ray: bool = RAY,
    workers: int = WORKERS,
    resume: bool = RESUME,
) -> None:
    """Fill the best-matching structured template (61 bundled) from a free-text report."""
    from radgen.text.tasks.structure import structure_report

    items = _inputs(text, input, csv, jsonl, column)
    if dicom is not None:
        from radgen.io.dicom import exam_title

        hint = " ".join(filter(None, [exam_title(dicom), hint]))
    if ray:
        if method != "rules":
            from radgen.errors import RadgenError

            raise RadgenError("--ray batches run the rules structurer (--method rules)")
        return _batch("structure", items, out, overwrite, resume, workers)

    options = _options(model, threads, "none", False, backend_name, base_url, api_key)
    backend = _backend(options) if method != "rules" else None
    private = _private(backend)

    def task(report: str) -> dict[str, Any]:
        s = structure_report(  # type: ignore[arg-type]
            private(report), method, backend, options, template=template, hint=hint
        )
        return {
            "template": s.template,
            "method": s.method,
            "language": s.language,
            "valid_json": s.ok,
            "fields": s.fields,
            "unassigned": s.unassigned,
            "errors": s.errors,
            "template_note": s.template_note,
            "translation": s.translation,
        }

    def show(result: dict[str, Any]) -> None:
        console.print(f"[bold]{result['template']}[/] ({result['method']}, {result['language']})")
        if result["template_note"]:
            console.print(f"  [yellow]template[/]: {result['template_note']}")
        if result["translation"]:
            console.print(f"  [magenta]translation[/] (check it against the original): "
                          f"{result['translation']}")  # fmt: skip
        for key, value in (result["fields"] or {}).items():
            console.print(f"  [cyan]{key}[/]: {value}")
        for sentence in result["unassigned"]:
            console.print(f"  [yellow]unassigned[/]: {sentence}")
        for err in result["errors"]:
            console.print(f"  [red]{err}[/]")

    _run(items, task, out, overwrite, show, as_json, resume)


@app.command("deid")
def deid_cmd(
    csv: Path | None = CSV,
    jsonl: Path | None = JSONL,
    column: str = COLUMN,
    out: Path = typer.Option(..., "--out", help="JSON-lines results file."),
    overwrite: bool = OVERWRITE,
    ray: bool = RAY,
    workers: int = WORKERS,
    resume: bool = RESUME,
) -> None:
    """Batch de-identification (redact) of a CSV column or JSON-lines field, to JSON lines;
    `radgen deid text` writes files and CSVs back in place of the originals."""
    items = _inputs(None, None, csv, jsonl, column)
    if ray:
        return _batch("deid", items, out, overwrite, resume, workers)
    from radgen.text.batch import make_task

    _run(items, make_task("deid"), out, overwrite, lambda r: None, False, resume)


@app.command("impression")
def impression_cmd(
    text: str | None = TEXT,
    input: Path | None = INPUT,
    csv: Path | None = CSV,
    jsonl: Path | None = JSONL,
    column: str = COLUMN,
    model: str = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    examples: str = EXAMPLES,
    out: Path | None = OUT,
    as_json: bool = JSON_OUT,
    overwrite: bool = OVERWRITE,
) -> None:
    """Write the impression for a findings section."""
    from radgen.text.tasks.generate import impression

    options = _options(model, threads, examples, False, backend_name, base_url, api_key)
    backend = _backend(options)
    private = _private(backend)
    _run(
        _inputs(text, input, csv, jsonl, column),
        lambda report: {"impression": impression(private(report), backend, options)},
        out,
        overwrite,
        lambda r: console.print(r["impression"]),
        as_json,
    )


@app.command("simplify")
def simplify_cmd(
    text: str | None = TEXT,
    input: Path | None = INPUT,
    csv: Path | None = CSV,
    jsonl: Path | None = JSONL,
    column: str = COLUMN,
    grade: int = typer.Option(6, help="Target school grade (Flesch-Kincaid)."),
    model: str = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    examples: str = EXAMPLES,
    out: Path | None = OUT,
    as_json: bool = JSON_OUT,
    overwrite: bool = OVERWRITE,
) -> None:
    """Rewrite a report for patients; prints the measured reading grade."""
    from radgen.text.tasks.generate import simplify

    options = _options(model, threads, examples, False, backend_name, base_url, api_key)
    backend = _backend(options)

    private = _private(backend)

    def task(report: str) -> dict[str, Any]:
        s = simplify(private(report), backend, options, grade=grade)
        return {"text": s.text, "grade": s.grade, "source_grade": s.source_grade}

    def show(r: dict[str, Any]) -> None:
        console.print(r["text"])
        console.print(f"[dim]reading grade {r['grade']} (report: {r['source_grade']})[/]")

    _run(_inputs(text, input, csv, jsonl, column), task, out, overwrite, show, as_json)


@app.command("protocol")
@config_options(ProtocolConfig, defaults={"conditions": None}, text=("conditions",))
def protocol_cmd(
    config: ProtocolConfig,
    model: str = MODEL,
    threads: int | None = THREADS,
    backend_name: str | None = BACKEND,
    base_url: str | None = BASE_URL,
    api_key: str | None = API_KEY,
    as_json: bool = JSON_OUT,
) -> None:
    """Recommend an examination from the bundled guidance (or say no imaging, or abstain),
    checked for pregnancy, children, contrast and grounding."""
    from radgen.text.protocol.answer import protocol_advice

    options = _options(model, threads, "fixed", False, backend_name, base_url, api_key)
    backend = _backend(options) if config.method == "llm" or config.phrase else None
    advice = protocol_advice(config, backend, options)
    if as_json:
        console.print_json(advice.model_dump_json())
        return
    if advice.abstained:
        console.print(f"[yellow]{advice.reason}[/]")
    elif advice.imaging_indicated is False:
        console.print("[bold]No imaging indicated[/]")
    else:
        e = advice.exam
        assert e is not None
        console.print(f"[bold]{e.name}[/] ({e.modality}, {e.region}, contrast: {e.contrast})")
    if advice.rationale:
        console.print(advice.rationale)
    for alt in advice.alternatives:
        console.print(f"  alternative: {alt.name} ({alt.modality}, contrast: {alt.contrast})")
    for w in advice.warnings:
        console.print(f"  [yellow]warning[/]: {w}")
    for r in advice.refused:
        console.print(f"  [red]refused[/]: {r}")
    facts = ", ".join(f"{k}: {v}" for k, v in advice.facts.evidence.items())
    if facts:
        console.print(f"[dim]from the request: {facts}[/]")
    if advice.matched_by == "learned":
        console.print(
            f"[dim]entry found by the learned matcher (score {advice.match_score:.2f}): the"
            " rules found no entry[/]"
        )
    if advice.source is not None:
        console.print(f"[dim]source: {advice.source.title} ({advice.source.sources})[/]")
        console.print(f'[dim]"{advice.source.passage}"[/]', highlight=False)


@app.command("protocol-train")
@config_options(
    MatcherTrainConfig,
    defaults={"out": "runs/protocol_matcher", "examples": None},
    text=("examples",),
)
def protocol_train_cmd(
    config: MatcherTrainConfig,
    install: bool = typer.Option(False, help="Make the result the default entry matcher."),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Fine-tune the protocol entry matcher (MiniLM + LoRA) on example requests: the bundled
    ones and your own JSONL of {request, entry}."""
    from radgen.text.protocol.matcher_train import train_matcher

    summary = train_matcher(config, overwrite=overwrite, resume=resume, install=install)
    console.print(
        f"{summary['steps']} steps on {summary['examples']} examples in"
        f" {summary['seconds']:.0f} s -> {summary['weights']}"
    )


@app.command("protocol-reader-train")
@config_options(
    ReaderTrainConfig,
    defaults={"out": "runs/protocol_reader", "examples": None},
    text=("examples",),
)
def protocol_reader_train_cmd(
    config: ReaderTrainConfig,
    install: bool = typer.Option(False, help="Make the result the default condition reader."),
    resume: bool = typer.Option(False, help="Continue an interrupted run."),
    overwrite: bool = typer.Option(False, help="Replace an existing run."),
) -> None:
    """Fit the protocol condition reader (the safety facts a request states: pregnancy,
    contrast reaction, kidney failure, an implant) on example requests labelled with them."""
    from radgen.text.protocol.reader_train import train_reader

    summary = train_reader(config, overwrite=overwrite, resume=resume, install=install)
    console.print(
        f"{summary['examples']} examples ({summary['windows']} windows; positives"
        f" {summary['positives']}) in {summary['seconds']:.0f} s -> {summary['weights']}"
    )


@app.command("templates")
def templates_cmd() -> None:
    """List the bundled structured-report templates."""
    from radgen.text.tasks.templates import load_templates, template_fields

    for name in load_templates():
        console.print(f"{name} ({len(template_fields(name))} fields)")


@prompt_app.command("show")
def prompt_show_cmd(
    task: str = typer.Argument(..., help="extract, structure, impression, simplify, protocol."),
    text: str = typer.Option("<report text>", "--text", help="Input to render the prompt for."),
    examples: str = EXAMPLES,
    cot: bool = COT,
) -> None:
    """Render a task's prompt (version, parts, few-shot turns) as the model would see it."""
    from radgen.text.prompts.builder import build_messages, load_prompt, render
    from radgen.text.tasks.extract import finding_names

    spec = load_prompt(task)
    variables = {
        "finding_names": ", ".join(finding_names()),
        "template_name": "<template>",
        "grade": 6,
    }
    messages = build_messages(spec, text, examples=examples, cot=cot, variables=variables)  # type: ignore[arg-type]
    console.print(f"[bold]{spec.name}[/] v{spec.version}")
    console.print(render(messages), markup=False)


@app.command("check")
def check_cmd(
    source: Path = typer.Option(..., "--source", help="The source report (text file)."),
    output: Path = typer.Option(..., "--output", help="Generated text or JSON to check."),
    embeddings: bool = typer.Option(True, help="Use sentence embeddings for non-findings."),
    as_json: bool = JSON_OUT,
    review: Path | None = typer.Option(
        None, "--review", help="Also queue the output, with its verdicts, for expert review."
    ),
) -> None:
    """Check every generated statement against the source: supported, unsupported or
    contradicted, with the evidence span. Exit code 1 when anything is flagged."""
    from radgen.io.text import read_text
    from radgen.text.grounding import GroundingGuard

    embedder = None
    if embeddings:
        from radgen.text.rag.embeddings import SentenceEmbedder

        embedder = SentenceEmbedder()
    source_text, output_text = read_text(source), read_text(output)
    report = GroundingGuard(embedder).check(source_text, output_text)
    if review is not None:
        from radgen.review.add import add_text
        from radgen.review.store import ReviewStore

        add_text(ReviewStore(review, create=True), source_text, output_text, output.name, embedder)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
    else:
        colour = {"supported": "green", "unsupported": "yellow", "contradicted": "red"}
        for s in report.statements:
            console.print(f"[{colour[s.verdict]}]{s.verdict:12s}[/] {s.text}", highlight=False)
            for reason in s.reasons:
                console.print(f"{'':13s}[dim]{reason}[/]", highlight=False)
            if s.verdict != "supported" and s.evidence:
                console.print(f'{"":13s}[dim]source: "{s.evidence}"[/]', highlight=False)
        n = len(report.flagged)
        console.print(f"{len(report.statements)} statements, {n} flagged for review")
    if report.flagged:
        raise typer.Exit(1)
