"""GAN editing: inversion lowers the reconstruction error (and pivotal tuning lowers it
further), a latent direction separates labelled latents and moves along its normal, and bad
input (a conditional generator, a wrong size, one class only) is one clear error."""

import numpy as np
import pytest
import torch

from radgen.errors import RadgenError
from radgen.image.gan import Generator
from radgen.image.gan_editing import invert, latent_direction, train_latent_encoder


@pytest.fixture(scope="module")
def generator():
    torch.manual_seed(0)
    return Generator(z_dim=16, width=16).eval()


def test_inversion_fits_a_generated_image_and_tuning_fits_better(generator):
    with torch.no_grad():
        target = generator(torch.randn(4, 16, generator=torch.Generator().manual_seed(1)))
    encoder = train_latent_encoder(generator, steps=30, batch_size=16)
    start = invert(generator, target, encoder, steps=0)
    fitted = invert(generator, target, encoder, steps=60, lr=0.05)
    tuned = invert(generator, target, encoder, steps=60, lr=0.05, finetune_steps=30)
    err = [float((r.reconstruction - target).pow(2).mean()) for r in (start, fitted, tuned)]
    assert err[1] < err[0] and err[2] < err[1], err
    assert tuned.generator is not generator  # the caller's generator is left as it was
    assert all(p.requires_grad for p in generator.parameters())


def test_a_latent_direction_separates_the_classes_and_moves_latents():
    rng = np.random.default_rng(0)
    labels = np.array([0] * 50 + [1] * 50)
    z = rng.normal(size=(100, 8))
    z[:, 0] += 3 * labels  # class 1 lies further along the first axis
    direction = latent_direction(torch.from_numpy(z).float(), labels)
    assert direction.train_accuracy > 0.95 and direction.class_gap > 2
    assert direction.vector[0] > 0.9
    moved = direction.move(torch.zeros(1, 8), 1.0)
    assert float(moved @ direction.vector) == pytest.approx(direction.class_gap, rel=1e-5)
    back = direction.move(moved, -1.0)
    torch.testing.assert_close(back, torch.zeros(1, 8), atol=1e-5, rtol=0)


def test_bad_input_is_one_clear_error(generator):
    with pytest.raises(RadgenError, match="unconditional"):
        invert(Generator(z_dim=16, width=16, num_classes=2), torch.zeros(1, 1, 32, 32))
    with pytest.raises(RadgenError, match="generator makes"):
        invert(generator, torch.zeros(1, 1, 64, 64), steps=1)
    with pytest.raises(RadgenError, match="both classes"):
        latent_direction(torch.zeros(4, 8), np.zeros(4, int))
