"""VAE, GAN and UNet shapes, conditioning and gradients; one step lowers nothing to NaN."""

import pytest
import torch

from radgen.image.diffusion.unet import DiffusionUNet
from radgen.image.gan import Discriminator, Generator, sample_diversity
from radgen.image.vae import ConvVAE, kl_divergence, reparameterize


def test_reparameterisation_gradient_reaches_mu_and_sigma():
    mu = torch.zeros(5, 3, requires_grad=True)
    logvar = torch.zeros(5, 3, requires_grad=True)
    torch.manual_seed(0)
    z = reparameterize(mu, logvar)
    (z**2).sum().backward()
    assert mu.grad is not None and mu.grad.abs().sum() > 0
    assert logvar.grad is not None and logvar.grad.abs().sum() > 0


def test_kl_is_zero_at_the_prior_and_positive_elsewhere():
    assert kl_divergence(torch.zeros(2, 4), torch.zeros(2, 4)).abs().max() == 0
    assert (kl_divergence(torch.ones(2, 4), torch.zeros(2, 4)) > 0).all()


def test_vae_shapes_sampling_and_interpolation():
    vae = ConvVAE(latent_dim=8, width=8, num_classes=2).eval()
    x = torch.rand(3, 1, 32, 32) * 2 - 1
    y = torch.tensor([0, 1, 1])
    recon, mu, logvar = vae(x, y)
    assert recon.shape == x.shape and mu.shape == logvar.shape == (3, 8)
    assert vae.sample(4, torch.tensor([0, 0, 1, 1])).shape == (4, 1, 32, 32)
    path = vae.interpolate(x[:1], x[1:2], steps=5, y=torch.tensor([1]))
    assert path.shape == (5, 1, 32, 32)


def test_conditional_generator_and_projection_discriminator():
    g, d = Generator(z_dim=16, width=16, num_classes=2), Discriminator(width=8, num_classes=2)
    z = torch.randn(4, 16)
    a = g(z, torch.tensor([0, 0, 0, 0]))
    b = g(z, torch.tensor([1, 1, 1, 1]))
    assert a.shape == (4, 1, 32, 32) and a.abs().max() <= 1
    assert not torch.allclose(a, b)  # the label changes the image
    out0, out1 = d(a, torch.zeros(4, dtype=torch.long)), d(a, torch.ones(4, dtype=torch.long))
    assert out0.shape == (4,) and not torch.allclose(out0, out1)
    with pytest.raises(ValueError, match="needs labels"):
        g(z)
    with pytest.raises(IndexError):
        g(z, torch.tensor([0, 1, 2, 0]))


def test_diversity_monitor_sees_collapse():
    varied = torch.rand(16, 1, 8, 8)
    collapsed = varied[:1].repeat(16, 1, 1, 1)
    assert sample_diversity(collapsed) == 0
    assert sample_diversity(varied) > 1


def test_unet_shapes_with_patch_and_conditioning():
    net = DiffusionUNet(
        width=8, mults=(1, 2), attention_levels=(False, True), num_classes=2, patch=2
    )
    x = torch.randn(2, 1, 32, 32)
    assert net(x, torch.tensor([1, 999]), torch.tensor([0, 2])).shape == x.shape
    cond = DiffusionUNet(width=8, mults=(1, 2), attention_levels=(False, False), cond_channels=1)
    assert cond(x, torch.tensor([3, 4]), cond=x).shape == x.shape
