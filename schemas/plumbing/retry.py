"""The retry timing every delivery loop shares (tickets, alerts, outbound posts and replies).

:class:`Policy` is built from a target's ``backoff_initial``, ``backoff_max`` and
``give_up_hours`` keys (and, for alerts, ``max_attempts``); :meth:`Policy.delay` is exponential
backoff with full jitter, never sooner than the server's ``Retry-After``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from schemas.plumbing.http import Retryable


@dataclass
class Policy:
    """Retry timing of one delivery target."""

    backoff_initial: float = 2.0
    backoff_max: float = 300.0
    give_up_hours: float = 72.0
    max_attempts: int | None = None  # None: only give_up_hours ends the retries

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """Full-jitter exponential backoff after ``attempts`` failures, at least Retry-After."""
        cap = min(self.backoff_max, self.backoff_initial * 2 ** min(attempts, 30))
        wait = rng.uniform(self.backoff_initial / 2, max(cap, self.backoff_initial / 2))
        return max(wait, retry_after or 0.0)


def error_detail(error: Exception) -> str:
    """How a failed attempt is recorded: a :class:`Retryable`'s own text, else its type too."""
    return str(error) if isinstance(error, Retryable) else f"{type(error).__name__}: {error}"
