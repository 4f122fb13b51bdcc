"""Findings and drafts for files: JSON, saliency figure and draft per image, all marked as
preliminary model output; optionally queued for expert review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from radgen.image.findings.draft import draft_report
from radgen.image.findings.model import FindingsModel, findings_json, write_json


def _saliency_figure(image: np.ndarray, cam: np.ndarray, path: Path, caption: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(4.4, 2.4))
    for ax in axes:
        ax.imshow(image, cmap="gray")
        ax.axis("off")
    axes[1].imshow(cam, cmap="jet", alpha=0.45)
    fig.suptitle(f"MODEL OUTPUT (Grad-CAM), preliminary: {caption}", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Description": "radgen model output: saliency map"})
    plt.close(fig)
    return path


def load_images(paths: list[Path], size: int) -> tuple[list[str], np.ndarray]:
    """Each input (PNG, DICOM, NIfTI slice) as a [0, 1] image at ``size``; one error line for
    anything that is not an image."""
    from radgen.data.geometry import resize
    from radgen.errors import RadgenError
    from radgen.io import load_image

    names, images = [], []
    for path in paths:
        img = load_image(path)
        arr = img.array.T if img.array.ndim == 2 else img.array[:, :, img.array.shape[2] // 2].T
        if arr.ndim != 2 or min(arr.shape) < 8:
            raise RadgenError(f"not a 2D image of at least 8x8 pixels (shape {arr.shape})", path)
        lo, hi = np.percentile(arr, [0.5, 99.5])
        names.append(path.name)
        images.append(np.clip((arr - lo) / max(hi - lo, 1e-8), 0, 1))
    return names, resize(np.stack(images).astype(np.float32), size)


def predict_images(
    paths: list[Path], run: Path, out: Path, overwrite: bool
) -> list[dict[str, Any]]:
    from radgen.io.paths import writable

    model = FindingsModel.load(run)
    names, images = load_images(paths, model.size)
    probs = model.probability(images)
    rows = []
    out.mkdir(parents=True, exist_ok=True)
    for name, image, p in zip(names, images, probs, strict=True):
        stem = Path(name).name.split(".")[0]
        findings = findings_json(model, float(p))
        write_json(findings, writable(out / f"{stem}.findings.json", overwrite))
        figure = writable(out / f"{stem}.saliency.png", overwrite)
        _saliency_figure(image, model.saliency(image), figure, f"{model.call(p)} (p={p:.2f})")
        rows.append(
            {"image": name, "call": model.call(p), "probability": float(p), "findings": findings}
        )
    return rows


VLM_PROMPT = (
    "You are drafting a preliminary chest X-ray report for a radiologist to check. Describe"
    " the findings and give an impression. Say when something cannot be assessed."
)


def vlm_draft(path: Path, backend) -> str:
    """A user's vision-language model's draft for one image (bring your own VLM): pixels go
    to a remote server only from a de-identified DICOM with no burned-in text."""
    from radgen.privacy.gate import trusted
    from radgen.privacy.images import local_image, remote_image

    image = remote_image(path) if backend.is_remote else local_image(path)
    return backend.describe_image(trusted(VLM_PROMPT), image)


def report_images(
    paths: list[Path],
    run: Path,
    out: Path,
    overwrite: bool,
    review: Path | None = None,
    vlm=None,
) -> list[dict[str, Any]]:
    from radgen.io.paths import writable

    rows = predict_images(paths, run, out, overwrite)
    store = None
    if review is not None:
        from radgen.review.store import ReviewStore

        store = ReviewStore(review, create=True)
    for row in rows:
        stem = Path(row["image"]).name.split(".")[0]
        draft = draft_report(row["findings"])
        path = writable(out / f"{stem}.draft.txt", overwrite)
        path.write_text(draft.text + "\n")
        record = {
            "fields": draft.fields,
            "verdicts": draft.verdicts,
            "preliminary": True,
            "machine_generated": True,
        }
        write_json(record, writable(out / f"{stem}.draft.json", overwrite))
        row["draft"] = str(path)
        if vlm is not None:
            text = vlm_draft(paths[rows.index(row)], vlm)
            vlm_path = writable(out / f"{stem}.vlm.txt", overwrite)
            vlm_path.write_text(
                "PRELIMINARY, MACHINE-GENERATED (vision-language model, not checked against the"
                f" findings model):\n{text}\n"
            )
            row["vlm"] = str(vlm_path)
            if store is not None:
                from radgen.review.add import add_text

                add_text(store, draft.source, text, f"VLM draft: {row['image']}")
        if store is not None:
            from radgen.review.add import add_text

            add_text(store, draft.source, draft.text, f"draft: {row['image']}")
    return rows
