"""The operator's queue page on 100,000 incidents against a bare Flask page of the same 50 rows.

A fresh PostgreSQL database gets N open incidents with their histories and
drafts (``_common.bulk_open_incidents``: templates through the bridge's real use
cases, copied in bulk). An operator signs in once through the login form (Flask's
test client, CSRF token included), then each page is fetched K times:

- ``/`` (the queue as it opens), ``/?page=50`` and ``/?q=яма`` (Russian full text);
- the baseline, in the same run and on the same database: a tiny Flask app with
  one route doing one SELECT … LIMIT 50 of the same rows (the queue's order, its
  columns, the subdivision joined) rendered as a Jinja table.

SQL statements are counted per request with SQLAlchemy's
``before_cursor_execute`` listener (a page should need the same number whatever
its rows hold).

    .venv/bin/python benchmarks/queue_page.py [--incidents 100000] [--repeat 50]

Last line: JSON ``{"incidents", "queue_median_ms", "bare_median_ms",
"ratio_vs_bare", "queries_per_page"}`` for ``/``. Needs PostgreSQL
(BENCH_PG_ADMIN_URL, default postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from typing import Any

from _common import (
    OPERATOR,
    PASSWORD,
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
from flask import Flask, render_template_string
from sqlalchemy import create_engine, event, text

PAGES = ("/", "/?page=50", "/?q=яма")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SHOWN = re.compile(r"Показаны [^<]*?из [\d\u00a0]+")

#: The queue's first page as it opens: in work, nearest deadline first, 50 rows.
BARE_SQL = """
SELECT i.id, i.number, i.remote_created_at, i.author_name, i.platform, i.topic, i.text,
       i.status, i.due_at, s.name AS subdivision
FROM ib_incident i LEFT JOIN ib_subdivision s ON s.id = i.subdivision_id
WHERE i.status NOT IN ('closed', 'redirected', 'excluded')
ORDER BY i.due_at ASC NULLS LAST, i.id ASC
LIMIT 50
"""
BARE_TEMPLATE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Очередь</title></head>
<body><table><thead><tr><th>Номер</th><th>Создано</th><th>Автор</th><th>Площадка</th><th>Тема</th>
<th>Текст</th><th>Состояние</th><th>Подразделение</th><th>Срок</th></tr></thead><tbody>
{% for r in rows %}<tr><td><a href="/incidents/{{ r.id }}">{{ r.number }}</a></td>
<td>{{ r.remote_created_at.strftime('%d.%m.%Y %H:%M') }}</td><td>{{ r.author_name }}</td>
<td>{{ r.platform }}</td><td>{{ r.topic }}</td><td>{{ r.text[:140] }}</td><td>{{ r.status }}</td>
<td>{{ r.subdivision or '—' }}</td><td>{{ r.due_at.strftime('%d.%m %H:%M') if r.due_at else '—' }}</td>
</tr>{% endfor %}</tbody></table></body></html>"""


class QueryCounter:
    """Counts the SQL statements an engine sends."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


def bare_app(db_url: str) -> tuple[Flask, Any]:
    """The baseline: one route, one SELECT … LIMIT 50, one Jinja table."""
    engine = create_engine(db_url, pool_pre_ping=True)
    app = Flask("bare_queue")

    @app.get("/")
    def index() -> str:
        """The first 50 rows in work as a table."""
        with engine.connect() as conn:
            rows = conn.execute(text(BARE_SQL)).mappings().all()
        return render_template_string(BARE_TEMPLATE, rows=rows)

    return app, engine


def timed(
    client: Any, url: str, repeat: int, counter: QueryCounter
) -> tuple[list[float], set[int]]:
    """Milliseconds of each of ``repeat`` GETs (after two warm-ups) and the statements each sent."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    times, queries = [], set()
    for _ in range(repeat):
        before = counter.count
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        queries.add(counter.count - before)
        assert response.status_code == 200, (url, response.status_code)
    return times, queries


def sign_in(client: Any) -> None:
    """Through the login form, as a browser would (the CSRF token from the page)."""
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, "no CSRF token on /login"
    answer = client.post("/login", data={"csrf_token": match.group(1), "login": OPERATOR,
                                         "password": PASSWORD})  # fmt: skip
    assert answer.status_code == 302, f"sign-in failed: {answer.status_code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50, help="GETs of each page")
    args = parser.parse_args()
    if problem := unreachable():
        print(problem, file=sys.stderr)
        return 2
    phases = Phases()
    now = utc_now()
    medians: dict[str, float] = {}
    queries: dict[str, set[int]] = {}
    shown: dict[str, str] = {}
    with fresh_database("queue") as url:
        with phases("set-up: migrate, people, bulk open incidents"):
            app = bridge_app(url)
            add_people(app, now)
            statuses = bulk_open_incidents(app, args.incidents, now)
        incidents = sum(statuses.values())
        log(f"{incidents} incidents {statuses}")
        counter = QueryCounter(engine_of(app))
        client = app.test_client()
        sign_in(client)
        for page in PAGES:
            with phases(f"queue {page} × {args.repeat}"):
                times, queries[page] = timed(client, page, args.repeat, counter)
            medians[page] = statistics.median(times)
            found = _SHOWN.search(client.get(page).get_data(as_text=True))
            shown[page] = found.group(0).replace("\u00a0", " ") if found else "nothing shown"
            log(f"  {page}: median {medians[page]:.1f} ms, p90 "
                f"{statistics.quantiles(times, n=10)[-1]:.1f} ms, SQL statements {sorted(queries[page])}")  # fmt: skip
        rows_shown = client.get("/").get_data(as_text=True).count('href="/incidents/')
        bare, bare_engine = bare_app(url)
        bare_counter = QueryCounter(bare_engine)
        with phases(f"bare page × {args.repeat}"):
            bare_times, bare_queries = timed(bare.test_client(), "/", args.repeat, bare_counter)
        bare_median = statistics.median(bare_times)
        bare_engine.dispose()
        engine_of(app).dispose()

    per_page = max(queries["/"])
    ratio = medians["/"] / bare_median
    print(f"incidents: {incidents}; links to incidents on /: {rows_shown}")
    for page in PAGES:
        print(f"queue {page}: median {medians[page]:.1f} ms ({medians[page] / bare_median:.1f}× "
              f"bare); SQL statements per request {sorted(queries[page])}; «{shown[page]}»")  # fmt: skip
    print(
        f"bare page: median {bare_median:.1f} ms; SQL statements per request {sorted(bare_queries)}"
    )
    print(f"ratio of / to the bare page: {ratio:.1f} (goal ≤ 5)")
    print(phases.summary())
    print(json.dumps({"incidents": incidents, "queue_median_ms": round(medians["/"], 1),
                      "bare_median_ms": round(bare_median, 1), "ratio_vs_bare": round(ratio, 2),
                      "queries_per_page": per_page}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
