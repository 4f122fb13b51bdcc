"""Translation models: shapes, a training step that lowers the loss, identity at start."""

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from radgen.errors import RadgenError
from radgen.image.translate.config import TranslateConfig
from radgen.image.translate.nets import PatchDiscriminator, UNetGenerator, pad_to_multiple
from radgen.image.translate.train import build_translation_task


def _pair_batch(n=4, size=32, seed=0):
    """Sharp-like noisy slices and their blurred ('soft') versions, aligned."""
    rng = np.random.default_rng(seed)
    sharp = rng.normal(0, 0.3, (n, size, size)) + gaussian_filter(
        rng.normal(0, 1, (n, size, size)), (0, 3, 3)
    )
    soft = np.stack([gaussian_filter(s, 1.5) for s in sharp])
    return torch.tensor(np.stack([sharp, soft], 1), dtype=torch.float32)


def _task(model, domains=("sharp", "soft"), **extra):
    st = model == "stargan"
    config = TranslateConfig(
        model=model, pairs=".", source=None if st else domains[0], target=None if st else domains[1],
        crop=32, width=8, depth=2, patch=1, steps=1, out="x", lr=2e-3, **extra,
    )  # fmt: skip
    return build_translation_task(
        config, domains, "hu", torch.zeros(1, len(domains), 32, 32), torch.device("cpu")
    )


@pytest.mark.parametrize("patch", [1, 2])
def test_generator_shapes_and_identity_start(patch):
    g = UNetGenerator(width=8, depth=3, num_domains=3, patch=patch)
    x = torch.randn(2, 1, 64, 48)
    y = g(x, torch.tensor([0, 2]))
    assert y.shape == x.shape
    assert torch.allclose(y, x)  # zero-initialised head: starts as the identity
    with pytest.raises(RadgenError, match="divide"):
        g(torch.randn(1, 1, 60, 64), torch.tensor([0]))
    d = PatchDiscriminator(2, 8, num_domains=3)
    scores = d(torch.randn(2, 2, 64, 64))
    assert scores.shape[:2] == (2, 1) and scores.shape[-1] > 1  # one score per patch
    assert d.domain_logits(torch.randn(2, 2, 64, 64)).shape == (2, 3)


def test_padding_restores_any_size():
    x = torch.randn(1, 1, 229, 193)
    padded, (h, w) = pad_to_multiple(x, 16)
    assert padded.shape[-2:] == (240, 208) and (h, w) == (229, 193)
    assert torch.equal(padded[..., :h, :w], x)


@pytest.mark.parametrize("model", ["pix2pix", "stargan", "diffusion"])
def test_training_lowers_the_paired_loss(model):
    torch.manual_seed(0)
    batch = _pair_batch()
    task = _task(model)
    key = "loss" if model == "diffusion" else "l1"
    losses = [task.train_step({"slices": batch})[key] for _ in range(30)]
    assert np.mean(losses[-5:]) < np.mean(losses[:5])


def test_trained_pix2pix_beats_identity():
    torch.manual_seed(0)
    batch = _pair_batch()
    task = _task("pix2pix")
    before = (task.translate(batch[:, :1], "soft") - batch[:, 1:2]).abs().mean()
    for _ in range(40):
        task.train_step({"slices": batch})
    after = (task.translate(batch[:, :1], "soft") - batch[:, 1:2]).abs().mean()
    assert after < 0.7 * before


def test_cyclegan_generator_step_lowers_its_objective():
    torch.manual_seed(0)
    batch = _pair_batch()
    task = _task("cyclegan")
    a, b = batch[:, :1], batch[torch.randperm(4), 1:2]
    for _ in range(3):  # move off the identity start, where the cycle term is zero
        task.train_step({"slices": batch})
    loss, _ = task.generator_objective(a, b)
    task.opt_g.zero_grad()
    loss.backward()
    task.opt_g.step()
    with torch.no_grad():
        after, _ = task.generator_objective(a, b)
    assert after < loss.detach()
    assert set(task.targets()) == {"sharp", "soft"}


def test_stargan_translates_into_each_domain_with_one_generator():
    task = _task("stargan", ("soft", "standard", "sharp"))
    x = torch.randn(2, 1, 32, 32)
    outs = {t: task.translate(x, t) for t in ("soft", "standard", "sharp")}
    assert all(o.shape == x.shape for o in outs.values())


def test_config_rejects_inconsistent_domains():
    with pytest.raises(ValueError, match="two different domains"):
        TranslateConfig(model="pix2pix", pairs=".", source="t1", target="t1", steps=1, out="x")
    with pytest.raises(ValueError, match="stargan"):
        TranslateConfig(model="stargan", pairs=".", source="t1", target="t2", steps=1, out="x")


def test_linear_path_learns_a_filter_the_unet_need_not():
    from radgen.image.translate.classical import fit_linear_filter, linear_filter

    batch = _pair_batch(n=6, size=48).numpy()
    kernel = fit_linear_filter(batch[:, 0], batch[:, 1], size=9, samples=6000)
    fitted = linear_filter(kernel)(batch[:, 0])
    identity_err = np.abs(batch[:, 0] - batch[:, 1]).mean()
    assert np.abs(fitted - batch[:, 1]).mean() < 0.2 * identity_err  # a blur is linear
    g = UNetGenerator(width=8, depth=2, linear_kernel=9)
    with torch.no_grad():
        g.linear.copy_(torch.as_tensor(kernel)[None, None])
        out = g(torch.as_tensor(batch[:, :1]))[:, 0].numpy()
    np.testing.assert_allclose(out, fitted, atol=1e-4)  # zero-initialised head: filter only
    with pytest.raises(RadgenError, match="odd"):
        UNetGenerator(width=8, depth=2, linear_kernel=8)
