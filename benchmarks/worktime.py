"""Working-time `add`: our calendar against pandas' CustomBusinessHour on 100,000 pairs.

The calendar both can express exactly: time zone UTC, Monday–Friday 09:00–18:00
without a lunch break, every weekday that is a day off in Russia in 2024–2027
(public holidays and transferred days off) as pandas ``holidays``; no working
weekends and no shortened days (pandas can express neither). Durations are whole
business hours (pandas' ``n``); starts are random minutes, often outside hours.
A result exactly at closing time is reported by pandas as the next opening, so
ours is asked for the same convention (``later=True``).

Run: .venv/bin/python benchmarks/worktime.py [--pairs N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from incident_bridge.domain.production_calendar import ProductionCalendar, russian_calendar
from incident_bridge.domain.worktime import WeeklySchedule, WorkCalendar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20251030)
    args = parser.parse_args()

    russia = russian_calendar(range(2024, 2028))
    days_off = sorted(d for d in russia.days_off if d.weekday() < 5)
    calendar = WorkCalendar(
        "UTC",
        WeeklySchedule.parse({d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}),
        production=ProductionCalendar(days_off=frozenset(days_off)),
        years=(2024, 2028),
    )
    holidays = [d.isoformat() for d in days_off]

    rng = random.Random(args.seed)
    first = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) // 60
    last = int(datetime(2027, 10, 1, tzinfo=UTC).timestamp()) // 60
    starts = [rng.randrange(first, last) * 60 for _ in range(args.pairs)]
    hours = [rng.randint(1, 80) for _ in range(args.pairs)]
    print(f"{args.pairs} pairs, seed {args.seed}, {len(holidays)} weekday days off", flush=True)

    offsets = {
        n: pd.offsets.CustomBusinessHour(n=n, start="09:00", end="18:00", holidays=holidays)
        for n in set(hours)
    }
    stamps = [pd.Timestamp(s, unit="s") for s in starts]
    print("pandas: adding ...", flush=True)
    t0 = time.perf_counter()
    theirs = []
    for i, (stamp, n) in enumerate(zip(stamps, hours, strict=True)):
        theirs.append(stamp + offsets[n])
        if i and i % 20_000 == 0:
            print(f"  pandas {i}/{args.pairs}", flush=True)
    pandas_s = time.perf_counter() - t0
    their_seconds = [int(t.value // 1_000_000_000) for t in theirs]
    print(f"pandas: {pandas_s:.3f} s", flush=True)

    t0 = time.perf_counter()
    ours = calendar.add_many(starts, [h * 3600 for h in hours], later=True)
    batch_s = time.perf_counter() - t0
    print(f"ours (batch, epoch seconds): {batch_s:.3f} s", flush=True)

    moments = [datetime.fromtimestamp(s, UTC) for s in starts]
    spans = [timedelta(hours=h) for h in hours]
    t0 = time.perf_counter()
    single = [calendar.add(m, d) for m, d in zip(moments, spans, strict=True)]
    single_s = time.perf_counter() - t0
    print(f"ours (one add() per pair, datetimes): {single_s:.3f} s", flush=True)
    # add() keeps the closing-time convention: it must be the same working position.
    same_position = all(
        calendar.between(a, b) == timedelta(0)
        for a, b in zip(single, (datetime.fromtimestamp(s, UTC) for s in ours), strict=True)
    )

    mismatches = [i for i, (a, b) in enumerate(zip(ours, their_seconds, strict=True)) if a != b]
    for i in mismatches[:5]:
        print(f"  differs: start {stamps[i]} + {hours[i]} h: ours "
              f"{datetime.fromtimestamp(ours[i], UTC)}, pandas {theirs[i]}", file=sys.stderr)  # fmt: skip
    identical = not mismatches and same_position
    print(f"identical: {identical} ({len(mismatches)} differ); "
          f"speed-up: batch {pandas_s / batch_s:.1f}x, single {pandas_s / single_s:.1f}x", flush=True)  # fmt: skip
    assert date(2024, 1, 1) <= date.fromtimestamp(max(ours)) <= date(2028, 12, 31)
    print(json.dumps({
        "pairs": args.pairs, "identical": identical, "speedup_vs_pandas": round(pandas_s / batch_s, 1)
    }))  # fmt: skip


if __name__ == "__main__":
    main()
