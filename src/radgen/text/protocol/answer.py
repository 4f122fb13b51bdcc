"""The answer to one protocol question, as ``radgen text protocol`` gives it: the guidance
decides (``method='rules'``), or the model alone does (``method='llm'``, for comparison);
either way the safety check has the last word."""

from __future__ import annotations

from typing import TYPE_CHECKING

from radgen.errors import RadgenError
from radgen.text.protocol.advice import Advice, ProtocolAdvisor, private_request
from radgen.text.protocol.config import ProtocolConfig
from radgen.text.protocol.llm_path import llm_advice

if TYPE_CHECKING:
    from radgen.text.llm.base import LLMBackend
    from radgen.text.tasks.config import LLMOptions


def protocol_advice(
    config: ProtocolConfig,
    backend: LLMBackend | None = None,
    options: LLMOptions | None = None,
) -> Advice:
    """Advice for ``config.request``. ``backend`` (with its ``options``) is needed only for
    ``method='llm'`` or ``phrase``; a remote one sees the request de-identified."""
    advisor = ProtocolAdvisor(config.protocols, matcher=config.matcher, reader=config.reader)
    conditions = tuple(config.conditions)
    if config.method == "llm":
        if backend is None or options is None:
            raise RadgenError("method 'llm' needs a language model backend and its options")
        request = private_request(config.request, backend)
        return llm_advice(request, advisor, backend, options, conditions)
    if config.phrase and backend is None:
        raise RadgenError("phrase needs a language model backend to word the rationale")
    return advisor.advise(
        config.request, conditions, phrase_with=backend if config.phrase else None
    )
