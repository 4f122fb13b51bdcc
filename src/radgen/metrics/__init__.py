"""Synthetic-image evaluation: metrics are functions of features or arrays, never of models."""
