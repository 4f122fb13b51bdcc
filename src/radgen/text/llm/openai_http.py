"""OpenAI-compatible HTTP backend (Ollama, vLLM, llama-server...), standard library only.

A server on a loopback address is local; any other host is remote, and a remote backend
sends only :class:`~radgen.privacy.deid.DeidentifiedText` and writes every call to the audit
log. ``remote=True`` forces the remote rules on a loopback server (used by the tests).
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from urllib.parse import urlparse

from radgen.errors import RadgenError
from radgen.privacy.audit import AuditLog
from radgen.privacy.gate import require_deidentified
from radgen.text.llm.base import Message


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpenAICompatibleBackend:
    """Chat completions over HTTP, with JSON-schema ``response_format`` when asked for."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        remote: bool | None = None,
        audit: AuditLog | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model, self.api_key, self.timeout = model, api_key, timeout
        self.is_remote = (not is_loopback(base_url)) if remote is None else remote
        self.name = f"openai-http:{urlparse(base_url).netloc}/{model}"
        self.audit = audit if audit is not None else (AuditLog() if self.is_remote else None)

    def chat(
        self, messages: list[Message], *, max_tokens: int = 256, response_format: dict | None = None
    ) -> str:
        if self.is_remote:
            require_deidentified([m["content"] for m in messages], self.name)
        body = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": str(m["content"])} for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0.0,
        }
        if response_format is not None:
            body["response_format"] = response_format
        payload = json.dumps(body)
        endpoint = f"{self.base_url}/chat/completions"
        if self.is_remote and self.audit is not None:
            self.audit.record(self.name, endpoint, payload)
        request = urllib.request.Request(endpoint, data=payload.encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RadgenError(
                f"language-model server at {self.base_url} did not answer: {exc}"
            ) from exc
        try:
            return reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise RadgenError(f"unexpected reply from {self.base_url}: {str(reply)[:200]}") from exc

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str:
        return self.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens)
