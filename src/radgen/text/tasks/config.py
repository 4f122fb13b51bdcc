"""Options shared by every language task, one pydantic object for the CLI and the API, with
defaults read from a config file (``radgen.toml``) that CLI and API load alike."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from radgen.errors import RadgenError

Backend = Literal["llamacpp", "transformers", "openai"]
CONFIG_ENV = "RADGEN_CONFIG"


class LLMOptions(BaseModel):
    """Which model, served how, and how to prompt it.

    ``backend``: ``llamacpp`` (a GGUF in-process, the default), ``transformers`` (a Hugging
    Face model folder) or ``openai`` (any OpenAI-compatible server: Ollama, vLLM,
    llama-server, ``radgen models serve``, a vendor). The API key is read from the environment
    variable named by ``api_key_env``; it is never stored or printed.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    backend: Backend = Field("llamacpp", description="llamacpp, transformers or openai.")
    model: str = Field("qwen2.5-coder-0.5b", description="Registry name, .gguf, folder or id.")
    base_url: str | None = Field(None, description="openai: the server, e.g. http://host/v1.")
    api_key_env: str = Field("RADGEN_API_KEY", description="openai: env var with the key.")
    remote: bool | None = Field(
        None, description="openai: treat as remote (default: any non-loopback address)."
    )
    threads: int | None = Field(None, ge=1, description="llama.cpp threads (default: half).")
    context_length: int = Field(4096, ge=512, description="Context window in tokens.")
    examples: Literal["none", "fixed", "similar"] = Field(
        "fixed", description="Few-shot examples: none, the fixed ones, or the most similar."
    )
    n_examples: int = Field(2, ge=0, description="How many few-shot examples.")
    cot: bool = Field(False, description="Chain-of-thought (reasoning kept out of the output).")
    retries: int = Field(2, ge=0, le=5, description="Retries after invalid JSON.")
    max_tokens: int = Field(512, ge=16, description="Longest answer in tokens.")

    @classmethod
    def load(cls, **overrides: Any) -> LLMOptions:
        """Defaults from the config file's ``[llm]`` table, then ``overrides`` (None = unset)."""
        data = {**config_section("llm"), **{k: v for k, v in overrides.items() if v is not None}}
        try:
            return cls(**data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "llm"
            raise RadgenError(f"invalid language-model option {where}: {first['msg']}") from err


def config_path() -> Path | None:
    """$RADGEN_CONFIG, else ``radgen.toml`` in the working directory, else the user's
    ``~/.config/radgen/radgen.toml``; None when there is none."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        if not Path(env).is_file():
            raise RadgenError(f"{CONFIG_ENV} points to a missing file", env)
        return Path(env)
    for candidate in (Path("radgen.toml"), Path.home() / ".config" / "radgen" / "radgen.toml"):
        if candidate.is_file():
            return candidate
    return None


def config_section(name: str) -> dict[str, Any]:
    path = config_path()
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise RadgenError(f"not a valid TOML config: {err}", path) from err
    section = data.get(name, {})
    if not isinstance(section, dict):
        raise RadgenError(f"[{name}] must be a table", path)
    if "api_key" in section:
        raise RadgenError("keep API keys out of the config file: set api_key_env instead", path)
    return section
