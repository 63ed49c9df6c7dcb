"""Importing the incident system's Excel/CSV exports: idempotent, with a report per row.

An export never overwrites a newer state: a row updates a stored incident only
when it carries its export's own time (``ParsedRow.dated``: the row's «Дата
изменения», the time the person gave, the workbook's "modified") and that time is
later than the stored revision. A row without one may only create an incident
(revision 0, so any dated export or the API later wins). A time in the future is
not believed: the row counts as undated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from incident_bridge.domain.errors import InvalidInput
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

    @property
    def dated(self) -> bool:
        """Whether the card's revision is its export's own time (else it may only create)."""
        ...


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


#: A clock this far ahead of ours is still believed (the exporting machine's drift).
CLOCK_SKEW = timedelta(minutes=5)
#: Bounds of what one row may store in the quarantine and show in the report.
MAX_SOURCE, MAX_REASON = 200, 500
UNDATED = "нет времени выгрузки: укажите, когда сделана выгрузка, и загрузите файл снова"
FUTURE = "время выгрузки или изменения позже текущего — не принято"


def check_export_time(exported_at: datetime | None, now: datetime) -> None:
    """Refuse an export time the person gave that lies in the future."""
    if exported_at is not None and exported_at > now + CLOCK_SKEW:
        raise InvalidInput(
            "Время выгрузки позже текущего: укажите, когда выгрузка действительно сделана."
        )


def import_rows(
    uow: UnitOfWork, ctx: Context, rows: Sequence[ParsedRow], now: datetime, *, source: str
) -> list[RowOutcome]:
    """Store the rows' cards in one unit of work; importing the same file twice changes nothing."""
    outcomes: list[RowOutcome] = []
    seen: dict[str, int] = {}
    source = _bounded(source, MAX_SOURCE)
    latest = int((now + CLOCK_SKEW).timestamp() * 1_000_000)
    with uow:
        for parsed in rows:
            card = parsed.card
            if card is None:
                reason = _bounded(parsed.error or "не прочитана", MAX_REASON)
                raw = f"{source}, строка {parsed.row}"
                quarantine(uow, RejectedRecord(None, raw, reason), now, source="import")
                outcomes.append(RowOutcome(parsed.row, None, "rejected", reason))
                continue
            if card.external_id in seen:
                outcomes.append(RowOutcome(parsed.row, card.external_id, "rejected",
                                           f"номер повторяет строку {seen[card.external_id]}"))  # fmt: skip
                continue
            seen[card.external_id] = parsed.row
            dated, note = parsed.dated, ""
            if card.revision > latest:
                card, dated, note = replace(card, revision=0), False, FUTURE
            existing = uow.incidents.by_external_ids([card.external_id]).get(card.external_id)
            if existing is not None:
                if _same(existing, card):
                    outcomes.append(RowOutcome(parsed.row, card.external_id, "unchanged"))
                    continue
                if not dated or card.revision <= existing.remote_revision:
                    why = note or (UNDATED if not dated else "в системе уже более новая версия")
                    outcomes.append(RowOutcome(parsed.row, card.external_id, "unchanged", why))
                    continue
            ingest_page(uow, ctx, IncidentPage((card,), (), None, False), now, source="import")
            status = "created" if existing is None else "updated"
            outcomes.append(RowOutcome(parsed.row, card.external_id, status, note))
    return outcomes


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(outcomes: Sequence[RowOutcome]) -> dict[str, Any]:
    """Counts per status."""
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
