"""The REST API's queue on 100,000 incidents: the first page, a deep cursor page, a walk of the
whole queue and one message whole, against a bare Flask JSON route of the same 50 rows.

A fresh PostgreSQL database gets N open incidents with their histories and drafts
(``_common.bulk_open_incidents``). The operator's personal token signs every request
(the token's look-up and its rate limit are part of the cost). Fetched K times each:

- ``/api/v1/incidents?limit=50`` (in work, nearest deadline first);
- the page after position ~90 % of the queue, by its cursor (keyset pagination:
  as fast as the first page however deep);
- ``/api/v1/incidents/{id}`` (clocks, drafts, history, deliveries);
- the baseline: a bare Flask app doing one ``SELECT … LIMIT 50`` of the same rows and
  ``jsonify``-ing them.

Then the whole queue is walked once, 200 a page, checking every incident is seen once.

    .venv/bin/python benchmarks/api.py [--incidents 100000] [--repeat 30]

Last line: JSON ``{"incidents", "first_page_median_ms", "deep_page_median_ms",
"detail_median_ms", "bare_median_ms", "ratio_vs_bare", "deep_vs_first", "walk_all_s"}``.
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from _common import (
    OPERATOR,
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
from flask import Flask, jsonify
from queue_page import BARE_SQL
from sqlalchemy import create_engine, text


def bare_app(db_url: str) -> tuple[Flask, Any]:
    """The baseline: one route, one SELECT … LIMIT 50, as JSON."""
    engine = create_engine(db_url, pool_pre_ping=True)
    app = Flask("bare_api")

    @app.get("/")
    def index() -> Any:
        """The first 50 rows in work as JSON."""
        with engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(text(BARE_SQL)).mappings()]
        return jsonify(items=rows)

    return app, engine


def timed(client: Any, url: str, repeat: int, headers: dict[str, str]) -> list[float]:
    """Milliseconds of each of ``repeat`` GETs, after two warm-ups."""
    for _ in range(2):
        assert client.get(url, headers=headers).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def issue_token(app: Any) -> str:
    from datetime import UTC, datetime

    from incident_bridge.services import api_tokens, directory

    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        user = uow.people.user_by_login(OPERATOR)
        return api_tokens.create(uow, user.id, name="benchmark", expires_days=1,
                                 by=directory.CONSOLE, now=datetime.now(UTC)).token  # fmt: skip


def walk(client: Any, headers: dict[str, str], limit: int) -> tuple[list[int], list[str]]:
    """Every incident in work, page after page; the ids seen and each page's cursor."""
    seen: list[int] = []
    cursors: list[str] = []
    url = f"/api/v1/incidents?limit={limit}"
    while url:
        page = client.get(url, headers=headers).get_json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor:
            cursors.append(cursor)
        url = f"/api/v1/incidents?limit={limit}&cursor={cursor}" if cursor else ""
    return seen, cursors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="GETs of each URL")
    args = parser.parse_args()
    if problem := unreachable():
        print(problem, file=sys.stderr)
        return 2
    phases = Phases()
    now = utc_now()
    with fresh_database("api") as url:
        with phases("set-up: migrate, people, bulk open incidents"):
            app = bridge_app(url, INCIDENT_BRIDGE_API_RATE_LIMIT="1000000 per minute")
            add_people(app, now)
            statuses = bulk_open_incidents(app, args.incidents, now)
        incidents = sum(statuses.values())
        log(f"{incidents} incidents {statuses}")
        headers = {"Authorization": f"Bearer {issue_token(app)}"}
        client = app.test_client()
        first = client.get("/api/v1/incidents?limit=50", headers=headers).get_json()
        in_work = first["total"]
        with phases("walk the whole queue, 200 a page"):
            started = time.perf_counter()
            seen, cursors = walk(client, headers, 200)
            walk_s = time.perf_counter() - started
        assert len(seen) == len(set(seen)) == in_work, (len(seen), len(set(seen)), in_work)
        deep = cursors[int(len(cursors) * 0.9)]
        urls = {
            "first": "/api/v1/incidents?limit=50",
            "deep": f"/api/v1/incidents?limit=50&cursor={deep}",
            "detail": f"/api/v1/incidents/{first['items'][0]['id']}",
        }
        medians = {}
        for name, address in urls.items():
            with phases(f"{name} × {args.repeat}"):
                times = timed(client, address, args.repeat, headers)
            medians[name] = statistics.median(times)
            log(f"  {name}: median {medians[name]:.1f} ms, "
                f"p90 {statistics.quantiles(times, n=10)[-1]:.1f} ms")  # fmt: skip
        bare, bare_engine = bare_app(url)
        with phases(f"bare JSON × {args.repeat}"):
            bare_median = statistics.median(timed(bare.test_client(), "/", args.repeat, {}))
        bare_engine.dispose()
        engine_of(app).dispose()

    ratio = medians["first"] / bare_median
    deep_vs_first = medians["deep"] / medians["first"]
    print(f"incidents: {incidents}, in work: {in_work}; walked {len(seen)} once each "
          f"in {walk_s:.1f} s ({len(cursors) + 1} pages of 200)")  # fmt: skip
    for name in urls:
        print(f"{name}: median {medians[name]:.1f} ms")
    print(f"bare JSON: median {bare_median:.1f} ms; first page ÷ bare: {ratio:.1f} (goal ≤ 5); "
          f"deep ÷ first: {deep_vs_first:.2f} (goal ≤ 1.5)")  # fmt: skip
    print(phases.summary())
    print(json.dumps({"incidents": incidents, "first_page_median_ms": round(medians["first"], 1),
                      "deep_page_median_ms": round(medians["deep"], 1),
                      "detail_median_ms": round(medians["detail"], 1),
                      "bare_median_ms": round(bare_median, 1), "ratio_vs_bare": round(ratio, 2),
                      "deep_vs_first": round(deep_vs_first, 2), "walk_all_s": round(walk_s, 1)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
