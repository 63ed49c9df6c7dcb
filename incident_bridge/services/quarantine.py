"""Keeping records that failed validation, with the reason, until a valid version settles them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.model import RejectedRecord
from incident_bridge.persistence.models import QuarantinedRecord
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork

#: Records that came from the incident system's API (not from an import file).
FETCH = "fetch"
#: How a record left the quarantine: a valid version arrived, or a person set it aside.
SETTLED, DISMISSED = "settled", "dismissed"
#: What is kept of a record and of its reason: enough to see the problem, never megabytes.
MAX_RAW = 20_000
MAX_REASON = 2_000


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying so."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quarantine(
    uow: UnitOfWork,
    rejected: RejectedRecord,
    now: datetime,
    *,
    source: str,
    page_cursor: str | None = None,
    page_span: int = 0,
) -> None:
    """Keep a record that failed validation, with its raw payload and the reason.

    A record already waiting in quarantine (the same incident, or for a record
    with no readable id the same page and only that, or the same row of the same file) is
    refreshed instead of added again, so re-reads (the overlap window, retries,
    an import run twice) do not pile up copies. A record a person dismissed comes
    back only if it changed.
    """
    raw, reason = bounded(rejected.raw, MAX_RAW), bounded(rejected.reason, MAX_REASON)
    existing = None
    if rejected.external_id is not None:
        existing = uow.quarantine.waiting_for_incident(source, rejected.external_id)
    elif page_cursor is not None:
        # An unreadable record is known only by its page: garbage repeats from page to
        # page («42», null), so the same payload elsewhere says nothing about this one.
        existing = uow.quarantine.waiting_for_page(source, page_cursor)
    by_page = rejected.external_id is None and page_cursor is not None
    same = None if by_page else uow.quarantine.latest_with_raw(source, raw)
    if existing is None and same is not None and same.resolution != SETTLED:
        if same.resolution == DISMISSED:
            return  # set aside by a person, and nothing about it changed
        existing = same
    if existing is not None:
        existing.raw, existing.reason = raw, reason
        return
    uow.add(
        QuarantinedRecord(
            source=source,
            external_id=rejected.external_id,
            raw=raw,
            reason=reason,
            page_cursor=page_cursor,
            page_span=page_span,
            attempts=0,
            created_at=now,
        )
    )


def settle(record: QuarantinedRecord, now: datetime) -> None:
    """A valid version of the record arrived: it waits no more."""
    record.resolved_at = now
    record.resolution = SETTLED


def resolve(uow: UnitOfWork, external_ids: Collection[str], now: datetime) -> None:
    """A valid version of these incidents arrived: their earlier bad records are settled."""
    for bad in uow.quarantine.waiting_for_incidents(FETCH, external_ids):
        settle(bad, now)


def dismiss(
    uow: UnitOfWork, record_id: int, *, by: Actor | str, now: datetime
) -> QuarantinedRecord:
    """A person sets a quarantined record aside (an import row nobody will fix, say); attributed."""
    with uow:
        record = uow.quarantine.get(record_id)
        if record is None:
            raise NotFound("Запись карантина не найдена.")
        if record.resolved_at is not None:
            raise InvalidInput("Эта запись уже убрана из карантина.")
        name = by.name if isinstance(by, Actor) else by
        record.resolved_at = now
        record.resolution = DISMISSED
        record.resolved_by = name[:300]  # the column's width
    return record
