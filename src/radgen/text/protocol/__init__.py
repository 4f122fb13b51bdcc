"""Protocol advice that follows its guidance: guidance as data, a parsed request, a
deterministic choice, and a safety check on every answer (whatever produced it)."""

from radgen.text.protocol.advice import Advice, advise
from radgen.text.protocol.guidance import Entry, ExamSpec, load_guidance
from radgen.text.protocol.request import Facts, parse_request
from radgen.text.protocol.safety import safety_violations

__all__ = [
    "Advice",
    "Entry",
    "ExamSpec",
    "Facts",
    "advise",
    "load_guidance",
    "parse_request",
    "safety_violations",
]
