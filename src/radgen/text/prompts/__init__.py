"""Versioned prompt files and the builder that assembles them into chat messages."""

from radgen.text.prompts.builder import (
    PromptSpec,
    available_prompts,
    build_messages,
    load_prompt,
    render,
)

__all__ = ["PromptSpec", "available_prompts", "build_messages", "load_prompt", "render"]
