"""In-memory state of the mock incident system: incidents, change log, effects, tokens, stats.

One lock guards everything: the mock serves a handful of testers, and a single
lock makes idempotency and the change sequence trivially correct.
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mocks.generator import EarlierCard, Generator, _iso

FIRST_NUMBER = 4_812_000
STEP_AFTER = {
    "answer": "answered",
    "interim": "interim_answer",
    "clarification": "clarification_requested",
    "redirect": "redirected",
    "approval_request": "on_approval",
}
#: The endpoint's effect kind when its body names none, and the prefix of the effect's id.
ENDPOINT_KINDS = {"redirects": "redirect", "approvals": "approval_request"}
EFFECT_PREFIXES = {"replies": "rep", "redirects": "red", "approvals": "apr"}
APPROVAL_DECISIONS = ("approved", "returned")
FEEDBACK_VALUES = {
    "satisfied": "satisfied",
    "neutral": "neutral",
    "dissatisfied": "dissatisfied",
    "автор доволен": "satisfied",
    "автор нейтрален": "neutral",
    "автор недоволен": "dissatisfied",
}


class MockError(Exception):
    """An error the API returns as ``{"error": code, "message": message}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Incident:
    """One incident: its current wire form, its past revisions and its place in the change log."""

    data: dict[str, Any]
    seq: int
    kind: str
    history: list[dict[str, Any]] = field(default_factory=list)


def utc_now() -> datetime:
    """The default clock of the mock."""
    return datetime.now(UTC)


class MockState:
    """Everything the mock remembers, guarded by one lock."""

    def __init__(
        self,
        *,
        seed: int = 1,
        token_ttl: float = 3600.0,
        static_token: str | None = None,
        municipalities: list[str] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.lock = threading.RLock()
        self.token_ttl = token_ttl
        self.static_token = static_token
        self.municipalities = municipalities
        self.clock = clock
        self.tokens: dict[str, float] = {}
        self.reset(seed)

    # -- lifecycle --------------------------------------------------------

    def reset(self, seed: int = 1) -> None:
        """Forget incidents, effects, idempotency keys, tokens and statistics."""
        with self.lock:
            self.generator = Generator(seed, self.municipalities)
            self.incidents: dict[str, Incident] = {}
            # One entry per incident in order of creation, appended once: the generator
            # picks a repeat's original from it without a copy of every earlier card.
            self.earlier: list[EarlierCard] = []
            self.seq = 0
            self.last_number = FIRST_NUMBER
            self.effects: list[dict[str, Any]] = []
            self.keys: dict[str, tuple[str, dict[str, Any]]] = {}
            self.key_uses: dict[str, int] = {}
            self.counters: dict[str, int] = {}
            self.tokens.clear()

    def seed(self, count: int, seed: int) -> list[dict[str, Any]]:
        """Replace everything with ``count`` generated incidents from ``seed``."""
        with self.lock:
            self.reset(seed)
            return [self.add_incident() for _ in range(count)]

    def count(self, name: str, by: int = 1) -> None:
        """Add to a statistics counter."""
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + by

    # -- incidents --------------------------------------------------------

    def _commit(self, incident: Incident) -> dict[str, Any]:
        """Give the incident a new revision and move it to the end of the change log."""
        now = self.clock()
        # Revisions come from the change clock (microseconds) so they compare with
        # revisions derived from exports; +1 keeps them strictly increasing anyway.
        previous = incident.data.get("revision")
        stamp = int(now.timestamp() * 1_000_000)
        incident.data["revision"] = max(stamp, previous + 1) if isinstance(previous, int) else stamp
        incident.data["updated_at"] = _iso(now)
        self.seq += 1
        incident.seq = self.seq
        incident.history.append(copy.deepcopy(incident.data))
        return copy.deepcopy(incident.data)

    def add_incident(self, fields: dict[str, Any] | None = None) -> dict[str, Any]:
        """Create an incident; ``fields`` override the generated ones (any may be given)."""
        with self.lock:
            self.last_number = self.generator.next_number(self.last_number)
            data, kind = self.generator.incident(self.last_number, self.clock(), self.earlier)
            if fields:
                data.update(
                    {k: v for k, v in fields.items() if k not in ("revision", "updated_at")}
                )
                kind = "injected"
            ident = str(data.get("id") or data.get("number") or self.last_number)
            if ident in self.incidents:
                raise MockError(409, "duplicate_id", f"incident {ident} already exists")
            data["id"] = ident
            incident = Incident(data=data, seq=0, kind=kind)
            self.incidents[ident] = incident
            self.earlier.append(EarlierCard.of(data))
            return self._commit(incident)

    def _incident(self, ident: str) -> Incident:
        try:
            return self.incidents[ident]
        except KeyError:
            raise MockError(404, "incident_not_found", f"Инцидент {ident} не найден.") from None

    def get(self, ident: str) -> dict[str, Any]:
        """The current wire form of one incident."""
        with self.lock:
            return copy.deepcopy(self._incident(ident).data)

    def add_follow_up(self, ident: str, text: str) -> dict[str, Any]:
        """The author writes again in the thread."""
        with self.lock:
            incident = self._incident(ident)
            follow_ups = incident.data.setdefault("follow_ups", [])
            follow_ups.append(
                {
                    "id": f"{ident}-f{len(follow_ups) + 1}",
                    "text": text,
                    "created_at": _iso(self.clock()),
                }
            )
            if incident.data.get("step") == "clarification_requested":
                incident.data["step"] = "clarification_received"
            return self._commit(incident)

    def set_feedback(self, ident: str, value: str) -> dict[str, Any]:
        """The author reacts to the answer (codes or the system's Russian labels)."""
        code = FEEDBACK_VALUES.get(value.strip().lower()) if isinstance(value, str) else None
        if code is None:
            raise MockError(422, "validation_failed", "value: satisfied, neutral or dissatisfied")
        with self.lock:
            incident = self._incident(ident)
            incident.data["feedback"] = code
            return self._commit(incident)

    def page(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Incidents changed after sequence ``after``, oldest change first, at most ``limit``."""
        with self.lock:
            changed = sorted(
                (i for i in self.incidents.values() if i.seq > after), key=lambda i: i.seq
            )
            chosen = changed[:limit]
            last = chosen[-1].seq if chosen else max(after, 0)
            self.count("fetch_calls")
            self.count("incidents_served", len(chosen))
            return [copy.deepcopy(i.data) for i in chosen], last, len(changed) > limit

    def older_revision(self, ident: str, revision: int) -> dict[str, Any] | None:
        """A revision of the incident older than ``revision``, if there was one."""
        with self.lock:
            older = [h for h in self.incidents[ident].history if h["revision"] < revision]
            return copy.deepcopy(older[-1]) if older else None

    def listing(self) -> list[dict[str, Any]]:
        """All incidents with the generator's kind, newest change first (for testers)."""
        with self.lock:
            ordered = sorted(self.incidents.values(), key=lambda i: i.seq, reverse=True)
            return [{**copy.deepcopy(i.data), "_kind": i.kind} for i in ordered]

    # -- effects ----------------------------------------------------------

    def apply(
        self, endpoint: str, ident: str, key: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Store a reply or redirect once per idempotency key; replays get the stored result."""
        fingerprint = hashlib.sha256(
            json.dumps([endpoint, ident, body], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        with self.lock:
            self.key_uses[key] = self.key_uses.get(key, 0) + 1
            if key in self.keys:
                stored_fingerprint, result = self.keys[key]
                if stored_fingerprint != fingerprint:
                    raise MockError(
                        422,
                        "idempotency_key_reused",
                        "Этот Idempotency-Key уже использован для другого запроса.",
                    )
                self.count("idempotent_replays")
                return 200, copy.deepcopy(result)
            incident = self._incident(ident)
            if incident.data.get("step") == "redirected":
                raise MockError(409, "incident_redirected", "Инцидент уже перенаправлен.")
            kind = body.get("kind") or ENDPOINT_KINDS[endpoint]
            content = body.get("text", body.get("reason"))
            if any(
                e["incident_id"] == ident and e["kind"] == kind and e["content"] == content
                for e in self.effects
            ):
                self.count("duplicate_effects")  # the citizen would see the same text twice
            prefix = EFFECT_PREFIXES[endpoint]
            result = {"id": f"{prefix}-{len(self.effects) + 1}", "incident_id": ident, **body}
            result["created_at"] = _iso(self.clock())
            self.effects.append(
                {
                    **result,
                    "endpoint": endpoint,
                    "kind": kind,
                    "content": content,
                    "idempotency_key": key,
                    "received_at": datetime.now(UTC).isoformat(),
                }
            )
            self.keys[key] = (fingerprint, result)
            self.count("effects")
            incident.data["step"] = STEP_AFTER[kind]
            if kind == "approval_request":
                incident.data.pop("approval", None)  # a new round waits for a new decision
            self._commit(incident)
            return 201, copy.deepcopy(result)

    def decide_approval(self, ident: str, decision: str, comment: str) -> dict[str, Any]:
        """The regional authority approves or returns the draft sent up for approval."""
        if decision not in APPROVAL_DECISIONS:
            raise MockError(422, "validation_failed", "decision: approved или returned")
        with self.lock:
            incident = self._incident(ident)
            if incident.data.get("step") != "on_approval":
                raise MockError(409, "nothing_to_approve", "Проект на согласование не поступал.")
            incident.data["approval"] = {
                "decision": decision,
                "decided_at": _iso(self.clock()),
                "comment": comment or None,
            }
            incident.data["step"] = f"approval_{decision}"
            return self._commit(incident)

    def pushed(self) -> dict[str, list[dict[str, Any]]]:
        """Every reply and redirect stored, with its key and how often the key was presented."""
        with self.lock:
            out: dict[str, list[dict[str, Any]]] = {"replies": [], "redirects": [], "approvals": []}
            for effect in self.effects:
                row = {k: v for k, v in effect.items() if k not in ("endpoint", "content")}
                row["attempts"] = self.key_uses.get(effect["idempotency_key"], 0)
                out[effect["endpoint"]].append(copy.deepcopy(row))
            return out

    # -- tokens -----------------------------------------------------------

    def issue_token(self) -> str:
        """A fresh bearer token valid for ``token_ttl`` seconds."""
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.count("tokens_issued")
        return token

    def check_token(self, token: str | None) -> str | None:
        """``None`` if the token is good, else the error code to answer with."""
        if not token:
            return "missing_token"
        if self.static_token and secrets.compare_digest(token.encode(), self.static_token.encode()):
            return None
        with self.lock:
            expires = self.tokens.get(token)
        if expires is None:
            return "invalid_token"
        return "token_expired" if expires <= time.monotonic() else None

    def expire_tokens(self, token: str | None = None) -> None:
        """Expire one issued token, or all of them (the static token never expires)."""
        with self.lock:
            for known in [token] if token else list(self.tokens):
                if known in self.tokens:
                    self.tokens[known] = 0.0

    def stats(self) -> dict[str, Any]:
        """Counters plus the current number of incidents and effects."""
        with self.lock:
            base = dict.fromkeys(
                (
                    "fetch_calls",
                    "incidents_served",
                    "replies_received",
                    "redirects_received",
                    "effects",
                    "duplicate_effects",
                    "idempotent_replays",
                    "tokens_issued",
                ),
                0,
            )
            return {**base, **self.counters, "incidents": len(self.incidents), "sequence": self.seq}
