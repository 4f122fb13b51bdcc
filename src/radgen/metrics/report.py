"""Write the evaluation as ``report.md`` + ``metrics.json`` + figures a reviewer can open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from radgen.io import write_montage
from radgen.metrics.distribution import prdc

ROWS = [
    ("fid", "FID (lower is better)"),
    ("kid", "KID (lower is better)"),
    ("precision", "precision (fidelity)"),
    ("recall", "recall (diversity)"),
    ("density", "density"),
    ("coverage", "coverage"),
]


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _table(block: dict[str, Any]) -> list[str]:
    lines = ["| metric | synthetic vs real | real vs real (floor) |", "|---|---|---|"]
    for key, label in ROWS:
        syn, floor = block[key], block[f"{key}_real_floor"]
        if key == "kid":
            syn = f"{_fmt(syn)} ± {_fmt(block['kid_std'])}"
            floor = f"{_fmt(floor)} ± {_fmt(block['kid_real_floor_std'])}"
        else:
            syn, floor = _fmt(syn), _fmt(floor)
        lines.append(f"| {label} | {syn} | {floor} |")
    return lines


def _pair_figure(
    real: np.ndarray, synth: np.ndarray, order: np.ndarray, nn: np.ndarray, path: Path
) -> None:
    top = order[:16]
    tiles, captions = [], []
    for i in top:
        tiles += [synth[i], real[nn[i]]]
        captions += [f"syn {i}", f"real {nn[i]}"]
    write_montage(np.stack(tiles), path, captions=captions, ncols=8, synthetic=True, overwrite=True)


def _pr_curve(arrays: dict[str, Any], path: Path) -> None:
    ks = [1, 2, 3, 5, 8, 12]
    fig, ax = plt.subplots(figsize=(4, 3.2))
    for name, fake, style in (
        ("synthetic", arrays["f_synth"], "-o"),
        ("real floor", arrays["f_floor"], "--s"),
    ):
        pts = [prdc(arrays["f_real"], fake, k) for k in ks]
        ax.plot([p["recall"] for p in pts], [p["precision"] for p in pts], style, label=name)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"k-NN precision/recall, k in {ks}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(result: dict[str, Any], out: str | Path) -> Path:
    """report.md, metrics.json and figures/ under ``out``; returns the report path."""
    root = Path(out)
    figures = root / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    arrays = result["_arrays"]
    real, synth = arrays["real"], arrays["synth"]
    metrics = {k: v for k, v in result.items() if k != "_arrays"}
    (root / "metrics.json").write_text(json.dumps(metrics, indent=2))

    k = min(32, len(synth.images))
    caps = (
        [synth.class_names[int(c)] for c in synth.labels[:k]]
        if synth.labels is not None and synth.class_names
        else None
    )
    write_montage(
        synth.images[:k],
        figures / "synthetic_grid.png",
        captions=caps,
        synthetic=True,
        overwrite=True,
    )
    write_montage(real.images[:k], figures / "real_grid.png", overwrite=True)
    memo, outl = arrays["memo"], arrays["outliers"]
    _pair_figure(
        real.images,
        synth.images,
        np.argsort(memo["nn_aligned_rmse"]),
        memo["nn_index"],
        figures / "nearest_pairs.png",
    )
    worst = np.argsort(-outl["scores"])[:32]
    write_montage(
        synth.images[worst],
        figures / "outliers.png",
        captions=[f"{i}" for i in worst],
        synthetic=True,
        overwrite=True,
    )
    _pr_curve(arrays, figures / "pr_curve.png")

    d = result["domain"]
    sets = result["sets"]
    lines = [
        "# radgen synthetic-image evaluation",
        "",
        f"Evaluated in {result['seconds']} s. The sets every number below comes from:",
        "",
        f"- **reference** (real training images): {sets['n_reference']} from"
        f" `{sets['reference_source']}`",
        f"- **held-out** (real images the reference does not hold): {sets['n_holdout']},"
        f" {sets['holdout_how']}"
        + (
            f"; {sets['holdout_duplicates_dropped']} images identical to reference images dropped"
            if sets.get("holdout_duplicates_dropped")
            else ""
        ),
        f"- **synthetic**: {sets['n_synthetic']} from `{sets['synthetic_source']}`",
        "",
        "Every number sits beside its **real-vs-real floor**: the same metric between two disjoint"
        " halves of the real training set at the same sample size. A synthetic set is as good as"
        " real data where it matches the floor.",
        "",
        f"## Fidelity and diversity in the domain feature space ({result['feature_space']},"
        f" n = {d['n']})",
        "",
        "Features from radgen's domain encoder, trained on the real images (not ImageNet).",
        "",
        *_table(d),
        "",
        "MS-SSIM between random pairs (higher = less diverse): synthetic"
        f" {_fmt(result['ms_ssim_diversity'])},"
        f" real {_fmt(result['ms_ssim_diversity_real_floor'])}.",
        "",
    ]
    if "inception" in result:
        inc = result["inception"]
        lines += [
            f"## Inception FID (TF-FID InceptionV3, n = {inc['n']})",
            "",
            "Paper-comparable feature space (ImageNet InceptionV3), at a small n because it is slow"
            " on CPU; FID is biased upwards at small n, so compare it with its floor only.",
            "",
            "| metric | synthetic vs real | real vs real (floor) |",
            "|---|---|---|",
            f"| Inception FID | {_fmt(inc['fid'])} | {_fmt(inc['fid_real_floor'])} |",
            "",
        ]
    if weakest := result.get("weakest_class"):
        ratios = ", ".join(
            f"`{name}` {block['fid_ratio']:.1f}" for name, block in result["per_class"].items()
        )
        lines += [
            "## Per class",
            "",
            f"Weakest class: **`{weakest}`** (FID in units of its real-vs-real floor: {ratios}).",
            "",
        ]
    for name, block in result.get("per_class", {}).items():
        lines += [f"### Class `{name}` (domain features, n = {block['n']})", "", *_table(block), ""]
    if "tstr" in result:
        lines += [
            "## Utility: train on synthetic, test on real",
            "",
            "The same classifier recipe trained on each set, tested on held-out real images"
            " (bootstrap 95% intervals).",
            "",
            "| trained on | n | AUC | 95% CI | accuracy | 95% CI |",
            "|---|---|---|---|---|---|",
        ]
        for arm, r in result["tstr"].items():
            lines.append(
                f"| {arm} | {r['n_train']} | {r['auc']} | {r['auc_ci']} |"
                f" {r['accuracy']} | {r['accuracy_ci']} |"
            )
        lines.append("")
    m, o = result["memorization"], result["outliers"]
    lines += [
        "## Memorization and privacy audit (synthetic vs reference, calibrated on held-out)",
        "",
        f"Nearest real training image of every synthetic image among {m['searched']}: in"
        " domain features, in 2x2-pooled pixels (RMS difference), and in pixels after the best"
        " flip, rotation (up to 10°), shift (up to 3 px) and intensity scaling, since training"
        " augmentations produce exactly those copies. A near-copy lies closer, in any space,"
        " than half the 1st percentile (5th for the aligned space) of held-out-to-reference"
        f" distances ({_fmt(m['threshold'])} in features, {_fmt(m['pixel_threshold'])} in"
        f" pixels, {_fmt(m['aligned_threshold'])} aligned).",
        "",
        f"- near-copies: **{m['n_flagged']}** ({m['memorized_fraction']:.2%}; by space:"
        f" {', '.join(f'{k} {v}' for k, v in m['flagged_by'].items())});"
        f" held-out real flagged at the same thresholds: {m['holdout_flagged_fraction']:.2%}",
        *[
            f"  - synthetic {f['index']} copies real {f['nearest_real']} ({f['transform']})"
            for f in m["flagged"][:20]
        ],
        f"- median nearest-neighbour distance: synthetic {_fmt(m['synthetic_nn_distance_median'])},"
        f" held-out real {_fmt(m['holdout_nn_distance_median'])}",
        f"- pixel SSIM to the nearest training image: median {_fmt(m['nn_ssim_median'])}, max"
        f" {_fmt(m['nn_ssim_max'])}",
        "- closest pairs (synthetic, then its nearest real): `figures/nearest_pairs.png`",
        f"- {m['blind_spots']}",
        "",
        "## Outliers and artifacts for expert review",
        "",
        f"{len(o['flagged_indices'])} synthetic images ({o['outlier_fraction']:.2%}) lie farther"
        " from the real manifold than 99% of held-out real images"
        f" (threshold {_fmt(o['threshold'])}). The 32 most extreme: `figures/outliers.png`;"
        " indices in `metrics.json`.",
        "",
        "## Figures",
        "",
        "![synthetic](figures/synthetic_grid.png)",
        "![real](figures/real_grid.png)",
        "![pairs](figures/nearest_pairs.png)",
        "![outliers](figures/outliers.png)",
        "![pr](figures/pr_curve.png)",
        "",
    ]
    path = root / "report.md"
    path.write_text("\n".join(lines))
    return path
