"""Editing: DDIM inversion is reversible, SDEdit at strength 0 is the identity, inpainting keeps
the known region exactly, masks and sizes are checked, and `radgen image edit` writes files
marked synthetic. The model contract: every run samples through ``task.sample``."""

import numpy as np
import pytest
import torch
from pydantic import ValidationError
from torch import nn

from radgen.errors import RadgenError
from radgen.image.config import TrainConfig
from radgen.image.contract import SampleOptions
from radgen.image.diffusion.editing import (
    check_mask,
    ddim_invert,
    ddim_regenerate,
    repaint,
    sdedit,
)
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.edit import EditConfig, run_edit
from radgen.image.train import load_trained, train
from radgen.io import MedicalImage, is_synthetic, save_image


class PointMassDenoiser(nn.Module):
    """The exact v-prediction for data that is one image: DDIM with it is exact, so inversion
    and regeneration must reproduce that image up to float error."""

    def __init__(self, image: torch.Tensor, schedule: NoiseSchedule) -> None:
        super().__init__()
        self.image, self.num_classes = image, 2
        self.ab = schedule.alphas_cumprod.float()
        self.unused = nn.Parameter(torch.zeros(1))

    def forward(self, x, t, labels=None, cond=None):
        ab = self.ab[t].view(-1, 1, 1, 1)
        x0 = self.image.repeat(len(x) // len(self.image), 1, 1, 1)  # CFG doubles the batch
        eps = (x - ab.sqrt() * x0) / (1 - ab).sqrt()
        return ab.sqrt() * eps - (1 - ab).sqrt() * x0


@pytest.fixture
def setup():
    schedule = NoiseSchedule("cosine", 100, "v")
    image = torch.rand(2, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 1.6 - 0.8
    return PointMassDenoiser(image, schedule), schedule, image


def test_ddim_inversion_then_regeneration_is_the_identity(setup):
    model, schedule, image = setup
    labels = torch.tensor([0, 1])
    noise = ddim_invert(model, schedule, image, labels, num_steps=20)
    assert (noise - image).abs().mean() > 0.3  # the latent is not the image
    back = ddim_regenerate(model, schedule, noise, labels, num_steps=20)
    torch.testing.assert_close(back, image, atol=1e-4, rtol=0)


def test_sdedit_at_strength_zero_returns_the_input_and_rejects_bad_strength(setup):
    model, schedule, image = setup
    labels = torch.tensor([1, 1])
    assert torch.equal(sdedit(model, schedule, image, labels, 0.0), image)
    out = sdedit(model, schedule, image, labels, 0.5, 10, generator=torch.Generator())
    assert out.shape == image.shape and out.abs().max() <= 1
    with pytest.raises(RadgenError, match="strength"):
        sdedit(model, schedule, image, labels, 1.5)


def test_inverted_sdedit_returns_the_image_with_its_own_class_and_rejects_bad_start(setup):
    model, schedule, image = setup
    labels = torch.tensor([0, 1])
    out = sdedit(
        model, schedule, image, labels, 0.6, 20, 1.0, start="inverted", source_labels=labels
    )
    torch.testing.assert_close(out, image, atol=1e-4, rtol=0)
    with pytest.raises(RadgenError, match="start"):
        sdedit(model, schedule, image, labels, 0.5, 10, start="inverse")


class ConvDenoiser(nn.Module):
    """An untrained network whose output depends on its input noise (unlike the point mass)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.num_classes = 2
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x, t, labels=None, cond=None):
        return self.conv(x) * 0.5


def test_inverted_sdedit_starts_from_the_image_not_from_random_noise():
    model, schedule = ConvDenoiser(), NoiseSchedule("cosine", 100, "v")
    image = torch.rand(2, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = torch.tensor([1, 0])

    def edit(start: str, seed: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed)
        return sdedit(model, schedule, image, labels, 0.5, 10, 3.0, gen, start=start)

    assert not torch.allclose(edit("random", 0), edit("random", 1))
    torch.testing.assert_close(edit("inverted", 0), edit("inverted", 1), atol=0, rtol=0)
    # the partial inversion stops at the start step: the latent there is not the full noise
    first = 44  # DDIM steps 99, 88, .., 0: the first at or below strength 0.5 (t = 50)
    partial = ddim_invert(model, schedule, image, None, 10, stop_t=first)
    full = ddim_invert(model, schedule, image, None, 10)
    assert not torch.allclose(partial, full)


def test_inpainting_keeps_the_known_region_exactly(setup):
    model, schedule, image = setup
    mask = torch.zeros(1, 1, 16, 16)
    mask[..., 4:12, 4:12] = 1
    gen = torch.Generator().manual_seed(1)
    out = repaint(model, schedule, image, mask, num_steps=8, resample=2, generator=gen)
    keep = mask.expand_as(image) == 0
    assert torch.equal(out[keep], image[keep])


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (torch.ones(1, 1, 8, 8), "does not match"),
        (torch.full((1, 1, 16, 16), 0.5), "binary"),
        (torch.zeros(1, 1, 16, 16), "empty"),
        (torch.ones(3, 1, 16, 16), "one per image"),
    ],
)
def test_bad_masks_give_one_clear_error(mask, message):
    with pytest.raises(RadgenError, match=message):
        check_mask(mask, torch.zeros(2, 1, 16, 16))


def test_gan_and_vae_refuse_a_size_they_cannot_make(tmp_path):
    with pytest.raises(ValidationError, match="built for 32x32"):
        TrainConfig(model="gan", size=64, steps=1, out=str(tmp_path))
    TrainConfig(model="ddpm", size=64, steps=1, out=str(tmp_path))  # ddpm can


@pytest.fixture(scope="module")
def tiny_ddpm(tmp_path_factory):
    root = tmp_path_factory.mktemp("edit")
    cfg = TrainConfig(
        model="ddpm",
        conditional=True,
        steps=2,
        batch_size=8,
        width=8,
        device="cpu",
        diffusion={"mults": (1, 2), "timesteps": 50},
        out=str(root / "run"),
    )
    train(cfg, progress=False)
    from radgen.data.registry import load_dataset

    images = load_dataset("pneumoniamnist", split="val").images[:2]
    inputs = root / "inputs"
    inputs.mkdir()
    for i, img in enumerate(images):
        save_image(MedicalImage(img.T.copy()), inputs / f"xray{i}.png", synthetic=False)
    mask = np.zeros((28, 28), np.float32)
    mask[8:20, 8:20] = 1
    save_image(MedicalImage(mask.T.copy()), root / "mask.png", synthetic=False)
    return root


@pytest.mark.parametrize("method", ["sdedit", "ddim-switch", "inpaint"])
def test_edit_command_writes_marked_outputs_and_a_figure(tiny_ddpm, method):
    out = tiny_ddpm / f"out_{method}"
    config = EditConfig(
        run=str(tiny_ddpm / "run"),
        input=str(tiny_ddpm / "inputs"),
        method=method,
        target="pneumonia" if method != "inpaint" else None,
        source="normal" if method == "ddim-switch" else None,
        mask=str(tiny_ddpm / "mask.png") if method == "inpaint" else None,
        steps=3,
        resample=1,
        out=str(out),
    )
    run_edit(config, progress=False)
    edited = sorted(out.glob("*_edited.png"))
    assert len(edited) == 2 and all(is_synthetic(p) for p in edited)
    assert len(list(out.glob("*_before_after_diff.png"))) == 2
    rows = (out / "edits.csv").read_text().splitlines()
    assert len(rows) == 3 and method in rows[1]
    if method == "ddim-switch":
        assert "inversion_psnr_db" in rows[0]


def test_edit_errors_are_clear(tiny_ddpm, tmp_path):
    base = {"run": str(tiny_ddpm / "run"), "input": str(tiny_ddpm / "inputs"), "out": str(tmp_path)}
    with pytest.raises(RadgenError, match="needs --target"):
        run_edit(EditConfig(**base, method="sdedit"), progress=False)
    with pytest.raises(RadgenError, match="needs --mask"):
        run_edit(EditConfig(**base, method="inpaint"), progress=False)
    with pytest.raises(RadgenError, match="unknown target"):
        run_edit(EditConfig(**base, target="fracture"), progress=False)
    with pytest.raises(RadgenError, match="input not found"):
        run_edit(EditConfig(**{**base, "input": str(tmp_path / "no")}, target="1"), progress=False)


def test_every_run_samples_through_the_contract_and_classifiers_refuse(tiny_ddpm, tmp_path):
    _, task, _ = load_trained(str(tiny_ddpm / "run"), "cpu")
    x = task.sample(2, torch.tensor([0, 1]), torch.Generator(), SampleOptions(steps=2))
    assert x.shape == (2, 1, 32, 32)
    z = task.encode(x, torch.tensor([0, 1]), SampleOptions(steps=2))
    assert z.shape == x.shape
    cfg = TrainConfig(model="classifier", steps=1, batch_size=8, device="cpu", out=str(tmp_path))
    train(cfg, progress=False)
    _, clf, _ = load_trained(str(tmp_path), "cpu")
    with pytest.raises(RadgenError, match="cannot draw images"):
        clf.sample(1, None, torch.Generator())


def test_cli_edit_wires_the_config_and_reports_bad_input_in_one_line(tiny_ddpm, cli):
    out = tiny_ddpm / "cli_out"
    rc, stdout, _ = cli(
        "image", "edit", "--run", str(tiny_ddpm / "run"), "--input", str(tiny_ddpm / "inputs"),
        "--method", "inpaint", "--mask", str(tiny_ddpm / "mask.png"), "--steps", "2",
        "--resample", "1", "--out", str(out),
    )  # fmt: skip
    assert rc == 0 and "edits.csv" in stdout
    rc, _, err = cli(
        "image", "edit", "--run", str(tiny_ddpm / "run"), "--input", str(tiny_ddpm / "inputs"),
        "--method", "warp", "--out", str(out),
    )  # fmt: skip
    assert rc != 0 and "method" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("method", ["gan-invert", "gan-direction"])
def test_gan_edits_write_marked_outputs(tiny_ddpm, method):
    gan = tiny_ddpm / "gan"
    if not (gan / "metrics.json").exists():
        cfg = TrainConfig(model="gan", steps=2, batch_size=8, width=16, device="cpu", out=str(gan))
        train(cfg, progress=False)
    out = tiny_ddpm / f"out_{method}"
    config = EditConfig(
        run=str(gan),
        input=str(tiny_ddpm / "inputs"),
        method=method,
        target="pneumonia" if method == "gan-direction" else None,
        strength=1.0,
        gan_steps=3,
        out=str(out),
    )
    run_edit(config, progress=False)
    edited = sorted(out.glob("*_edited.png"))
    assert len(edited) == 2 and all(is_synthetic(p) for p in edited)
    assert "inversion_psnr_db" in (out / "edits.csv").read_text().splitlines()[0]
    with pytest.raises(RadgenError, match="needs a ddpm run"):
        run_edit(config.model_copy(update={"method": "sdedit", "target": "1"}), progress=False)
