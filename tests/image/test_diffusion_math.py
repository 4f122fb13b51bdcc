"""The forward chain, the samplers and guidance checked against their definitions."""

import pytest
import torch

from radgen.image.diffusion.guidance import NoisyClassifier, cfg_combine, classifier_grad
from radgen.image.diffusion.pipeline import denoise
from radgen.image.diffusion.samplers import DDIMSampler, DDPMSampler
from radgen.image.diffusion.schedule import NoiseSchedule
from radgen.image.diffusion.unet import DiffusionUNet


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_closed_form_matches_the_iterated_chain(name):
    s = NoiseSchedule(name, 200)
    torch.manual_seed(0)
    x0 = torch.full((20000,), 0.7, dtype=torch.float64)
    x = x0.clone()
    for t in range(120):
        x = (1 - s.betas[t]).sqrt() * x + s.betas[t].sqrt() * torch.randn_like(x)
    ab = s.alphas_cumprod[119]
    assert x.mean().item() == pytest.approx((ab.sqrt() * 0.7).item(), abs=0.02)
    assert x.var().item() == pytest.approx((1 - ab).item(), rel=0.05)
    direct = s.q_sample(x0, torch.full((20000,), 119), torch.randn_like(x0))
    assert direct.mean().item() == pytest.approx(x.mean().item(), abs=0.03)
    assert direct.var().item() == pytest.approx(x.var().item(), rel=0.06)


@pytest.mark.parametrize("prediction", ["epsilon", "v"])
def test_parameterisations_invert(prediction):
    s = NoiseSchedule("cosine", 1000, prediction)
    x0, eps = torch.randn(4, 1, 8, 8), torch.randn(4, 1, 8, 8)
    t = torch.tensor([0, 10, 500, 999])
    x_t = s.q_sample(x0, t, eps)
    eps_hat, x0_hat = s.to_eps_x0(s.target(x0, t, eps), x_t, t)
    torch.testing.assert_close(eps_hat, eps, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(x0_hat[:3], x0[:3], atol=1e-3, rtol=1e-3)


def test_ddim_with_eta_one_matches_a_ddpm_step_in_distribution():
    s = NoiseSchedule("linear", 1000)
    ddpm, ddim = DDPMSampler(s), DDIMSampler(s, eta=1.0)
    n = 40000
    x0 = torch.full((n,), 0.3, dtype=torch.float64)
    eps = torch.full((n,), -0.5, dtype=torch.float64)
    t = 400
    x_t = s.q_sample(x0, torch.full((n,), t), eps)
    torch.manual_seed(1)
    a = ddpm.step(x0, eps, x_t, t, t - 1)
    torch.manual_seed(2)
    b = ddim.step(x0, eps, x_t, t, t - 1)
    assert a.mean().item() == pytest.approx(b.mean().item(), abs=2e-3)
    assert a.std().item() == pytest.approx(b.std().item(), rel=0.02)
    assert DDIMSampler(s, eta=0.0).step(x0, eps, x_t, t, t - 1).std().item() < 1e-9


def test_ddim_timesteps_take_any_count():
    s = NoiseSchedule("cosine", 1000)
    for n in (1, 25, 50, 1000):
        steps = DDIMSampler(s).timesteps(n)
        assert (len(steps) == n and steps[0] == 999 and steps[-1] == 0) or n == 1


def _tiny_unet(num_classes=2):
    torch.manual_seed(0)
    net = DiffusionUNet(
        width=8, mults=(1, 2), attention_levels=(False, True), num_classes=num_classes
    )
    for p in net.parameters():  # leave zero-initialised heads non-trivial
        torch.nn.init.normal_(p, std=0.1)
    return net.eval()


def test_cfg_scale_zero_is_unconditional_and_one_is_conditional():
    net, s = _tiny_unet(), NoiseSchedule("cosine", 100)
    noise = torch.randn(4, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 1, 0, 1])
    null = torch.full_like(y, 2)
    ddim = DDIMSampler(s)
    guided0 = denoise(net, s, ddim, noise, labels=y, num_steps=5, guidance_scale=0.0)
    uncond = denoise(net, s, ddim, noise, labels=null, num_steps=5, guidance_scale=1.0)
    cond = denoise(net, s, ddim, noise, labels=y, num_steps=5, guidance_scale=1.0)
    torch.testing.assert_close(guided0, uncond)
    assert not torch.allclose(cond, uncond)
    c, u = net(noise, torch.full((4,), 50), y), net(noise, torch.full((4,), 50), null)
    torch.testing.assert_close(cfg_combine(c, u, 1.0), c)
    torch.testing.assert_close(cfg_combine(c, u, 0.0), u)


def test_classifier_guidance_raises_the_target_log_probability():
    torch.manual_seed(0)
    clf = NoisyClassifier(2, width=8).eval()
    net, s = _tiny_unet(num_classes=0), NoiseSchedule("cosine", 100)
    noise = torch.randn(16, 1, 16, 16, generator=torch.Generator().manual_seed(3))
    target = torch.ones(16, dtype=torch.long)
    zero = torch.zeros(16, dtype=torch.long)

    def logp(x):
        return torch.log_softmax(clf(x, zero), 1)[:, 1].mean().item()

    ddim = DDIMSampler(s)
    plain = denoise(net, s, ddim, noise, num_steps=10)
    guided = denoise(
        net, s, ddim, noise, labels=target, num_steps=10, classifier=clf, classifier_scale=30.0
    )
    assert logp(guided) > logp(plain)
    grad = classifier_grad(clf, noise, zero, target)
    assert logp(noise + 1e-2 * grad) > logp(noise)
