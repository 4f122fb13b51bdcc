"""The privacy gate: text bound for a remote model must have passed de-identification."""

from __future__ import annotations

from collections.abc import Iterable

from radgen.errors import RadgenError
from radgen.privacy.deid import DeidentifiedText


class PrivacyError(RadgenError):
    """Raised instead of sending text that was not de-identified to a remote backend."""


def require_deidentified(texts: Iterable[str], backend: str) -> None:
    """Refuse unless every text is a :class:`DeidentifiedText` (made only by the de-identifier)."""
    for i, text in enumerate(texts):
        if not isinstance(text, DeidentifiedText):
            raise PrivacyError(
                f"refused to send text #{i} to remote backend '{backend}': it has not passed"
                " de-identification (run it through radgen.privacy.Deidentifier first)"
            )
