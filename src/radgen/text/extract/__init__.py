"""Finding extraction from report text: a deterministic rule extractor and its schema."""

from radgen.text.extract.rules import RuleExtractor, report_labels
from radgen.text.extract.schema import Finding

__all__ = ["Finding", "RuleExtractor", "report_labels"]
