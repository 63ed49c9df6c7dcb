"""Fakes of the ports, for tests that exercise the services without HTTP."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.model import (
    ApprovalDecision,
    ApprovalVerdict,
    Author,
    AuthorMessage,
    Delivery,
    Feedback,
    Importance,
    IncidentCard,
    IncidentPage,
    Outbound,
    Platform,
    RejectedRecord,
)

_numbers = itertools.count(1)


def make_card(**overrides: object) -> IncidentCard:
    """A realistic incident card; any field can be overridden."""
    n = next(_numbers)
    base = IncidentCard(
        external_id=f"INC-{n}",
        number=f"2025-{n:06d}",
        created_at=datetime(2025, 10, 30, 8, 0, tzinfo=UTC),
        detected_at=datetime(2025, 10, 30, 8, 5, tzinfo=UTC),
        text="Здравствуйте! На улице Ленина огромная яма у дома 12. Когда её заделают?",
        author=Author("Иван Петров", "https://vk.com/id100"),
        platform=Platform.VK,
        post_url="https://vk.com/wall-1_100",
        municipality="Елец",
        topic_group="Дороги",
        topic="Ямы на дорогах",
        importance=Importance.NORMAL,
        revision=1,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


@dataclass
class FakeIncidentSystem:
    """An in-memory incident system: pages of cards in, deliveries recorded, failures scripted."""

    cards: dict[str, IncidentCard] = field(default_factory=dict)
    rejected: list[RejectedRecord] = field(default_factory=list)
    delivered: list[Outbound] = field(default_factory=list)
    effects: dict[str, Outbound] = field(default_factory=dict)
    failures: list[Exception] = field(default_factory=list)
    reachable: bool = True

    def add(self, card: IncidentCard) -> IncidentCard:
        self.cards[card.external_id] = card
        return card

    def follow_up(self, external_id: str, text: str, at: datetime | None = None) -> None:
        card = self.cards[external_id]
        message = AuthorMessage(
            f"{external_id}-c{len(card.follow_ups) + 1}",
            text,
            at or datetime.now(UTC) - timedelta(minutes=1),
        )
        self.cards[external_id] = replace(
            card, follow_ups=card.follow_ups + (message,), revision=card.revision + 1
        )

    def feedback(self, external_id: str, value: Feedback) -> None:
        card = self.cards[external_id]
        self.cards[external_id] = replace(card, feedback=value, revision=card.revision + 1)

    def decide(self, external_id: str, verdict: ApprovalVerdict, comment: str = "") -> None:
        """The regional authority decides on the draft sent up for approval (Luga)."""
        card = self.cards[external_id]
        decision = ApprovalDecision(verdict, datetime.now(UTC), comment)
        self.cards[external_id] = replace(card, approval=decision, revision=card.revision + 1)

    def fetch_changes(self, cursor: str | None, limit: int = 100) -> IncidentPage:
        # The fake returns everything each time: the bridge must de-duplicate by revision.
        page = IncidentPage(tuple(self.cards.values()), tuple(self.rejected), "end", False)
        self.rejected = []
        return page

    def fetch_incident(self, external_id: str) -> IncidentPage:
        card = self.cards.get(external_id)
        if card is None:
            raise DeliveryRejected(f"incident {external_id} not found", 404)
        return IncidentPage((card,), (), None, False)

    def deliver(self, outbound: Outbound) -> Delivery:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(outbound)
        self.effects.setdefault(outbound.idempotency_key, outbound)
        return Delivery(remote_id=f"R-{len(self.effects)}")

    def ping(self) -> bool:
        return self.reachable


__all__ = ["FakeIncidentSystem", "make_card", "TransientDeliveryError", "DeliveryRejected"]

#: A draft that passes every check for ``make_card()``'s default message.
GOOD_ANSWER = "Здравствуйте, Иван! Яму у дома 12 на улице Ленина заделаем до 5 ноября."
