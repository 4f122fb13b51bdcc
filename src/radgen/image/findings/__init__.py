"""From an image to a preliminary report: a calibrated findings model, a draft constrained
to what it found, and (bring your own) vision-language models."""
