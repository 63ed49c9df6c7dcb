"""Polling the incident system for changed incidents, and fetching quarantined ones again.

Each stored page is one unit of work: the cursor advances only with the page. If
the database refuses the page, its cards are stored one by one and the one it
refuses is quarantined with the reason, so one record never halts the sync.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from incident_bridge.domain.errors import IncidentSystemError, InvalidInput, NotFound, StorageError
from incident_bridge.domain.model import IncidentCard, IncidentPage, RejectedRecord
from incident_bridge.domain.ports import IncidentSystem
from incident_bridge.persistence.models import QuarantinedRecord, SyncState
from incident_bridge.services.context import Context
from incident_bridge.services.ingest import PageResult, ingest_page
from incident_bridge.services.quarantine import FETCH, quarantine, settle
from incident_bridge.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_SYSTEM = "incident"
# Records re-read per call when an unreadable record's page is read again: a fifth of a
# poll page, so a page of 500 is re-read in five calls (each call may meet a fault).
RECHECK_WINDOW = 100
MAX_ERRORS_PER_RUN = 5


def sync_state(uow: UnitOfWork, system_name: str = DEFAULT_SYSTEM) -> SyncState:
    """The poller's record for ``system_name``, created in the caller's unit of work if missing."""
    state = uow.sync_states.get(system_name)
    if state is None:
        state = SyncState(system=system_name)
        uow.add(state)
    return state


def poll(
    uow: UnitOfWork,
    ctx: Context,
    system: IncidentSystem,
    now: datetime,
    *,
    page_size: int = 100,
    max_pages: int = 50,
    system_name: str = DEFAULT_SYSTEM,
    heartbeat: Callable[[], object] | None = None,
) -> PageResult:
    """Fetch changed incidents page by page; the cursor advances only after a page is stored.

    Overlap window: each poll starts again from the cursor of the last stored page,
    so a change the system recorded late (or a page it served twice) is still
    seen; what was already stored is skipped by revision. ``heartbeat`` is called
    after every stored page (it keeps the poller's lock alive).
    """
    with uow:
        state = sync_state(uow, system_name)
        cursor = state.overlap_cursor if state.overlap_cursor is not None else state.cursor
    total = PageResult()
    for _ in range(max_pages):
        try:
            page = system.fetch_changes(cursor or None, page_size)
        except IncidentSystemError as exc:
            # Keep the failure visible to admins, then let the job fail (rq retries it).
            with uow:
                state.last_error = str(exc)
                state.last_error_at = now
                if state.unreachable_since is None:
                    state.unreachable_since = now
            raise
        try:
            with uow:
                result = ingest_page(uow, ctx, page, now, page_cursor=cursor or "")
                _advance(state, page, cursor, now)
        except StorageError as error:
            log.warning("page refused by the database, storing it card by card",
                        extra={"cursor": cursor, "error": str(error)})  # fmt: skip
            result = _store_one_by_one(uow, ctx, page, now, cursor or "")
            with uow:
                _advance(state, page, cursor, now)
        cursor = page.next_cursor if page.next_cursor is not None else cursor
        if heartbeat is not None:
            heartbeat()
        total.add(result)
        if not page.has_more:
            break
    return total


def _advance(state: SyncState, page: IncidentPage, cursor: str | None, now: datetime) -> None:
    """The page is stored: move the cursor (keeping the overlap window) and clear the alert."""
    if page.next_cursor is not None:
        state.overlap_cursor = cursor or ""  # "": the last page started at the beginning
        state.cursor = page.next_cursor
    state.last_success_at = now
    state.unreachable_since = None


def _store_one_by_one(
    uow: UnitOfWork, ctx: Context, page: IncidentPage, now: datetime, page_cursor: str
) -> PageResult:
    """Each card in a transaction of its own; what the database still refuses is quarantined."""
    result = PageResult()
    for card in page.cards:
        result.add(_store_card(uow, ctx, card, now))
    if page.rejected:
        span = len(page.cards) + len(page.rejected)
        rejected_only = replace(page, cards=())
        with uow:
            result.add(ingest_page(uow, ctx, rejected_only, now, page_cursor=page_cursor,
                                   page_span=span))  # fmt: skip
    return result


def _store_card(uow: UnitOfWork, ctx: Context, card: IncidentCard, now: datetime) -> PageResult:
    one = IncidentPage((card,), (), None, False)
    for attempt in (1, 2):
        try:
            with uow:
                return ingest_page(uow, ctx, one, now)
        except StorageError as error:
            if error.conflict and attempt == 1:
                continue  # another poller stored it at the same moment: read it and fold it in
            reason = f"Карточка не сохранена: {error.user_message}"
            with uow:
                quarantine(uow, RejectedRecord(card.external_id, card_json(card), reason), now,
                           source=FETCH)  # fmt: skip
            return PageResult(quarantined=1)
    raise AssertionError("unreachable")


def card_json(card: IncidentCard) -> str:
    """A card as JSON, for the quarantine's record of what was refused."""
    return json.dumps(dataclasses.asdict(card), ensure_ascii=False, default=str, sort_keys=True)


def retry_quarantined(
    uow: UnitOfWork, ctx: Context, system: IncidentSystem, record_id: int, now: datetime
) -> bool:
    """Fetch a quarantined incident again; True when it now passes and is stored.

    Records from import files cannot be fetched: import the corrected file instead.
    """
    with uow:
        record = uow.quarantine.get(record_id)
        if record is None or record.resolved_at is not None:
            raise NotFound("Запись карантина не найдена или уже разобрана.")
        if record.source != FETCH or not record.external_id:
            raise InvalidInput(
                "Эту запись нельзя запросить повторно: загрузите исправленный файл выгрузки."
            )
        page = system.fetch_incident(record.external_id)
        if page.rejected:
            record.reason = page.rejected[0].reason
            record.raw = page.rejected[0].raw
            return False
        ingest_page(uow, ctx, replace(page, rejected=()), now)
        settle(record, now)
        return True


def retry_quarantine(
    uow: UnitOfWork,
    ctx: Context,
    system: IncidentSystem,
    now: datetime,
    *,
    limit: int = 50,
    max_attempts: int = 10,
) -> int:
    """Retry quarantined fetch records automatically; return how many were settled.

    A record with an id is fetched again. A record whose id could not be read
    is settled by reading its page again in small windows, each until it comes
    back whole (progress is kept, so every poll moves on). After ``max_attempts``
    failures in a row a record waits for a person (the admin page's «Повторить»).
    """
    items = uow.quarantine.retryable(FETCH, max_attempts, limit)
    settled = errors = 0
    for item in items:
        failed = False
        with uow:  # one item, one transaction: the progress made is kept even if a call fails
            if item.resolved_at is None:
                try:
                    if item.external_id is not None:
                        _refetch(uow, ctx, system, item, now)
                    elif item.page_cursor is not None:
                        _reread(uow, ctx, system, item, now)
                except IncidentSystemError:
                    failed = True
            settled += not failed and item.resolved_at is not None
        if failed:
            errors += 1
            if errors >= MAX_ERRORS_PER_RUN:
                break  # the system is down again: the next poll tries later
    return settled


def _refetch(
    uow: UnitOfWork, ctx: Context, system: IncidentSystem, item: QuarantinedRecord, now: datetime
) -> None:
    page = system.fetch_incident(item.external_id or "")
    ingest_page(uow, ctx, replace(page, rejected=()), now)  # a valid card settles the record
    if page.rejected:
        item.attempts += 1
        item.reason = page.rejected[0].reason


def _reread(
    uow: UnitOfWork, ctx: Context, system: IncidentSystem, item: QuarantinedRecord, now: datetime
) -> None:
    while item.page_span > 0:
        window = system.fetch_changes(item.page_cursor or None, min(RECHECK_WINDOW, item.page_span))
        # Records of the window that are bad but carry an id wait in quarantine like any other.
        readable = tuple(r for r in window.rejected if r.external_id is not None)
        ingest_page(uow, ctx, replace(window, rejected=readable), now)
        unreadable = any(r.external_id is None for r in window.rejected)
        if unreadable or window.next_cursor in (None, item.page_cursor):
            item.attempts += 1  # still unreadable (or the cursor did not move): again next time
            return
        item.page_cursor = window.next_cursor
        item.page_span -= len(
            {c.external_id for c in window.cards} | {r.external_id for r in window.rejected}
        )
        item.attempts = 0
        if not window.has_more:
            break
    settle(item, now)
