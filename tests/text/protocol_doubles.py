"""Stand-ins for the learned entry matcher, for tests of the advisor's decisions."""

import numpy as np


class FixedMatcher:
    """Names one entry with a fixed cosine, every other entry ``others``, the nearest
    out-of-scope example ``none``; counts its calls."""

    def __init__(
        self, entry_id: str, cosine: float, others: float = 0.0, none: float = -1.0
    ) -> None:
        self.entry_id, self.cosine, self.others, self.none = entry_id, cosine, others, none
        self.calls = 0

    def similarities(self, request, entries):
        self.calls += 1
        return np.array([self.cosine if e.id == self.entry_id else self.others for e in entries])

    def none_similarity(self, request):
        return self.none


class Refuses:
    def similarities(self, request, entries):
        raise AssertionError("the learned matcher was consulted")

    none_similarity = similarities
