"""A/B statistics: which variant wins, and how sure we are. Pure."""

from __future__ import annotations

import math

import msgspec


class Arm(msgspec.Struct, frozen=True):
    key: str
    sent: int
    successes: int

    @property
    def rate(self) -> float:
        return self.successes / self.sent if self.sent else 0.0


class Verdict(msgspec.Struct, frozen=True):
    winner: str | None
    # Confidence (0..1) that the winner's rate is really higher than the runner-up's.
    confidence: float


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def confidence(best: Arm, other: Arm) -> float:
    """One-sided two-proportion z-test: P(best's true rate > other's)."""
    if best.sent == 0 or other.sent == 0:
        return 0.0
    pooled = (best.successes + other.successes) / (best.sent + other.sent)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / best.sent + 1 / other.sent))
    if spread == 0:
        return 0.5 if best.rate == other.rate else 1.0
    return _normal_cdf((best.rate - other.rate) / spread)


def decide(arms: list[Arm]) -> Verdict:
    """The arm with the best rate (ties go to the first), and the confidence against the runner-up."""
    measured = [a for a in arms if a.sent > 0]
    if not measured:
        return Verdict(winner=arms[0].key if arms else None, confidence=0.0)
    ranked = sorted(measured, key=lambda a: a.rate, reverse=True)
    if len(ranked) == 1:
        return Verdict(winner=ranked[0].key, confidence=0.0)
    return Verdict(winner=ranked[0].key, confidence=round(confidence(ranked[0], ranked[1]), 4))
