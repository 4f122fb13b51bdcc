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
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from radgen.errors import RadgenError
from radgen.privacy.audit import AuditLog
from radgen.privacy.gate import require_safe_messages
from radgen.text.llm.base import Message, check_fits


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpenAICompatibleBackend:
    """Chat completions over HTTP; JSON schemas go as ``response_format`` (json_schema)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        remote: bool | None = None,
        audit: AuditLog | None = None,
        timeout: float = 120.0,
        context_length: int = 8192,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model, self.api_key, self.timeout = model, api_key, timeout
        self.context_length = context_length
        self.is_remote = (not is_loopback(base_url)) if remote is None else remote
        self.name = f"openai-http:{urlparse(base_url).netloc}/{model}"
        self.audit = audit if audit is not None else (AuditLog() if self.is_remote else None)

    def _body(self, messages: list[Message], max_tokens: int) -> dict[str, Any]:
        if self.is_remote:
            require_safe_messages(messages, self.name)
        check_fits(self, messages, max_tokens)
        return {
            "model": self.model,
            "messages": [{"role": m["role"], "content": str(m["content"])} for m in messages],
            "max_tokens": max_tokens,
            "temperature": 0.0,
        }

    def _open(self, body: dict[str, Any]) -> Any:
        payload = json.dumps(body)
        endpoint = f"{self.base_url}/chat/completions"
        if self.is_remote and self.audit is not None:
            self.audit.record(self.name, endpoint, payload)
        request = urllib.request.Request(endpoint, data=payload.encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RadgenError(
                f"language-model server at {self.base_url} did not answer: {exc}"
            ) from exc

    def chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 256,
        json_schema: dict[str, Any] | None = None,
    ) -> str:
        body = self._body(messages, max_tokens)
        if json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": json_schema},
            }
        return self._content(body)

    def _content(self, body: dict) -> str:
        """Send one chat request and return the first choice's message content."""
        with self._open(body) as response:
            reply = json.loads(response.read())
        try:
            return reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise RadgenError(f"unexpected reply from {self.base_url}: {str(reply)[:200]}") from exc

    def describe_image(self, prompt: str, image: bytes, *, max_tokens: int = 300) -> str:
        """Ask a vision-language server about one image (OpenAI ``image_url`` content part with
        a base64 PNG). A remote server only gets a de-identified DICOM's pixels (see
        :func:`radgen.privacy.images.remote_image`) and radgen's own or de-identified text."""
        import base64

        if self.is_remote:
            from radgen.privacy.gate import PrivacyError, require_safe_messages
            from radgen.privacy.images import DeidentifiedImage

            require_safe_messages([{"role": "user", "content": prompt}], self.name)
            if not isinstance(image, DeidentifiedImage):
                raise PrivacyError(
                    f"refused to send an image to remote backend '{self.name}': only pixels"
                    " of a DICOM de-identified by radgen, with no burned-in text, may go"
                )
        url = "data:image/png;base64," + base64.b64encode(bytes(image)).decode()
        content = [{"type": "text", "text": str(prompt)},
                   {"type": "image_url", "image_url": {"url": url}}]  # fmt: skip
        body = {"model": self.model, "max_tokens": max_tokens, "temperature": 0.0,
                "messages": [{"role": "user", "content": content}]}  # fmt: skip
        return self._content(body)

    def generate(self, prompt: str, *, max_tokens: int = 256) -> str:
        return self.chat([{"role": "user", "content": prompt}], max_tokens=max_tokens)

    def stream(self, messages: list[Message], *, max_tokens: int = 256) -> Iterator[str]:
        """Server-sent events (``stream: true``), yielding the text deltas."""
        body = {**self._body(messages, max_tokens), "stream": True}
        with self._open(body) as response:
            for raw in response:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta

    def count_tokens(self, text: str) -> int:
        """An estimate (about 4 characters per token): servers differ in tokenizers."""
        return max(1, len(text) // 4)
