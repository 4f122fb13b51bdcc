"""Image-to-image translation: pix2pix, CycleGAN, StarGAN-style and conditional diffusion."""
