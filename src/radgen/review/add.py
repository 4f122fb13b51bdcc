"""Filling the review queues from what radgen produced: an evaluation's synthetic images with
their nearest real neighbours and flags, translations and edits (source, output,
difference), generated text with the grounding guard's verdicts, and de-identified text with
its replacements. Files go under the project's ``files/`` folder, the only one served.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from radgen.errors import RadgenError
from radgen.review.store import ReviewStore


def _files(store: ReviewStore, *parts: str) -> Path:
    path = store.root.joinpath("files", *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _png(store: ReviewStore, image: np.ndarray, rel: str, synthetic: bool) -> str:
    from radgen.io import MedicalImage, write_png

    path = _files(store, rel)
    pixels = np.clip(image, 0, 1).T.astype(np.float32)  # (column, row), like every radgen image
    write_png(MedicalImage(pixels), path, synthetic=synthetic, overwrite=True)
    return str(path.relative_to(store.root))


def add_eval(store: ReviewStore, eval_dir: str | Path, max_items: int = 48, k: int = 3) -> int:
    """Synthetic images of an evaluation: every near-copy and outlier first, then a sample,
    each with its ``k`` nearest real training images (pooled pixels)."""
    from radgen.metrics.distribution import pairwise_distances
    from radgen.metrics.evaluate import load_image_set
    from radgen.metrics.privacy import pixel_vectors

    eval_dir = Path(eval_dir)
    metrics_path = eval_dir / "metrics.json"
    if not metrics_path.is_file():
        raise RadgenError("not an evaluation folder (no metrics.json)", eval_dir)
    metrics = json.loads(metrics_path.read_text())
    sets, memo = metrics["sets"], metrics["memorization"]
    size = int(metrics.get("size", 32))
    synth = load_image_set(sets["synthetic_source"], "all", size)
    real = load_image_set(sets["reference_source"], "train", size)
    flags: dict[int, list[str]] = {}
    matched: dict[int, tuple[int, str]] = {}  # synthetic index -> (training image, transform)
    for f in memo.get("flagged", []):
        flags.setdefault(f["index"], []).append(f"near-copy ({f['transform']})")
        matched[f["index"]] = (f["nearest_real"], f["transform"])
    for i in metrics["outliers"]["flagged_indices"]:
        flags.setdefault(i, []).append("outlier")
    rng = np.random.default_rng(0)
    rest = [i for i in rng.permutation(len(synth.images)) if i not in flags]
    chosen = (list(flags) + rest)[:max_items]
    d = pairwise_distances(pixel_vectors(synth.images[chosen]), pixel_vectors(real.images))
    nearest = np.argsort(d, axis=1)[:, :k]
    for row, i in enumerate(chosen):
        label = ""
        if synth.labels is not None and synth.class_names:
            label = synth.class_names[int(synth.labels[i])]
        neighbours = [
            {
                "image": _png(store, real.images[j], f"real/{eval_dir.name}_{j}.png", False),
                "index": int(j),
                "distance": round(float(d[row, j]), 4),
            }
            for j in nearest[row]
        ]
        if i in matched:  # the training image the audit matched, under its transform, first
            j, transform = matched[i]
            copy = {"image": _png(store, real.images[j], f"real/{eval_dir.name}_{j}.png", False),
                    "index": int(j), "distance": f"copy ({transform})"}  # fmt: skip
            neighbours = [copy, *[n for n in neighbours if n["index"] != j]][:k]
        payload = {
            "image": _png(store, synth.images[i], f"synthetic/{eval_dir.name}_{i}.png", True),
            "neighbours": neighbours,
            "index": int(i),
            "label": label,
        }
        title = f"synthetic #{i}" + (f" ({label})" if label else "")
        store.add_item("synthetic", title, payload, flags.get(i, []), str(eval_dir))
    return len(chosen)


def _slice(path: str | Path, index: int | None) -> tuple[np.ndarray, str]:
    from radgen.io import load_image

    image = load_image(path)
    arr = image.array
    if arr.ndim == 3:
        arr = arr[:, :, arr.shape[2] // 2 if index is None else index]
    return arr.T.astype(np.float32), image.modality or ""


def add_translation(
    store: ReviewStore,
    source: str | Path,
    output: str | Path,
    title: str | None = None,
    slice_index: int | None = None,
) -> int:
    """A translation or edit: source, output and their difference, as float arrays the page
    windows itself (window/level for CT in Hounsfield units)."""
    src, modality = _slice(source, slice_index)
    out, _ = _slice(output, slice_index)
    if modality in ("", "OT") and src.min() < -500 and src.max() > 200:
        modality = "CT"  # NIfTI carries no modality; Hounsfield units give CT away
    if src.shape != out.shape:
        raise RadgenError(f"source {src.shape} and output {out.shape} differ in shape")
    item_id_hint = len(store.items()) + 1
    names = {}
    for name, arr in (("source", src), ("output", out), ("difference", out - src)):
        path = _files(store, "arrays", f"{item_id_hint}_{name}.npy")
        np.save(path, arr)
        names[name] = str(path.relative_to(store.root))
    flags = ["CT"] if modality == "CT" else []
    diff = float(np.abs(out - src).mean())
    payload = {
        "arrays": names,
        "modality": modality,
        "mean_abs_difference": round(diff, 4),
        "source_path": str(source),
        "output_path": str(output),
    }
    return store.add_item("edit", title or Path(output).name, payload, flags, str(output))


def add_text(
    store: ReviewStore, source: str, generated: str | dict[str, Any], title: str, embedder=None
) -> int:
    """Generated text (impression, patient rewrite, structured report) with each statement's
    verdict from the grounding guard and the source sentence it rests on."""
    from radgen.text.grounding import GroundingGuard

    report = GroundingGuard(embedder).check(source, generated)
    flags = sorted({s.verdict for s in report.statements if s.verdict != "supported"})
    payload = {
        "source": source,
        "generated": generated if isinstance(generated, str) else json.dumps(generated, indent=1),
        **report.to_dict(),
    }
    return store.add_item("text", title, payload, flags)


def add_deid(store: ReviewStore, result, title: str) -> int:
    """De-identified text with where each replacement stands; the original is not stored."""
    spans = [
        {"start": s.start, "end": s.end, "category": s.category.value, "detector": s.source}
        for s in result.replaced
    ]
    flags = sorted({s["category"] for s in spans})
    return store.add_item("deid", title, {"text": str(result.text), "spans": spans}, flags)


EXAMPLE_REPORT = (
    "FINDINGS: Mildly enlarged heart. No pleural effusion. Left lower lobe atelectasis."
)
EXAMPLE_REWRITE = (
    "The heart is enlarged. There is a pleural effusion. Right lower lobe atelectasis."
)
EXAMPLE_PHI = (
    "Patient: KOWALCZYK, AGNIESZKA  MRN 47-318-902\nFINDINGS: Clear lungs.\n"
    "Signed: Dr. Ines Carvalho"
)


def example_project(root: str | Path) -> tuple[Path, str, Path]:
    """A project with one item of every queue, made from bundled data: an evaluation of 30
    real held-out images and 2 flipped training images (flagged near-copies), a simulated
    soft-kernel CT, a patient rewrite with a negation flip, a pseudonymised report. Returns
    (project, token, key store)."""
    from scipy.ndimage import gaussian_filter

    from radgen.data import bundled_asset, load_dataset
    from radgen.io import MedicalImage, load_image, write_nifti, write_npz_samples
    from radgen.metrics.evaluate import EvalConfig, evaluate
    from radgen.metrics.report import write_report
    from radgen.privacy.deid import Deidentifier
    from radgen.privacy.keystore import KeyStore

    root = Path(root)
    store = ReviewStore(root / "project", create=True)
    val = load_dataset("pneumoniamnist", split="val", size=32)
    train = load_dataset("pneumoniamnist", split="train", size=32)
    synth = np.concatenate([val.images[:30], train.images[:2, :, ::-1]])
    npz = write_npz_samples(
        root / "synthetic.npz", synth, np.zeros(len(synth), np.int64), overwrite=True
    )
    cfg = EvalConfig(synthetic=str(npz), labels=False, inception_n=0, out=str(root / "eval"))
    write_report(evaluate(cfg, progress=False), root / "eval")
    add_eval(store, root / "eval", max_items=6)
    sharp = bundled_asset("ct") / "lung1_crop_image.nii.gz"
    ct = load_image(sharp)
    soft = MedicalImage(gaussian_filter(ct.array, 1.0).astype(np.float32), ct.affine, "CT")
    write_nifti(soft, root / "soft.nii.gz", overwrite=True)
    add_translation(store, sharp, root / "soft.nii.gz", "lung CT: sharp to soft kernel")
    add_text(store, EXAMPLE_REPORT, EXAMPLE_REWRITE, "patient rewrite")
    keys = KeyStore(root / "keys.sqlite")
    add_deid(store, Deidentifier("pseudonymize", keys=keys).deidentify(EXAMPLE_PHI), "report 1")
    keys.close()
    token = store.reset_token()
    store.close()
    return root / "project", token, root / "keys.sqlite"
