"""Fault injection per endpoint, deterministic for a given fault seed.

Every decision draws from one ``random.Random`` in a fixed order, so a test
that sets the same faults and makes the same calls sees the same failures.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ENDPOINTS = ("token", "fetch", "replies", "redirects", "approvals")


@dataclass
class EndpointFaults:
    """What can go wrong on one endpoint; rates are probabilities per call (or per record)."""

    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    latency: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 15.0
    token_expired_rate: float = 0.0
    #: replies/redirects/approvals: fail (error or timeout) only after the effect is stored.
    after_effect: bool = False
    #: at most this many faulty calls, then the endpoint behaves; ``None``: no limit.
    limit: int | None = None
    # fetch only, per record of a page:
    malformed_rate: float = 0.0
    duplicate_rate: float = 0.0
    stale_rate: float = 0.0
    shuffle: bool = False
    #: fetch: the cursor does not advance, so the same page is served again
    repeat_page_rate: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EndpointFaults:
        """Build from a JSON object, refusing unknown keys and out-of-range values."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        faults = cls(**data)
        for name in ("error_rate", "rate_limit_rate", "timeout_rate", "token_expired_rate"):
            _check_rate(name, getattr(faults, name))
        for name in ("malformed_rate", "duplicate_rate", "stale_rate", "repeat_page_rate"):
            _check_rate(name, getattr(faults, name))
        if not faults.error_statuses or not all(
            isinstance(s, int) and 400 <= s <= 599 for s in faults.error_statuses
        ):
            raise ValueError("error_statuses must be a non-empty list of 4xx/5xx codes")
        if faults.latency < 0 or faults.timeout_seconds < 0 or faults.retry_after < 0:
            raise ValueError("latency, timeout_seconds and retry_after must not be negative")
        return faults


def _check_rate(name: str, value: Any) -> None:
    if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number between 0 and 1")


@dataclass
class FaultPlan:
    """The faults chosen for one call."""

    latency: float = 0.0
    token_expired: bool = False
    retry_after: int | None = None
    error_status: int | None = None
    timeout: float | None = None
    after_effect: bool = False

    @property
    def fails_before_effect(self) -> bool:
        return not self.after_effect and (self.error_status is not None or self.timeout is not None)


class FaultInjector:
    """Holds the fault settings and the seeded RNG; thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.configure({"seed": seed})

    def configure(self, data: dict[str, Any]) -> None:
        """Replace all settings: ``{"seed": 1, "fetch": {...}, "replies": {...}}``."""
        unknown = set(data) - {"seed", *ENDPOINTS}
        if unknown:
            raise ValueError(f"unknown fault endpoints: {', '.join(sorted(unknown))}")
        seed = data.get("seed", 0)
        if not isinstance(seed, int):
            raise ValueError("seed must be an integer")
        settings = {name: EndpointFaults.from_json(data.get(name) or {}) for name in ENDPOINTS}
        with self._lock:
            self.seed = seed
            self.rng = random.Random(seed)
            self.settings = settings
            self.used = dict.fromkeys(ENDPOINTS, 0)
            self.injected: dict[str, int] = {}

    def describe(self) -> dict[str, Any]:
        """Current settings and how many faults of each kind were injected."""
        with self._lock:
            return {
                "seed": self.seed,
                **{name: asdict(s) for name, s in self.settings.items()},
                "injected": dict(self.injected),
            }

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    def plan(self, endpoint: str) -> FaultPlan:
        """Decide the faults of one call to ``endpoint``."""
        with self._lock:
            s = self.settings[endpoint]
            rolls = [self.rng.random() for _ in range(4)]  # fixed draws keep runs reproducible
            status = self.rng.choice(s.error_statuses)
            plan = FaultPlan(latency=s.latency, after_effect=s.after_effect)
            if s.limit is not None and self.used[endpoint] >= s.limit:
                return plan
            if rolls[0] < s.token_expired_rate and endpoint != "token":
                plan.token_expired = True
                self._count("token_expired")
            elif rolls[1] < s.rate_limit_rate:
                plan.retry_after = s.retry_after
                self._count("rate_limited")
            elif rolls[2] < s.error_rate:
                plan.error_status = status
                self._count(f"status_{status}")
            elif rolls[3] < s.timeout_rate:
                plan.timeout = s.timeout_seconds
                self._count("timeout")
            else:
                return plan
            self.used[endpoint] += 1
            return plan

    def distort_page(
        self, items: list[dict[str, Any]], older: Callable[[str, int], dict[str, Any] | None]
    ) -> list[Any]:
        """Corrupt, duplicate, add stale revisions to and shuffle the records of a page."""
        with self._lock:
            s = self.settings["fetch"]
            out: list[Any] = []
            for item in items:
                if self.rng.random() < s.malformed_rate:
                    out.append(self._corrupt(item))
                    self._count("malformed")
                    continue
                out.append(item)
                if self.rng.random() < s.duplicate_rate:
                    out.append(copy.deepcopy(item))
                    self._count("duplicate")
                if self.rng.random() < s.stale_rate:
                    stale = older(item["id"], item["revision"])
                    if stale is not None:
                        out.append(stale)
                        self._count("stale")
            if s.shuffle and len(out) > 1:
                self.rng.shuffle(out)
                self._count("shuffled_page")
            return out

    def repeat_page(self) -> bool:
        """Whether this page's cursor should stay put, so the page comes again."""
        with self._lock:
            repeat = self.rng.random() < self.settings["fetch"].repeat_page_rate
            if repeat:
                self._count("repeated_page")
            return repeat

    def _corrupt(self, item: dict[str, Any]) -> Any:
        bad = copy.deepcopy(item)
        how = self.rng.randrange(6)
        if how == 0:
            bad.pop(self.rng.choice(["text", "created_at", "author", "revision", "number"]), None)
        elif how == 1:
            bad["revision"] = "седьмая"
        elif how == 2:
            bad["author"] = "Иван Петров"  # a bare name where an object belongs
        elif how == 3:
            bad["importance"] = "срочно"
            bad["platform"] = "myspace"
        elif how == 4:
            bad["created_at"] = "31.02.2026 25:61"
        else:
            # garbage with no recoverable id, like a truncated or mangled record
            return self.rng.choice(
                ["\x00<<garbage>>", 42, None, ["id", "text"], json.dumps(item)[:40]]
            )
        return bad
