"""radgen: local, privacy-first generative AI for radiology."""

__version__ = "0.1.0"
