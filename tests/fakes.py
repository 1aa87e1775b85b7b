"""Stand-ins shared by the tests."""

from __future__ import annotations


class FixedModel:
    """A routing model with one fixed answer, to pin routing in a test.

    Its labels are agency codes (an older agency model's, so routing takes them as
    they are) unless ``target="category"``. ``FixedModel.routing_to("DLH", 0.99)``
    predicts one agency with that probability.
    """

    def __init__(self, top, *, target: str = "agency", version: str = "fixed") -> None:
        self.top = [(label, float(score)) for label, score in top]
        self.labels = tuple(label for label, _ in self.top)
        self.target, self.version = target, version

    @classmethod
    def routing_to(cls, code: str, score: float = 0.99) -> FixedModel:
        """The model that names ``code`` first, and two others far behind."""
        others = [(other, 0.005) for other in ("PUPR", "DINKES", "DLH") if other != code][:2]
        return cls([(code, score), *others])

    def predict(self, texts, k=3):
        return [self.top[:k] for _ in texts]
