"""Ingest throughput of the bridge's own poll against a plain bulk insert of the same rows.

The real mock incident system (a subprocess on loopback) holds N generated
incidents. Both sides fetch every page (the product's page size, 500 cards, or
``--page-size``) through the same HTTP adapter from the beginning, so the fetch
is in both figures:

- baseline: the pages, then one bulk INSERT of the columns the bridge stores
  for a card into a plain table (no keys, no indexes) in the same database;
- the bridge: ``services.polling.poll`` on the reference app after its
  migrations — validation, de-duplication by revision, history, deadlines,
  quarantine, the cursor, a transaction per page. Screening is its own job (the
  ``screen`` task, on the checks queue) over the stored messages: it is timed and
  printed apart, not in the ratio.

It then checks that every incident is stored exactly once.

    .venv/bin/python benchmarks/ingest.py [--incidents 22000]

Last line: JSON ``{"incidents", "ingest_s", "baseline_s", "ingest_ratio_vs_bulk_insert"}``
with ratio = baseline_s / ingest_s (1.0 would be as fast as a bare bulk insert).
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from typing import Any

from _common import (
    Mock,
    Phases,
    bridge_app,
    engine_of,
    fresh_database,
    log,
    mock_server,
    unreachable,
    utc_now,
)
from sqlalchemy import Column, MetaData, Table, insert, text


def _default_page_size() -> int:
    """The product's own page size for the poll (``INCIDENT_BRIDGE_POLL_PAGE_SIZE``)."""
    from incident_bridge.config import DEFAULTS

    return int(DEFAULTS["INCIDENT_BRIDGE_POLL_PAGE_SIZE"])


PAGE_SIZE = _default_page_size()
#: What the bridge stores of a card (``services.ingest._copy_card``) and its own three columns.
COLUMNS = (
    "external_id", "number", "remote_created_at", "detected_at", "text", "author_name",
    "author_url", "platform", "post_url", "municipality", "topic_group", "topic", "importance",
    "attachments", "remote_step", "feedback", "remote_revision", "extra", "status", "arrived_at",
    "updated_at",
)  # fmt: skip


def plain_table() -> Table:
    """A table with the same columns and types as ``ib_incident``'s card columns, nothing more."""
    from incident_bridge.persistence.models import Incident

    source = Incident.__table__.columns
    return Table("bench_plain_incident", MetaData(), *(Column(n, source[n].type) for n in COLUMNS))


def fetch_all(mock: Mock, expected: int, page_size: int) -> list[Any]:
    """Every card, page by page, through a fresh adapter (token included)."""
    system = mock.system()
    cards: list[Any] = []
    cursor = None
    for _ in range(expected // page_size + 10):
        page = system.fetch_changes(cursor, page_size)
        cards.extend(page.cards)
        cursor = page.next_cursor
        if not page.has_more:
            break
    return cards


def row(card: Any, now: Any) -> dict[str, Any]:
    """The values the bridge would store for a new card."""
    return {
        "external_id": card.external_id, "number": card.number,
        "remote_created_at": card.created_at, "detected_at": card.detected_at,
        "text": card.text, "author_name": card.author.name, "author_url": card.author.profile_url,
        "platform": card.platform.value, "post_url": card.post_url,
        "municipality": card.municipality, "topic_group": card.topic_group, "topic": card.topic,
        "importance": card.importance.value, "attachments": list(card.attachments),
        "remote_step": card.step, "feedback": card.feedback.value if card.feedback else None,
        "remote_revision": card.revision, "extra": dict(card.extra), "status": "new",
        "arrived_at": now, "updated_at": now,
    }  # fmt: skip


def baseline(app: Any, mock: Mock, expected: int, page_size: int) -> tuple[float, float, int]:
    """Fetch every page, then one bulk INSERT into the plain table; seconds (all, fetch) and rows."""
    table = plain_table()
    engine = engine_of(app)
    table.create(engine)
    started = time.perf_counter()
    cards = fetch_all(mock, expected, page_size)
    fetched = time.perf_counter()
    now = utc_now()
    with engine.begin() as conn:
        conn.execute(insert(table), [row(c, now) for c in cards])
    return time.perf_counter() - started, fetched - started, len(cards)


def bridge(app: Any, mock: Mock, expected: int, page_size: int) -> tuple[float, Any]:
    """The bridge's own poll of every page; seconds and its result."""
    from incident_bridge.services.polling import poll

    with app.app_context():
        state = app.extensions["incident_bridge"]
        system = mock.system()
        started = time.perf_counter()
        result = poll(state.unit_of_work(), state.context, system, utc_now(),
                      page_size=page_size, max_pages=expected // page_size + 10)  # fmt: skip
        elapsed = time.perf_counter() - started
        state.session().remove()
    return elapsed, result


def screen(app: Any) -> tuple[float, int]:
    """The follow-up screening job over every new message; seconds and how many it read."""
    from incident_bridge.services.screening import screen_pending

    with app.app_context():
        state = app.extensions["incident_bridge"]
        started = time.perf_counter()
        total = screen_pending(state.unit_of_work(), state.context, utc_now())
        elapsed = time.perf_counter() - started
        state.session().remove()
    return elapsed, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=22_000)
    parser.add_argument(
        "--page-size",
        type=int,
        default=PAGE_SIZE,
        help="cards per page, both sides (default: the product's setting)",
    )
    args = parser.parse_args()

    if problem := unreachable():
        print(problem, file=sys.stderr)
        return 2
    phases = Phases()
    with ExitStack() as stack:
        with phases(f"mock with {args.incidents} incidents"):
            mock = stack.enter_context(mock_server(args.incidents))
        url = stack.enter_context(fresh_database("ingest"))
        with phases("migrate"):
            app = bridge_app(url)
        with phases("baseline: fetch + one bulk INSERT"):
            baseline_s, fetch_s, fetched = baseline(app, mock, args.incidents, args.page_size)
        with phases("bridge: poll"):
            ingest_s, result = bridge(app, mock, args.incidents, args.page_size)
        with phases("bridge: screen job over the stored messages (not in the ratio)"):
            screen_s, screened = screen(app)
        engine = engine_of(app)
        with engine.connect() as conn:
            stored, distinct = conn.execute(
                text("SELECT count(*), count(DISTINCT external_id) FROM ib_incident")
            ).one()
            unmatched = conn.execute(text(
                "SELECT count(*) FROM ib_incident i FULL JOIN bench_plain_incident p "
                "USING (external_id) WHERE i.id IS NULL OR p.external_id IS NULL"
            )).scalar_one()  # fmt: skip
            quarantined = conn.execute(text("SELECT count(*) FROM ib_quarantine")).scalar_one()
        engine.dispose()
        in_mock = mock.control("GET", "/stats")["incidents"]

    once = stored == distinct == in_mock == fetched and unmatched == 0 and quarantined == 0
    print(f"incidents in the mock: {in_mock}; fetched by the baseline: {fetched}")
    print(f"stored by the bridge: {stored} ({distinct} distinct; created {result.created}, "
          f"updated {result.updated}, stale {result.stale}, quarantined {quarantined}); "
          f"not matching the baseline's rows: {unmatched} -> "
          f"{'every incident stored once' if once else 'NOT every incident stored once'}")  # fmt: skip
    print(f"bridge: {ingest_s:.1f} s ({stored / ingest_s:.0f} incidents/s); baseline: "
          f"{baseline_s:.1f} s ({fetched / baseline_s:.0f} rows/s: fetch {fetch_s:.1f} s, "
          f"INSERT {baseline_s - fetch_s:.1f} s)")  # fmt: skip
    print(f"screen job over the stored messages: {screened} messages in {screen_s:.1f} s "
          f"({screened / max(screen_s, 1e-9):.0f} messages/s)")  # fmt: skip
    print(f"poll and screening one after the other (one worker doing both): "
          f"{ingest_s + screen_s:.1f} s")  # fmt: skip
    print(phases.summary())
    ratio = baseline_s / ingest_s
    log(f"ratio baseline/bridge {ratio:.3f} (goal ≥ 0.3)")
    print(json.dumps({"incidents": stored, "ingest_s": round(ingest_s, 2),
                      "baseline_s": round(baseline_s, 2),
                      "ingest_ratio_vs_bulk_insert": round(ratio, 4)}))  # fmt: skip
    return 0 if once else 1


if __name__ == "__main__":
    raise SystemExit(main())
