"""Editing real held-out PneumoniaMNIST images (the val split, never trained on) with a
class-conditional DDPM: DDIM inversion, SDEdit and DDIM class switch (normal <-> pneumonia),
and RePaint inpainting of a central square.

The class of each edit is judged by the reference classifier (a SmallCNN trained on real
train images, ``common.reference_classifier``), which guides nothing: the edits use
classifier-free guidance only. SSIM is to the source image; PSNR is on [0, 1].

The headline SDEdit is the command's defaults (inverted start with the source class,
strength 0.6, CFG 5: chosen by ``--part sdedit-tune`` on other val images); the original
SDEdit (random start, CFG 3) is printed beside it at five strengths. The first run's headline
(random start, 0.6, CFG 3, fixed in advance) is kept in the JSON as ``sdedit_first_run``.

``--part gan`` adds the GAN half to the same JSON: an unconditional GAN (trained here for
``--minutes`` unless ``--gan-run`` is given) inverts the held-out images (latent encoder, then
latent optimisation on pixels plus domain features, then pivotal tuning), and a latent
direction fitted on inverted *train* images moves each one toward the other class. The
headline direction strength (2 class gaps) was fixed before the first run.

    python benchmarks/bench_editing.py [--run RUN] [--n 200]
    python benchmarks/bench_editing.py --part gan [--gan-run RUN]

``--part sdedit-tune`` chooses SDEdit's start (random noise, or the image's own DDIM-inverted
noise), strength and guidance on *other* val images (disjoint from the 200 reported), by a
rule fixed in advance (the most flips among settings whose mean SSIM is at least 0.6), then
runs that setting once on the reported 200, beside the best random-start setting. The first
run's headline stays in the JSON as ``sdedit_first_run``.

    python benchmarks/bench_editing.py --part sdedit-tune --run RUN
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from common import RESULTS, reference_classifier, trained, write_result
from radgen.data import load_dataset
from radgen.image.classifier import predict_proba
from radgen.image.config import EditConfig
from radgen.image.diffusion.editing import ddim_invert, ddim_regenerate, repaint, sdedit
from radgen.image.train import load_trained, make_schedule
from radgen.metrics.distribution import frechet_distance
from radgen.metrics.diversity import ssim
from radgen.metrics.domain_encoder import bundled_domain_encoder

# sdedit-tune's grid (strength x guidance 3, 5, 8), fixed before its first run with "inverted"
SDEDIT_GRID = {"random": (0.5, 0.6, 0.7), "inverted": (0.5, 0.6, 0.7, 0.8)}
STRENGTHS = (0.4, 0.5, 0.6, 0.7, 0.8)
HEADLINE_DIRECTION = 2.0
GAN_IMAGES = 100
DIRECTIONS = (1.0, 2.0, 3.0)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 10 * np.log10(1.0 / max(mse, 1e-12))


def mean_psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([psnr(x, y) for x, y in zip(a, b, strict=True)]))


def to01(x: torch.Tensor) -> np.ndarray:
    return ((x[:, 0].cpu().numpy() + 1) / 2).astype(np.float32)


def judged(judge, images: np.ndarray, target: np.ndarray, sources: np.ndarray) -> dict:
    flips = float((predict_proba(judge, images).argmax(1) == target).mean())
    sims = [ssim(a, b) for a, b in zip(images, sources, strict=True)]
    return {"flip_rate": round(flips, 4), "ssim": round(float(np.mean(sims)), 4)}


GAN_KEYS = (
    "gan_inversion_psnr_db", "gan_inversion_psnr_db_without_tuning", "direction_flip_rate",
    "direction_ssim", "direction_strength_class_gaps", "direction_sweep",
    "direction_train_accuracy", "gan_run", "gan_images", "gan_note",
    "latent_encoder_training_seconds",
)  # fmt: skip
# the record of how the SDEdit defaults were chosen (their own runs), kept across reruns
HISTORY_KEYS = (
    "sdedit_first_run", "sdedit_tuning", "sdedit_random_start_held_out", "previous_ddpm_run",
)  # fmt: skip


def kept_from_previous() -> tuple[dict, dict]:
    """From the JSON already there (read once): the GAN part's numbers (its own run, not the
    DDPM's) and its seconds per image, and the record of the SDEdit tuning, so that rerunning
    the diffusion part does not erase them; None where the GAN part never ran."""
    path = RESULTS / "bench_editing.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    kept = {k: old.get(k) for k in GAN_KEYS}
    kept |= {k: old[k] for k in HISTORY_KEYS if k in old}
    if kept["gan_inversion_psnr_db"] is None:
        kept["gan_note"] = "run --part gan to add GAN inversion and latent directions"
    else:
        kept["gan_part_date"] = old.get("gan_part_date", old.get("date"))
    seconds = old.get("edit_seconds_per_image", {}).get("gan_invert_and_tune")
    return kept, ({} if seconds is None else {"gan_invert_and_tune": seconds})


def gan_part(args: argparse.Namespace) -> None:
    """GAN inversion and latent-direction edits, added to the diffusion part's JSON."""
    from radgen.image.gan_editing import invert, latent_direction, train_latent_encoder
    from radgen.metrics.domain_encoder import bundled_domain_encoder as encoder_of

    run = args.gan_run
    if run is None:
        run, _ = trained("gan", "editing_gan", args.minutes, conditional=False)
    _, task, _ = load_trained(run, "cpu")
    g = task.ema.shadow.eval()
    judge, _ = reference_classifier(32)
    features = encoder_of().module.eval()
    t0 = time.perf_counter()
    enc = train_latent_encoder(g, steps=600)
    encoder_seconds = time.perf_counter() - t0
    train = load_dataset("pneumoniamnist", split="train", size=32)
    val = load_dataset("pneumoniamnist", split="val", size=32)
    rng = np.random.default_rng(0)
    tr = rng.choice(len(train.images), size=300, replace=False)
    xt = torch.from_numpy(train.images[tr] * 2 - 1)[:, None]
    fit = invert(g, xt, enc, features, steps=100)
    direction = latent_direction(fit.latent, train.labels[tr])
    idx = rng.choice(len(val.images), size=min(args.n, len(val.images)), replace=False)
    idx = idx[:GAN_IMAGES]  # the first 100 of the diffusion part's 200 (CPU time)
    src01, labels = val.images[idx], val.labels[idx]
    x = torch.from_numpy(src01 * 2 - 1)[:, None]
    plain = invert(g, x, enc, features, steps=200)
    t0 = time.perf_counter()
    tuned = invert(g, x, enc, features, steps=200, finetune_steps=100)
    invert_seconds = (time.perf_counter() - t0) / len(x)
    psnr_plain = mean_psnr(to01(plain.reconstruction), src01)
    psnr_tuned = mean_psnr(to01(tuned.reconstruction), src01)
    print("GAN inversion PSNR", round(psnr_plain, 2), "tuned", round(psnr_tuned, 2))
    target = 1 - labels
    sign = torch.from_numpy(np.where(labels == 0, 1.0, -1.0)).float()[:, None]
    sweep = {}
    for k in DIRECTIONS:
        with torch.no_grad():
            step = sign * (k * direction.class_gap) * direction.vector  # toward the other class
            moved = tuned.generator(tuned.latent + step)
        sweep[str(k)] = judged(judge, to01(moved), target, src01)
        print("direction", k, sweep[str(k)])
    path = RESULTS / "bench_editing.json"
    result = json.loads(path.read_text()) if path.exists() else {}
    result.pop("machine", None), result.pop("date", None)
    result.update(
        {
            "gan_inversion_psnr_db": round(psnr_tuned, 2),
            "gan_inversion_psnr_db_without_tuning": round(psnr_plain, 2),
            "direction_flip_rate": sweep[str(HEADLINE_DIRECTION)]["flip_rate"],
            "direction_ssim": sweep[str(HEADLINE_DIRECTION)]["ssim"],
            "direction_strength_class_gaps": HEADLINE_DIRECTION,
            "direction_sweep": sweep,
            "direction_train_accuracy": round(direction.train_accuracy, 4),
            "gan_run": run,
            "gan_images": len(idx),
            "gan_note": "unconditional GAN; direction fitted on 300 inverted train images;"
            " inversion: latent encoder start, 200 latent steps (pixels + domain features),"
            " then 100 steps of pivotal tuning",
        }
    )
    result.setdefault("edit_seconds_per_image", {})["gan_invert_and_tune"] = round(
        invert_seconds, 4
    )
    result["latent_encoder_training_seconds"] = round(encoder_seconds, 1)
    result["gan_part_date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    write_result("bench_editing", result)


def sdedit_tune(args: argparse.Namespace) -> None:
    """Choose SDEdit settings on disjoint val images; report them once on the held-out 200."""
    train_cfg, task, _ = load_trained(args.run, "cpu")
    net, schedule = task.ema.shadow.eval(), make_schedule(train_cfg)
    judge, _ = reference_classifier(train_cfg.size)
    val = load_dataset("pneumoniamnist", split="val", size=train_cfg.size)
    rng = np.random.default_rng(0)
    held = rng.choice(len(val.images), size=min(args.n, len(val.images)), replace=False)
    tune = np.setdiff1d(np.arange(len(val.images)), held)[:150]

    def run(ids: np.ndarray, strength: float, guidance: float, start: str) -> dict:
        src01, labels = val.images[ids], val.labels[ids]
        x = torch.from_numpy(src01 * 2 - 1)[:, None]
        source = torch.from_numpy(labels).long()
        target = 1 - source
        gen = torch.Generator().manual_seed(0)
        t0 = time.perf_counter()
        out = sdedit(
            net, schedule, x, target, strength, args.steps, guidance, gen,
            start=start, source_labels=source if start == "inverted" else None,
        )  # fmt: skip
        seconds = (time.perf_counter() - t0) / len(ids)
        return {**judged(judge, to01(out), target.numpy(), src01), "seconds": round(seconds, 3)}

    grid = {}
    for start, strengths in SDEDIT_GRID.items():
        for strength in strengths:
            for guidance in (3.0, 5.0, 8.0):
                key = f"{start}/{strength}/{guidance}"
                grid[key] = run(tune, strength, guidance, start)
                print("tune", key, grid[key])
    ok = {k: v for k, v in grid.items() if v["ssim"] >= 0.6} or grid
    best = max(ok, key=lambda k: (ok[k]["flip_rate"], ok[k]["ssim"]))
    start, strength, guidance = best.split("/")
    final = run(held, float(strength), float(guidance), start)
    randoms = [k for k in ok if k.startswith("random/")] or [k for k in grid if "random/" in k]
    best_random = max(randoms, key=lambda k: (grid[k]["flip_rate"], grid[k]["ssim"]))
    _, r_strength, r_guidance = best_random.split("/")
    final_random = (
        final if best_random == best else run(held, float(r_strength), float(r_guidance), "random")
    )
    print("held out with", best, final, "| best random start", best_random, final_random)
    path = RESULTS / "bench_editing.json"
    result = json.loads(path.read_text())
    result.pop("machine", None), result.pop("date", None)
    result.setdefault(
        "sdedit_first_run",
        {
            "strength": result["sdedit_strength"],
            "guidance": 3.0,
            "flip_rate": result["sdedit_flip_rate"],
            "ssim": result["sdedit_ssim"],
        },
    )
    result.update(
        {
            "sdedit_flip_rate": final["flip_rate"],
            "sdedit_ssim": final["ssim"],
            "sdedit_start": start,
            "sdedit_strength": float(strength),
            "sdedit_guidance": float(guidance),
            "sdedit_random_start_held_out": {"setting": best_random, **final_random},
            "sdedit_tuning": {
                "images": f"{len(tune)} val images disjoint from the reported {len(held)}",
                "rule": "most flips among settings with mean SSIM >= 0.6 (either start)",
                "grid": grid,
                "chosen": best,
            },
        }
    )
    result.setdefault("edit_seconds_per_image", {})["sdedit_chosen"] = final["seconds"]
    write_result("bench_editing", result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["diffusion", "gan", "sdedit-tune"], default="diffusion")
    parser.add_argument("--gan-run", default=None, help="a trained unconditional gan run")
    parser.add_argument("--run", default=None, help="a trained conditional ddpm run")
    parser.add_argument("--minutes", type=float, default=10.0, help="training budget if no run")
    parser.add_argument("--n", type=int, default=200, help="held-out images")
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    torch.manual_seed(0)
    if args.part == "gan":
        gan_part(args)
        return
    if args.part == "sdedit-tune":
        if args.run is None:
            raise SystemExit("--part sdedit-tune needs --run (the run the first part used)")
        sdedit_tune(args)
        return
    run = args.run
    if run is None:
        run, _ = trained("ddpm", "editing_ddpm", args.minutes, conditional=True)
    train_cfg, task, _ = load_trained(run, "cpu")
    net, schedule = task.ema.shadow.eval(), make_schedule(train_cfg)
    judge, judge_acc = reference_classifier(train_cfg.size)
    val = load_dataset("pneumoniamnist", split="val", size=train_cfg.size)
    rng = np.random.default_rng(0)
    idx = rng.choice(len(val.images), size=min(args.n, len(val.images)), replace=False)
    src01, labels = val.images[idx], val.labels[idx]
    x = torch.from_numpy(src01 * 2 - 1)[:, None]
    y = torch.from_numpy(labels).long()
    target = 1 - y
    gen = torch.Generator().manual_seed(0)
    seconds: dict[str, float] = {}
    n = len(x)

    t0 = time.perf_counter()
    noise = ddim_invert(net, schedule, x, y, args.steps)
    recon = to01(ddim_regenerate(net, schedule, noise, y, args.steps, 1.0))
    seconds["ddim_inversion"] = (time.perf_counter() - t0) / n
    inversion_psnr = float(np.mean([psnr(a, b) for a, b in zip(recon, src01, strict=True)]))
    print("DDIM inversion PSNR", round(inversion_psnr, 2))

    t0 = time.perf_counter()
    switched = to01(ddim_regenerate(net, schedule, noise, target, args.steps, 3.0))
    seconds["ddim_switch"] = seconds["ddim_inversion"] + (time.perf_counter() - t0) / n
    switch = judged(judge, switched, target.numpy(), src01)
    print("DDIM switch", switch)

    # the headline: `radgen image edit --method sdedit` with its defaults, given the source
    default = EditConfig(run=run, input=".", out=".")
    t0 = time.perf_counter()
    out = sdedit(
        net, schedule, x, target, default.strength, args.steps, default.guidance_scale(), gen,
        start=default.start, source_labels=y,
    )  # fmt: skip
    seconds["sdedit"] = (time.perf_counter() - t0) / n
    headline = judged(judge, to01(out), target.numpy(), src01)
    print("SDEdit (command defaults)", headline)
    sweep = {}
    for s in STRENGTHS:  # the original SDEdit (random start, CFG 3) at each strength
        out = to01(sdedit(net, schedule, x, target, s, args.steps, 3.0, gen, start="random"))
        sweep[str(s)] = judged(judge, out, target.numpy(), src01)
        print("SDEdit random start", s, sweep[str(s)])
    control = judged(judge, src01, labels, src01)  # the judge on the unedited sources

    size = train_cfg.size
    mask = torch.zeros(1, 1, size, size)
    a, b = size // 4, size - size // 4
    mask[..., a:b, a:b] = 1  # the central half: heart, mediastinum, inner lungs
    t0 = time.perf_counter()
    filled = repaint(net, schedule, x, mask, y, args.steps, 5, 1.0, gen)
    seconds["inpaint"] = (time.perf_counter() - t0) / n
    filled01 = to01(filled)
    keep = mask[0, 0].numpy() == 0
    known_error = float(np.abs(filled.numpy()[:, 0][:, keep] - x.numpy()[:, 0][:, keep]).max())
    encoder = bundled_domain_encoder()
    rest = np.setdiff1d(np.arange(len(val.images)), idx)
    other = val.images[rest[: len(idx)]]  # untouched real images not in the edited set
    f_real, f_other, f_filled = encoder(src01), encoder(other), encoder(filled01)
    floor = frechet_distance(f_other, f_real)
    fid_filled = frechet_distance(f_other, f_filled)
    print("inpaint: known-region max error", known_error, "FID", fid_filled, "floor", floor)

    kept, gan_seconds = kept_from_previous()
    write_result(
        "bench_editing",
        {
            **kept,
            "ddim_inversion_psnr_db": round(inversion_psnr, 2),
            "sdedit_flip_rate": headline["flip_rate"],
            "sdedit_ssim": headline["ssim"],
            "sdedit_start": default.start,
            "sdedit_strength": default.strength,
            "sdedit_guidance": default.guidance_scale(),
            "sdedit_sweep": sweep,
            "sdedit_sweep_note": "random start, CFG 3 (the original SDEdit)",
            "ddim_switch_flip_rate": switch["flip_rate"],
            "ddim_switch_ssim": switch["ssim"],
            "inpaint_known_region_max_error": known_error,
            "inpaint_domain_fid": round(fid_filled, 4),
            "inpaint_real_floor_fid": round(floor, 4),
            "inpaint_domain_fid_ratio": round(fid_filled / max(floor, 1e-12), 3),
            "edit_seconds_per_image": {
                **{k: round(v, 4) for k, v in seconds.items()},
                **gan_seconds,
            },
            "judge_val_accuracy": round(judge_acc, 4),
            "judge_on_unedited_sources": control,
            "n_images": n,
            "steps": args.steps,
            "run": run,
            "note": "held-out val images; the judge is the reference classifier (not used for"
            " guidance); the SDEdit headline is the command's defaults, chosen by --part"
            " sdedit-tune on other val images; sdedit_first_run was fixed before the first run",
        },
    )


if __name__ == "__main__":
    main()
