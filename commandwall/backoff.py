"""Bounded, jittered exponential backoff — one policy for every reconnecting thread (streams, events, outbox)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """``initial_s·factor^(attempt-1)`` capped at ``maximum_s``, times a random factor in ``[1-jitter, 1+jitter]``
    so that many clients (or many camera readers) do not retry in step after an outage."""

    initial_s: float = 0.5
    factor: float = 2.0
    maximum_s: float = 10.0
    jitter: float = 0.2

    def delay_s(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        exponent = min(max(attempt, 1) - 1, 32)  # cap the exponent: no float overflow on long outages
        base = min(self.maximum_s, self.initial_s * self.factor**exponent)
        spread = (rng or random).uniform(1.0 - self.jitter, 1.0 + self.jitter)
        return max(0.0, base * spread)


class RetryPacer:
    """Counts consecutive failures against a :class:`Backoff`: ``next_delay()`` after a failure, ``reset()``
    after a success."""

    def __init__(self, policy: Backoff) -> None:
        self.policy = policy
        self.failures = 0

    def next_delay(self) -> float:
        """Delay before the next attempt; each call counts one more failure."""
        self.failures += 1
        return self.policy.delay_s(self.failures)

    def reset(self) -> None:
        """Start again from the initial delay."""
        self.failures = 0
