"""Importing the incident system's Excel/CSV exports: idempotent, with a report per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from incident_bridge.domain.model import IncidentCard, IncidentPage, RejectedRecord
from incident_bridge.persistence.models import Incident
from incident_bridge.services.context import Context
from incident_bridge.services.ingest import ingest_page
from incident_bridge.services.quarantine import quarantine
from incident_bridge.services.unit_of_work import UnitOfWork


class ParsedRow(Protocol):
    """One parsed row of an export: a card, or the reason it could not be read."""

    @property
    def row(self) -> int: ...

    @property
    def card(self) -> IncidentCard | None: ...

    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What happened to one row."""

    row: int
    external_id: str | None
    status: str  # created | updated | unchanged | rejected
    reason: str = ""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


STATUS_LABELS = {
    "created": "создано",
    "updated": "обновлено",
    "unchanged": "без изменений",
    "rejected": "отклонено",
}

# The card's fields as stored: equal values mean the row brings nothing new.
_FIELDS = (
    ("number", "number"), ("text", "text"), ("municipality", "municipality"),
    ("topic_group", "topic_group"), ("topic", "topic"), ("post_url", "post_url"),
)  # fmt: skip


def _same(incident: Incident, card: IncidentCard) -> bool:
    if any(getattr(incident, a) != getattr(card, b) for a, b in _FIELDS):
        return False
    return (
        incident.importance == card.importance.value
        and incident.author_name == card.author.name
        and incident.remote_created_at == card.created_at
        and (incident.feedback or None) == (card.feedback.value if card.feedback else None)
        and list(incident.attachments or []) == list(card.attachments)
    )


def import_rows(
    uow: UnitOfWork, ctx: Context, rows: Sequence[ParsedRow], now: datetime, *, source: str
) -> list[RowOutcome]:
    """Store the rows' cards in one unit of work; importing the same file twice changes nothing."""
    outcomes: list[RowOutcome] = []
    seen: dict[str, int] = {}
    with uow:
        for parsed in rows:
            card = parsed.card
            if card is None:
                raw = f"{source}, строка {parsed.row}"
                reason = parsed.error or "не прочитана"
                quarantine(uow, RejectedRecord(None, raw, reason), now, source="import")
                outcomes.append(RowOutcome(parsed.row, None, "rejected", parsed.error or ""))
                continue
            if card.external_id in seen:
                outcomes.append(RowOutcome(parsed.row, card.external_id, "rejected",
                                           f"номер повторяет строку {seen[card.external_id]}"))  # fmt: skip
                continue
            seen[card.external_id] = parsed.row
            existing = uow.incidents.by_external_ids([card.external_id]).get(card.external_id)
            if existing is not None and (
                _same(existing, card) or card.revision <= existing.remote_revision
            ):
                why = "" if _same(existing, card) else "в системе уже более новая версия"
                outcomes.append(RowOutcome(parsed.row, card.external_id, "unchanged", why))
                continue
            ingest_page(uow, ctx, IncidentPage((card,), (), None, False), now, source="import")
            status = "created" if existing is None else "updated"
            outcomes.append(RowOutcome(parsed.row, card.external_id, status))
    return outcomes


def summary(outcomes: Sequence[RowOutcome]) -> dict[str, Any]:
    """Counts per status."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
