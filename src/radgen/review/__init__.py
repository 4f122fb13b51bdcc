"""Expert review: queues of generated outputs, a web page to accept, reject or edit them with
a reason, and an append-only decision log."""

from radgen.review.store import QUEUES, ReviewStore

__all__ = ["QUEUES", "ReviewStore"]
