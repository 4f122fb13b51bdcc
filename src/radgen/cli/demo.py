"""``radgen demo``: the main story on the bundled data, end to end on a CPU in minutes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from radgen.metrics.config import EvalConfig

console = Console()
TSTR_STEPS = EvalConfig.model_fields["tstr_steps"]  # the eval's own default and help


def _summarise(run_root: Path, seed: int) -> None:
    from radgen.data import load_dataset
    from radgen.io import write_montage

    table = Table(title="Bundled PneumoniaMNIST (MedMNIST v2, CC BY 4.0)")
    for col in ("split", "images", "size", "normal", "pneumonia", "mean", "std"):
        table.add_column(col)
    rng = np.random.default_rng(seed)
    picks, captions = [], []
    for split in ("train", "val"):
        data = load_dataset("pneumoniamnist", split=split)
        s = data.summary()
        table.add_row(
            split,
            str(s["n"]),
            "x".join(map(str, s["shape"])),
            str(s["classes"]["normal"]),
            str(s["classes"]["pneumonia"]),
            f"{s['mean']:.3f}",
            f"{s['std']:.3f}",
        )
        if split == "train":
            for label, name in enumerate(data.class_names):
                idx = rng.choice(np.flatnonzero(data.labels == label), 8, replace=False)
                picks.append(data.images[idx])
                captions += [name] * 8
    console.print(table)
    path = run_root / "figures" / "real_montage.png"
    write_montage(np.concatenate(picks), path, captions=captions, ncols=8)
    console.print(f"montage of real training images -> {path}")


def demo(
    out: Path = typer.Option(Path("runs/demo"), help="Where the demo writes its outputs."),
    overwrite: bool = typer.Option(False, help="Replace an existing demo folder."),
    minutes: float = typer.Option(3.0, help="Training budget of the conditional diffusion model."),
    n: int = typer.Option(200, help="Synthetic images to draw and evaluate."),
    tstr_steps: int = typer.Option(
        TSTR_STEPS.default, min=1, help=f"{TSTR_STEPS.description} Fewer: a quicker, rougher AUC."
    ),
    seed: int = typer.Option(0, help="Random seed."),
    device: str = typer.Option("auto", help="cpu, cuda or auto."),
) -> None:
    """Summarise the bundled data, train a conditional DDPM, sample both classes, evaluate;
    then structure and simplify a sample report with the local language model."""
    from radgen.image.config import TrainConfig
    from radgen.image.sample import SampleConfig, generate, write_samples
    from radgen.image.train import train
    from radgen.metrics.evaluate import evaluate
    from radgen.metrics.report import write_report
    from radgen.runs import RunDir

    root = RunDir.create(out, overwrite=overwrite).root
    _summarise(root, seed)

    console.rule(f"1. train a class-conditional DDPM for {minutes:g} minutes")
    config = TrainConfig(model="ddpm", conditional=True, minutes=minutes, seed=seed,
                         device=device, out=str(root / "ddpm"))  # fmt: skip
    summary = train(config)
    console.print(f"{summary['steps']} steps; per-epoch sample grids in {root / 'ddpm/figures'}")

    sample_cfg = SampleConfig(run=config.out, n=n, device=device, out=str(root / "samples"))
    console.rule(
        f"2. sample {n} images, half normal and half pneumonia"
        f" (DDIM {sample_cfg.steps}, CFG {sample_cfg.guidance:g})"
    )
    images, labels, names = generate(sample_cfg)
    samples = write_samples(images, labels, names, sample_cfg.out, "npz", "radgen demo")
    console.print(f"labelled grid -> {samples / 'grid.png'} (every file marked SYNTHETIC)")

    console.rule("3. evaluate against real data (domain FID/KID, PRDC, TSTR, memorization)")
    eval_cfg = EvalConfig(synthetic=str(samples / "samples.npz"), inception_n=0,
                          tstr_steps=tstr_steps, out=str(root / "eval"), seed=seed)  # fmt: skip
    result = evaluate(eval_cfg)
    report = write_report(result, eval_cfg.out)
    d, t = result["domain"], result["tstr"]
    console.print(
        f"domain FID {d['fid']:.3g} (real floor {d['fid_real_floor']:.3g}); precision"
        f" {d['precision']:.2f}, recall {d['recall']:.2f}; TSTR AUC {t['synthetic']['auc']:.3f}"
        f" (real-trained {t['real']['auc']:.3f}); near-copies"
        f" {result['memorization']['memorized_fraction']:.1%}"
    )
    console.print(f"report -> {report}")
    _report_story(root)


def _report_story(root: Path) -> None:
    """4. the language half on the bundled sample report (written by the radgen project)."""
    import json

    from radgen.data.registry import bundled_asset
    from radgen.text.grounding import GroundingGuard
    from radgen.text.llm.llamacpp import LlamaCppBackend
    from radgen.text.tasks.config import LLMOptions
    from radgen.text.tasks.generate import simplify
    from radgen.text.tasks.structure import structure_report
    from radgen.text.tasks.templates import NOT_MENTIONED

    console.rule("4. structure and simplify a sample report with the local model (Qwen2.5 0.5B)")
    report = bundled_asset("sample_report.txt").read_text(encoding="utf-8")
    console.print(report, markup=False)
    options = LLMOptions(max_tokens=256)
    backend = LlamaCppBackend(options.model)
    structured = structure_report(report, "hybrid", backend, options)
    filled = {k: v for k, v in (structured.fields or {}).items() if v != NOT_MENTIONED}
    console.print(f"[bold]{structured.template}[/] ({structured.method}):")
    for key, value in filled.items():
        console.print(f"  [cyan]{key}[/]: {value}", highlight=False)
    simple = simplify(report, backend, options, grade=6)
    console.print(f"[bold]for the patient[/] (reading grade {simple.grade}, report"
                  f" {simple.source_grade}):")  # fmt: skip
    console.print(simple.text, markup=False)
    check = GroundingGuard().check(report, simple.text)
    for s in check.flagged:
        console.print(f"  [yellow]check: {s.verdict}[/] {s.text} ({'; '.join(s.reasons)})")
    console.print(f"grounding guard: {len(check.flagged)} of {len(check.statements)} statements"
                  " flagged for the radiologist")  # fmt: skip
    (root / "report").mkdir(exist_ok=True)
    (root / "report" / "structured.json").write_text(json.dumps(structured.fields, indent=2))
    (root / "report" / "patient.txt").write_text(simple.text + "\n")
