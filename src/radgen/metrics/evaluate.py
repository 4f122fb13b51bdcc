"""``radgen image eval``: one command that says whether a synthetic set is faithful, diverse,
useful and not a copy of patients, each number printed beside its real-vs-real floor."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from radgen.data import ImageDataset, load_dataset, resize
from radgen.data.registry import DATASETS
from radgen.errors import RadgenError
from radgen.io import read_npz_splits
from radgen.metrics.config import EvalConfig
from radgen.metrics.distribution import frechet_distance, kernel_inception_distance, prdc
from radgen.metrics.diversity import ms_ssim_diversity
from radgen.metrics.domain_encoder import bundled_domain_encoder, train_domain_encoder
from radgen.metrics.encoders import TorchScriptEncoder, inception_encoder
from radgen.metrics.privacy import BLIND_SPOTS, memorization_audit, outlier_flags
from radgen.metrics.utility import tstr


def load_image_set(source: str, split: str, size: int) -> ImageDataset:
    """A registered dataset's split, an ``.npz`` (radgen samples or MedMNIST) or a folder."""
    if source in DATASETS and source != "folder":
        return load_dataset(source, split=split, size=size)
    path = Path(source)
    if path.suffix == ".npz":
        splits = read_npz_splits(path)
        key = split if split in splits else "all" if "all" in splits else None
        if key is None:
            raise RadgenError(f"no '{split}' images; the file has {sorted(splits)}", path)
        images, labels = splits[key]
        x = images.astype(np.float32)
        x = x / 255.0 if x.max() > 1.0 else x
        names = _class_names(path, labels)
        label_ids = None if labels is None else labels.astype(np.int64)
        return ImageDataset(path.stem, resize(x, size), label_ids, names)
    return load_dataset("folder", path=path, size=size)


def _class_names(path: Path, labels: np.ndarray | None) -> tuple[str, ...]:
    with np.load(path, allow_pickle=False) as data:
        if "class_names" in data.files:
            return tuple(str(n) for n in data["class_names"])
    return () if labels is None else tuple(str(i) for i in range(int(labels.max()) + 1))


def _image_hashes(images: np.ndarray) -> list[str]:
    """Content hashes of images as compared (8-bit), to find the same image in two sets."""
    q = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    return [hashlib.sha1(im.tobytes()).hexdigest() for im in q]


def _subset(data: ImageDataset, idx: np.ndarray) -> ImageDataset:
    labels = None if data.labels is None else data.labels[idx]
    return ImageDataset(data.name, data.images[idx], labels, data.class_names, meta=data.meta)


def reference_and_holdout(config: EvalConfig) -> tuple[ImageDataset, ImageDataset, dict[str, Any]]:
    """The real reference set, the held-out real set, and how they were obtained.

    A held-out set given with ``--holdout`` must not share an image with the reference
    (checked by content hash). Without one, a registered dataset's or an ``.npz`` file's val
    split is used (images identical to reference images dropped); a folder, or an ``.npz``
    without a val split, is split deterministically (``seed``): 20% held out.
    """
    real = load_image_set(config.real, "train", config.size)
    sets: dict[str, Any] = {"reference_source": config.real, "seed": config.seed}
    real_hashes = set(_image_hashes(real.images))
    if config.holdout:
        holdout = load_image_set(config.holdout, "val", config.size)
        shared = sum(h in real_hashes for h in _image_hashes(holdout.images))
        if shared:
            raise RadgenError(
                f"the held-out set shares {shared} of its {len(holdout)} images with the"
                " reference set; a held-out set must hold images the reference does not"
                " (near-copy thresholds calibrated on shared images catch nothing)",
                config.holdout,
            )
        sets |= {"holdout_source": config.holdout, "holdout_how": "given with --holdout"}
        return real, holdout, sets | {"n_reference": len(real), "n_holdout": len(holdout)}
    try:
        holdout = load_image_set(config.real, "val", config.size)
        has_val = config.real != "folder" and not Path(config.real).is_dir()
    except RadgenError:
        has_val = False
    if has_val:
        keep = np.array([h not in real_hashes for h in _image_hashes(holdout.images)])
        holdout = _subset(holdout, np.flatnonzero(keep))
        sets |= {
            "holdout_source": f"{config.real} (val split)",
            "holdout_how": "the val split",
            "holdout_duplicates_dropped": int((~keep).sum()),
        }
        return real, holdout, sets | {"n_reference": len(real), "n_holdout": len(holdout)}
    n = len(real)
    n_hold = int(np.clip(round(0.2 * n), min(10, n // 2), 1000))
    perm = np.random.default_rng(config.seed).permutation(n)
    hold_idx, ref_idx = np.sort(perm[:n_hold]), np.sort(perm[n_hold:])
    hashes = _image_hashes(real.images)
    ref_hashes = {hashes[i] for i in ref_idx}
    hold_idx = np.array([i for i in hold_idx if hashes[i] not in ref_hashes], np.int64)
    sets |= {
        "holdout_source": f"{config.real} (split)",
        "holdout_how": f"{len(hold_idx)} of {n} images split off --real (seed {config.seed});"
        " the audit searches all of them, and calibrates held-out against the rest",
        "holdout_duplicates_dropped": int(n_hold - len(hold_idx)),
        "holdout_in_reference": True,
        "_holdout_index": hold_idx,
    }
    reference = _subset(real, ref_idx)
    holdout = _subset(real, hold_idx)
    sets["_search"] = real  # copies of any training image count, held-out part included
    return reference, holdout, sets | {"n_reference": len(reference), "n_holdout": len(holdout)}


def fid_ratio(fid: float, floor: float) -> float:
    """FID in units of the real-vs-real floor: comparable across classes and sizes, whose
    floors differ (a class with few images has a higher floor)."""
    return float(fid / max(floor, 1e-12))


def weakest_class(per_class: dict[str, dict[str, Any]]) -> str | None:
    """The class whose samples lie furthest from real ones, by FID ratio to its floor."""
    if not per_class:
        return None
    return max(per_class, key=lambda name: per_class[name]["fid_ratio"])


def _distribution_block(
    real_a: np.ndarray, real_b: np.ndarray, fake: np.ndarray, k: int = 5
) -> dict[str, Any]:
    """FID, KID and PRDC of fake vs real_a, with real_b vs real_a as the floor."""
    kid, kid_std = kernel_inception_distance(real_a, fake)
    kid_f, kid_f_std = kernel_inception_distance(real_a, real_b)
    fid, floor = frechet_distance(real_a, fake), frechet_distance(real_a, real_b)
    return {
        "n": len(fake),
        "fid": fid,
        "fid_real_floor": floor,
        "fid_ratio": fid_ratio(fid, floor),
        "kid": kid,
        "kid_std": kid_std,
        "kid_real_floor": kid_f,
        "kid_real_floor_std": kid_f_std,
        **prdc(real_a, fake, k),
        **{f"{key}_real_floor": v for key, v in prdc(real_a, real_b, k).items()},
    }


def evaluate(config: EvalConfig, progress: bool = True) -> dict[str, Any]:
    """Every metric of the report, as a JSON-ready dict (arrays kept under ``_arrays``)."""
    start = time.perf_counter()
    real, holdout, sets = reference_and_holdout(config)
    synth = load_image_set(config.synthetic, "all", config.size)
    sets |= {"synthetic_source": config.synthetic, "n_synthetic": len(synth)}
    rng = np.random.default_rng(config.seed)
    encoder = _encoder(config, real)
    f_real, f_hold, f_synth = encoder(real.images), encoder(holdout.images), encoder(synth.images)

    n = min(len(synth), len(real) // 2, config.max_n)
    perm = rng.permutation(len(real))
    a, b = perm[:n], perm[n : 2 * n]
    s = rng.permutation(len(synth))[:n]
    result: dict[str, Any] = {
        "sets": {k: v for k, v in sets.items() if not k.startswith("_")},
        "size": config.size,
        "feature_space": encoder.name,
        "n_real_train": len(real),
        "n_holdout": len(holdout),
        "n_synthetic": len(synth),
        "domain": _distribution_block(f_real[a], f_real[b], f_synth[s]),
        "ms_ssim_diversity": ms_ssim_diversity(synth.images, seed=config.seed),
        "ms_ssim_diversity_real_floor": ms_ssim_diversity(real.images, seed=config.seed),
    }
    labelled = config.labels and real.labels is not None and synth.labels is not None
    if labelled:
        result["per_class"] = {}
        for c, name in enumerate(real.class_names):
            rc, sc = np.flatnonzero(real.labels == c), np.flatnonzero(synth.labels == c)
            m = min(len(sc), len(rc) // 2, config.max_n)
            if m < 10:
                continue
            rc = rng.permutation(rc)
            result["per_class"][name] = _distribution_block(
                f_real[rc[:m]], f_real[rc[m : 2 * m]], f_synth[rng.permutation(sc)[:m]]
            )
        result["weakest_class"] = weakest_class(result["per_class"])
        result["tstr"] = tstr(
            (real.images, real.labels),
            (synth.images, synth.labels),
            (holdout.images, holdout.labels),
            real.num_classes,
            steps=config.tstr_steps,
            seed=config.seed,
        )
    if config.inception_n:
        t0 = time.perf_counter()
        k = min(config.inception_n, n)
        inception = inception_encoder()
        fa, fb = inception(real.images[a[:k]], progress), inception(real.images[b[:k]], progress)
        fs = inception(synth.images[s[:k]], progress)
        result["inception"] = {
            "n": k,
            "fid": frechet_distance(fa, fs),
            "fid_real_floor": frechet_distance(fa, fb),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    search, in_search = real, None
    if "_search" in sets:  # a split folder: search every training image, calibrate held-out
        search = sets["_search"]  # against the rest
        in_search = np.zeros(len(search), bool)
        in_search[sets["_holdout_index"]] = True
    f_search = f_real if search is real else encoder(search.images)
    memo = memorization_audit(
        f_search,
        f_hold,
        f_synth,
        search.images,
        holdout.images,
        synth.images,
        holdout_in_train=in_search,
    )
    outliers = outlier_flags(f_real, f_hold, f_synth)
    result["memorization"] = {
        "threshold": memo["threshold"],
        "pixel_threshold": memo["pixel_threshold"],
        "memorized_fraction": memo["memorized_fraction"],
        "n_flagged": int(memo["flagged"].sum()),
        "nn_ssim_median": float(np.median(memo["nn_ssim"])),
        "nn_ssim_max": float(np.max(memo["nn_ssim"])),
        "holdout_nn_distance_median": memo["holdout_nn_distance_median"],
        "synthetic_nn_distance_median": float(np.median(memo["nn_distance"])),
        "synthetic_nn_pixel_rmse_median": float(np.median(memo["nn_pixel_rmse"])),
        "holdout_flagged_fraction": memo["holdout_flagged_fraction"],
        "aligned_threshold": memo["aligned_threshold"],
        "flagged_by": memo["flagged_by"],
        "flagged": [
            {
                "index": int(i),
                "nearest_real": int(memo["nn_index"][i]),
                "transform": memo["transform"][i],
            }
            for i in np.flatnonzero(memo["flagged"])
        ],
        "searched": f"{len(search)} training images ({sets['reference_source']})",
        "blind_spots": BLIND_SPOTS,
    }
    result["outliers"] = {
        "threshold": outliers["threshold"],
        "outlier_fraction": outliers["outlier_fraction"],
        "flagged_indices": np.flatnonzero(outliers["flagged"]).tolist(),
    }
    result["seconds"] = round(time.perf_counter() - start, 1)
    result["_arrays"] = {
        "real": search,
        "synth": synth,
        "memo": memo,
        "outliers": outliers,
        "f_real": f_real[a],
        "f_synth": f_synth[s],
        "f_floor": f_real[b],
    }
    return result


def _encoder(config: EvalConfig, real: ImageDataset) -> TorchScriptEncoder:
    if config.encoder:
        return TorchScriptEncoder(config.encoder, input_size=config.size)
    if config.real == "pneumoniamnist":
        return bundled_domain_encoder()
    path = Path(config.out) / "domain_encoder.pt"
    if not path.exists():
        train_domain_encoder(real, path)
    return TorchScriptEncoder(path, name="radgen-domain (trained on --real)")
