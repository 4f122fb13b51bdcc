"""One place that turns :class:`~radgen.text.tasks.config.LLMOptions` into a backend, so the
CLI, the API and batch jobs choose a backend the same way."""

from __future__ import annotations

import os

from radgen.errors import RadgenError
from radgen.text.llm.base import LLMBackend
from radgen.text.tasks.config import LLMOptions


def make_backend(options: LLMOptions) -> LLMBackend:
    """The backend ``options`` describe; errors say what is missing."""
    if options.backend == "llamacpp":
        from radgen.text.llm.llamacpp import LlamaCppBackend

        return LlamaCppBackend(
            options.model, context_length=options.context_length, threads=options.threads
        )
    if options.backend == "transformers":
        from radgen.text.llm.transformers_hf import TransformersBackend

        return TransformersBackend(options.model)
    if options.backend == "openai":
        from radgen.text.llm.openai_http import OpenAICompatibleBackend

        if not options.base_url:
            raise RadgenError(
                "the openai backend needs --base-url (for example http://127.0.0.1:8080/v1)"
            )
        return OpenAICompatibleBackend(
            options.base_url,
            options.model,
            api_key=os.environ.get(options.api_key_env) or None,
            remote=options.remote,
            context_length=options.context_length,
        )
    raise RadgenError(
        f"unknown backend '{options.backend}'; choose llamacpp, transformers or openai"
    )
