"""Protocol advice that follows its guidance: guidance as data, a parsed request, a
deterministic choice, and a safety check on every answer (whatever produced it)."""

from radgen.text.protocol.advice import Advice, advise
from radgen.text.protocol.answer import protocol_advice
from radgen.text.protocol.config import ProtocolConfig
from radgen.text.protocol.guidance import Entry, ExamSpec, load_guidance
from radgen.text.protocol.request import Facts, parse_request
from radgen.text.protocol.safety import safety_violations

__all__ = [
    "Advice",
    "Entry",
    "ExamSpec",
    "Facts",
    "ProtocolConfig",
    "advise",
    "load_guidance",
    "parse_request",
    "protocol_advice",
    "safety_violations",
]
