"""The privacy gate: what a remote model receives must be either radgen's own text or text
that has passed de-identification.

Messages carry their ``parts``: the prompt builder marks the text that ships with the package
(system prompts, instructions, few-shot examples, bundled guidance) as :class:`Trusted`, and
keeps the user's text (reports, requests, questions, their own documents) as it came. A remote
backend accepts a message only when every part is ``Trusted`` or a
:class:`~radgen.privacy.deid.DeidentifiedText`, and the parts make up the whole content.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from radgen.errors import RadgenError
from radgen.privacy.deid import DeidentifiedText

_MINT = object()


class PrivacyError(RadgenError):
    """Raised instead of sending text that was not de-identified to a remote backend."""


class Trusted(str):
    """Text written by radgen itself (prompts, instructions, bundled guidance), not by a user.
    Any edit yields a plain ``str`` again."""

    def __new__(cls, value: str, *, _token: object = None) -> Trusted:
        if _token is not _MINT:
            raise TypeError("Trusted text is made by radgen.privacy.gate.trusted only")
        return super().__new__(cls, value)

    def strip(self, chars: str | None = None) -> str:
        stripped = super().strip(chars)
        return stripped if chars is not None else Trusted(stripped, _token=_MINT)


def trusted(text: str) -> Trusted:
    """Mark text that ships with radgen (never user or patient text) as safe to send."""
    return Trusted(str(text), _token=_MINT)


def safe_part(part: str) -> bool:
    return isinstance(part, (Trusted, DeidentifiedText))


def require_deidentified(texts: Iterable[str], backend: str) -> None:
    """Refuse unless every text is a :class:`DeidentifiedText` (made only by the de-identifier)."""
    for i, text in enumerate(texts):
        if not isinstance(text, DeidentifiedText):
            raise PrivacyError(
                f"refused to send text #{i} to remote backend '{backend}': it has not passed"
                " de-identification (run it through radgen.privacy.Deidentifier first)"
            )


def require_safe_messages(messages: list[dict[str, Any]], backend: str) -> None:
    """Every message's parts are radgen's own text or de-identified text, and nothing else
    is in its content."""
    for i, m in enumerate(messages):
        parts = m.get("parts") or [m["content"]]
        if "".join(parts) != m["content"]:
            raise PrivacyError(f"message #{i} holds text outside its checked parts")
        for part in parts:
            if not safe_part(part):
                raise PrivacyError(
                    f"refused to send message #{i} ({m['role']}) to remote backend"
                    f" '{backend}': it holds text that has not passed de-identification"
                    f" ({part[:30]!r}...); run the input through radgen.privacy.Deidentifier"
                )
