"""How long to wait before trying a delivery again: one policy for every outbox."""

from __future__ import annotations

import random

BASE_DELAY = 5.0
MAX_DELAY = 15 * 60.0


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait before the next attempt: exponential with full jitter, never below Retry-After."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    delay = rng.uniform(ceiling / 2, ceiling)
    return max(delay, retry_after or 0.0)
