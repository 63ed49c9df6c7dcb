"""Keeping records that failed validation, with the reason, until a valid version settles them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from incident_bridge.domain.model import RejectedRecord
from incident_bridge.persistence.models import QuarantinedRecord
from incident_bridge.services.unit_of_work import UnitOfWork

#: Records that came from the incident system's API (not from an import file).
FETCH = "fetch"


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
    with no readable id the same page) is refreshed instead of added again, so
    re-reads (the overlap window, retries) do not pile up copies.
    """
    existing = None
    if rejected.external_id is not None:
        existing = uow.quarantine.waiting_for_incident(source, rejected.external_id)
    elif page_cursor is not None:
        existing = uow.quarantine.waiting_for_page(source, page_cursor)
    if existing is not None:
        existing.raw, existing.reason = rejected.raw, rejected.reason
        return
    uow.add(
        QuarantinedRecord(
            source=source,
            external_id=rejected.external_id,
            raw=rejected.raw,
            reason=rejected.reason,
            page_cursor=page_cursor,
            page_span=page_span,
            attempts=0,
            created_at=now,
        )
    )


def resolve(uow: UnitOfWork, external_ids: Collection[str], now: datetime) -> None:
    """A valid version of these incidents arrived: their earlier bad records are settled."""
    for bad in uow.quarantine.waiting_for_incidents(FETCH, external_ids):
        bad.resolved_at = now
