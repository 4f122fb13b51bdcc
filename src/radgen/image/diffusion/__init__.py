"""Denoising diffusion: noise schedules, a fast UNet, DDPM/DDIM samplers and guidance.

Model, schedule, sampler and loop are separate objects (as in diffusers): a sampler owns only
the math of one step, so DDPM and DDIM swap without touching the network.
"""
