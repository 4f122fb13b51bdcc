"""Image generative models (VAE, GAN, diffusion), the classifier, and their training tasks."""
