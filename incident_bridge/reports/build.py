"""A report for one period: the figures, with names, against the period before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.domain.regulations import CLOCK_LABELS, Profile
from incident_bridge.domain.workflow import FINAL_STATUSES
from incident_bridge.persistence.models import Subdivision, User
from incident_bridge.reports.figures import (
    BY_BODY,
    BY_CLOCK,
    BY_EXECUTOR,
    FEEDBACK,
    Figures,
    StageFigure,
    Tally,
    figures,
    overdue_now,
)
from incident_bridge.reports.periods import Period

FEEDBACK_LABELS = {"satisfied": "доволен", "neutral": "нейтрален", "dissatisfied": "недоволен"}
#: The whole cycle: a message counts as answered in the period its ``total`` clock stopped.
TOTAL = "total"
NOBODY = "Без органа (не направлено)"


@dataclass(frozen=True, slots=True)
class ClockLine:
    """One clock: this period's runs and the period before's."""

    clock: str
    label: str
    now: StageFigure | None
    before: StageFigure | None


@dataclass(frozen=True, slots=True)
class PersonLine:
    """One body or one executor: its tallies and its clocks."""

    key: int | None
    name: str
    body: str
    tally: Tally
    clocks: dict[str, StageFigure]

    @property
    def answered(self) -> int:
        total = self.clocks.get(TOTAL)
        return total.count if total else 0


@dataclass(frozen=True, slots=True)
class Report:
    """What the report page, the XLSX and the DOCX show."""

    title: str
    period: Period
    previous: Period
    generated_at: datetime
    clocks: list[ClockLine]
    bodies: list[PersonLine]
    executors: list[PersonLine]
    totals: Tally
    previous_totals: Tally
    overdue_now: int

    def total_clock(self) -> ClockLine | None:
        return next((c for c in self.clocks if c.clock == TOTAL), None)


def build(session: Session, profile: Profile, period: Period, now: datetime) -> Report:
    """The report of ``period`` under ``profile``, as of ``now``."""
    this = figures(session, period)
    before = figures(session, period.previous(), breakdown=False)
    names: dict[int, str] = {
        sid: name for sid, name in session.execute(select(Subdivision.id, Subdivision.name))
    }
    people: dict[int, tuple[str, int | None]] = {
        uid: (name, body)
        for uid, name, body in session.execute(select(User.id, User.full_name, User.subdivision_id))
    }
    clocks = [
        ClockLine(name, CLOCK_LABELS[name], this.stage(name), before.stage(name))
        for name in profile.clocks
        if this.stage(name) or before.stage(name)
    ]
    return Report(
        title=profile.title,
        period=period,
        previous=period.previous(),
        generated_at=now,
        clocks=clocks,
        bodies=_bodies(this, names),
        executors=_executors(this, people, names),
        totals=this.total(),
        previous_totals=before.total(),
        overdue_now=overdue_now(session, now, tuple(s.value for s in FINAL_STATUSES)),
    )


def _by_key(figs: list[StageFigure]) -> dict[int | None, dict[str, StageFigure]]:
    out: dict[int | None, dict[str, StageFigure]] = {}
    for f in figs:
        out.setdefault(f.key, {})[f.clock] = f
    return out


def _bodies(this: Figures, names: dict[int, str]) -> list[PersonLine]:
    clocks = _by_key(this.stages[BY_BODY])
    keys = set(this.bodies) | set(clocks)
    lines = [
        PersonLine(
            k,
            names.get(k, NOBODY) if k else NOBODY,
            "",
            this.bodies.get(k, Tally()),
            clocks.get(k, {}),
        )  # fmt: skip
        for k in keys
    ]
    return sorted(lines, key=lambda line: (line.key is None, line.name))


def _executors(
    this: Figures, people: dict[int, tuple[str, int | None]], names: dict[int, str]
) -> list[PersonLine]:
    clocks = _by_key(this.stages[BY_EXECUTOR])
    keys = {k for k in set(this.executors) | set(clocks) if k is not None and k in people}
    lines = []
    for k in keys:
        name, body = people[k]
        lines.append(
            PersonLine(
                k,
                name,
                names.get(body, "") if body else "",
                this.executors.get(k, Tally()),
                clocks.get(k, {}),
            )  # fmt: skip
        )
    return sorted(lines, key=lambda line: (line.body, line.name))


def share(part: int, whole: int) -> str:
    """A share as Russian percent text: «87 %», or «—» of nothing."""
    return f"{round(100 * part / whole)} %" if whole else "—"


def hours(minutes: int | None) -> str:
    """Minutes as «1 ч 05 мин»."""
    if minutes is None:
        return "—"
    h, m = divmod(int(minutes), 60)
    return f"{h} ч {m:02d} мин" if h else f"{m} мин"


def zone_of(profile: Profile) -> ZoneInfo:
    return ZoneInfo(profile.timezone)


__all__ = ["FEEDBACK", "FEEDBACK_LABELS", "BY_CLOCK", "Report", "build", "hours", "share"]
