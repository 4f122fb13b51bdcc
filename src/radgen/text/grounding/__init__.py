"""The grounding guard: flags generated statements the source does not support."""

from radgen.text.grounding.guard import GroundingGuard, GroundingReport, Statement, generated_text

__all__ = ["GroundingGuard", "GroundingReport", "Statement", "generated_text"]
