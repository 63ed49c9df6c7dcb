"""The quarterly report page and its XLSX on a year of data (250,000 incidents), PostgreSQL.

A fresh database gets N incidents (``_common.bulk_open_incidents``: the mock's
cards through the bridge's real ingest and use cases, copied in bulk), spread over
the year before now, each with the finished stages a year of work leaves
(routing, drafting, review, the whole cycle; a rework for one in eight), returns
for rework, reviewer overrides, drafts that failed checks and the authors'
feedback — inserted in bulk by SQL, as the bridge stores them.

Then, signed in as the operator, K GETs of each of:

- ``/reports/?period=<last full quarter>`` (the page with its charts);
- ``/reports/report.xlsx?period=…`` (the workbook);
- the baseline, in the same run on the same database: a bare Flask route that
  counts the quarter's stages with one ``SELECT count(*)`` and renders the number.

    .venv/bin/python benchmarks/reports.py [--incidents 250000] [--repeat 10]

Last line: JSON ``{"incidents", "stages", "page_median_ms", "xlsx_median_ms",
"bare_median_ms", "page_ratio_vs_bare", "xlsx_ratio_vs_bare", "target_ms",
"meets_target"}``. The target (issue 14): page and XLSX each ≤ 3 s.
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from _common import (
    Phases,
    add_people,
    bridge_app,
    bulk_open_incidents,
    engine_of,
    fresh_database,
    log,
    unreachable,
    utc_now,
)
from flask import Flask
from queue_page import sign_in
from sqlalchemy import create_engine, text

TARGET_MS = 3000.0

#: A year of finished work, in bulk: times spread over the year, ~85 % on time.
SPREAD = """
UPDATE ib_incident i SET
    remote_created_at = :now - (random() * interval '365 days'),
    subdivision_id = (SELECT id FROM ib_subdivision ORDER BY id OFFSET (i.id % 4) LIMIT 1),
    assignee_id = (SELECT u.id FROM ib_user u WHERE u.role = 'executor'
                   ORDER BY u.id OFFSET (i.id % 4) LIMIT 1),
    feedback = (ARRAY['satisfied', 'neutral', 'dissatisfied', NULL, NULL])[1 + (i.id % 5)]
"""
STAGES = """
INSERT INTO ib_stage (incident_id, clock, started_at, due_at, stopped_at, met, spent_minutes,
                      subdivision_id, executor_id)
SELECT i.id, c.clock, i.remote_created_at + c.offset_min * interval '1 minute',
       i.remote_created_at + (c.offset_min + c.term) * interval '1 minute',
       i.remote_created_at + (c.offset_min + s.spent) * interval '1 minute',
       s.spent <= c.term, s.spent, i.subdivision_id,
       CASE WHEN c.who = 'executor' THEN i.assignee_id END
FROM ib_incident i
CROSS JOIN (VALUES ('route', 0, 60, 'operator'), ('draft', 60, 360, 'executor'),
                   ('review', 420, 30, 'operator'), ('total', 0, 480, 'operator'),
                   ('rework', 450, 30, 'executor')) AS c(clock, offset_min, term, who)
CROSS JOIN LATERAL (SELECT (c.term * (0.2 + random() * 1.0))::int AS spent) s
WHERE c.clock <> 'rework' OR i.id % 8 = 0
"""
EVENTS = """
INSERT INTO ib_incident_event (incident_id, kind, at, actor_id, actor_label, comment, data)
SELECT i.id, e.kind, i.remote_created_at + interval '7 hours', NULL, 'Оператор',
       e.comment, '{}'::json
FROM ib_incident i
JOIN (VALUES ('return', 8, 'Уточните срок'), ('approve', 30, 'Автор просил кратко'))
     AS e(kind, every, comment) ON i.id % e.every = 0
"""
CHECKS = "UPDATE ib_draft SET checks_failed = (id % 6 = 0)::int, submitted_at = now() - (random() * interval '365 days')"


def last_quarter(zone: ZoneInfo) -> str:
    today = utc_now().astimezone(zone).date()
    q = (today.month - 1) // 3  # the quarter before the current one, 0 meaning last year's IV
    return f"{today.year - 1}-Q4" if q == 0 else f"{today.year}-Q{q}"


def timed(client: Any, url: str, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` GETs, after one warm-up."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def bare_app(db_url: str, start: Any, end: Any) -> tuple[Flask, Any]:
    engine = create_engine(db_url)
    app = Flask("bare_report")

    @app.get("/")
    def count() -> str:
        with engine.connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM ib_stage WHERE stopped_at >= :s "
                                  "AND stopped_at < :e"), {"s": start, "e": end}).scalar()  # fmt: skip
        return f"<p>{n}</p>"

    return app, engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=10, help="GETs of each page")
    args = parser.parse_args()
    if problem := unreachable():
        print(problem, file=sys.stderr)
        return 2
    from incident_bridge.reports import periods

    phases = Phases()
    now = utc_now()
    zone = ZoneInfo("Europe/Moscow")
    key = last_quarter(zone)
    period = periods.parse(key, zone)
    with fresh_database("reports") as url:
        with phases("set-up: migrate, people, bulk incidents"):
            app = bridge_app(url)
            add_people(app, now - timedelta(days=400))
            bulk_open_incidents(app, args.incidents, now)
        with phases("set-up: a year of stages, returns, overrides, feedback"), engine_of(
            app
        ).begin() as conn:
            conn.execute(text(SPREAD), {"now": now})
            conn.execute(text(STAGES))
            conn.execute(text(EVENTS))
            conn.execute(text(CHECKS))
            conn.execute(text("ANALYZE"))
        with engine_of(app).connect() as conn:
            incidents = conn.execute(text("SELECT count(*) FROM ib_incident")).scalar_one()
            stages = conn.execute(text("SELECT count(*) FROM ib_stage")).scalar_one()
            in_quarter = conn.execute(
                text("SELECT count(*) FROM ib_stage WHERE stopped_at >= :s AND stopped_at < :e"),
                {"s": period.start, "e": period.end},
            ).scalar_one()
        log(f"{incidents} incidents, {stages} stages ({in_quarter} in {period.label})")
        client = app.test_client()
        sign_in(client)
        with phases(f"report page × {args.repeat}"):
            page = timed(client, f"/reports/?period={key}", args.repeat)
        with phases(f"report XLSX × {args.repeat}"):
            xlsx = timed(client, f"/reports/report.xlsx?period={key}", args.repeat)
        bare, bare_engine = bare_app(url, period.start, period.end)
        with phases(f"bare count × {args.repeat}"):
            base = timed(bare.test_client(), "/", args.repeat)
        bare_engine.dispose()
        engine_of(app).dispose()
    page_ms, xlsx_ms, bare_ms = (statistics.median(t) for t in (page, xlsx, base))
    print(f"incidents {incidents}; stages {stages}; the quarter {period.label}: {in_quarter} stages")
    print(f"report page: median {page_ms:.0f} ms, worst {max(page):.0f} ms ({page_ms / bare_ms:.1f}× bare)")
    print(f"report XLSX: median {xlsx_ms:.0f} ms, worst {max(xlsx):.0f} ms ({xlsx_ms / bare_ms:.1f}× bare)")
    print(f"bare count: median {bare_ms:.0f} ms")
    print(phases.summary())
    meets = max(max(page), max(xlsx)) <= TARGET_MS
    print(f"target: page and XLSX each ≤ {TARGET_MS:.0f} ms: {'met' if meets else 'NOT met'}")
    print(json.dumps({
        "incidents": incidents, "stages": stages, "page_median_ms": round(page_ms, 1),
        "xlsx_median_ms": round(xlsx_ms, 1), "bare_median_ms": round(bare_ms, 1),
        "page_ratio_vs_bare": round(page_ms / bare_ms, 2),
        "xlsx_ratio_vs_bare": round(xlsx_ms / bare_ms, 2), "target_ms": TARGET_MS,
        "meets_target": meets,
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
