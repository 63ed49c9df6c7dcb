"""The report's figures, each one SQL aggregation over the stored stages and history.

Nothing is counted in Python loops over messages: every figure is a GROUP BY over
``ib_stage`` (the finished clock runs), ``ib_incident_event`` (returns, overrides),
``ib_draft`` (checks failed at submission) and ``ib_incident`` (arrivals, feedback),
restricted to the period by an indexed time column. The median and the 90th
percentile are nearest-rank (the smallest value with at least p·n values at or
below it), from window functions that SQLite and PostgreSQL share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from incident_bridge.persistence.models import Draft, Incident, IncidentEvent, Stage
from incident_bridge.reports.periods import Period

#: The history entries that count as a return for rework (locally or by the region).
RETURN_KINDS = ("return", "returned_remotely")
FEEDBACK = ("satisfied", "neutral", "dissatisfied")
#: By what the stage figures are grouped.
BY_CLOCK, BY_BODY, BY_EXECUTOR = "clock", "body", "executor"


@dataclass(frozen=True, slots=True)
class StageFigure:
    """One clock's finished runs (for one body or executor, or overall)."""

    key: int | None
    clock: str
    count: int
    on_time: int
    median: int
    p90: int

    @property
    def on_time_share(self) -> float:
        return self.on_time / self.count if self.count else 0.0


@dataclass(slots=True)
class Tally:
    """What is counted per body or executor beside the clocks."""

    arrived: int = 0
    returns: int = 0
    checks_failed: int = 0
    overrides: int = 0
    feedback: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDBACK, 0))

    @property
    def rated(self) -> int:
        return sum(self.feedback.values())


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything counted for one period."""

    stages: dict[str, list[StageFigure]]  # by BY_CLOCK / BY_BODY / BY_EXECUTOR
    bodies: dict[int | None, Tally]
    executors: dict[int | None, Tally]

    def total(self) -> Tally:
        """The tallies of every body added up."""
        out = Tally()
        for t in self.bodies.values():
            out.arrived += t.arrived
            out.returns += t.returns
            out.checks_failed += t.checks_failed
            out.overrides += t.overrides
            for k, v in t.feedback.items():
                out.feedback[k] += v
        return out

    def stage(self, clock: str, by: str = BY_CLOCK, key: int | None = None) -> StageFigure | None:
        return next((s for s in self.stages[by] if s.clock == clock and s.key == key), None)


def stage_figures(session: Session, period: Period, by: str) -> list[StageFigure]:
    """Count, on time, median and 90th percentile of each clock's finished runs, grouped."""
    raw: Any = None
    if by == BY_BODY:
        raw = Stage.subdivision_id
    elif by == BY_EXECUTOR:
        raw = Stage.executor_id
    key = (raw if raw is not None else literal(None)).label("key")
    where = [Stage.stopped_at >= period.start, Stage.stopped_at < period.end]
    if by == BY_EXECUTOR:
        where.append(Stage.executor_id.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        return _ordered_set(session, key, raw, where)
    partition = [Stage.clock] if raw is None else [raw, Stage.clock]
    ranked = (
        select(
            key,
            Stage.clock.label("clock"),
            Stage.met.label("met"),
            Stage.spent_minutes.label("spent"),
            func.row_number()
            .over(partition_by=partition, order_by=Stage.spent_minutes)
            .label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(*where)
        .subquery()
    )

    def rank(p: float) -> ColumnElement[Any]:
        return func.min(case((ranked.c.rn >= p * ranked.c.n, ranked.c.spent)))

    query = select(
        ranked.c.key,
        ranked.c.clock,
        func.count(),
        func.sum(case((ranked.c.met, 1), else_=0)),
        rank(0.5),
        rank(0.9),
    ).group_by(ranked.c.key, ranked.c.clock)
    return [
        StageFigure(key, clock, int(n), int(met or 0), int(median or 0), int(p90 or 0))
        for key, clock, n, met, median, p90 in session.execute(query)
    ]


def _ordered_set(
    session: Session, key: Any, raw: Any, where: list[ColumnElement[bool]]
) -> list[StageFigure]:
    """PostgreSQL: ``percentile_disc`` is the nearest rank, as one aggregate (no window)."""
    groups = [Stage.clock] if raw is None else [raw, Stage.clock]
    query = (
        select(
            key,
            Stage.clock,
            func.count(),
            func.sum(case((Stage.met, 1), else_=0)),
            func.percentile_disc(0.5).within_group(Stage.spent_minutes),
            func.percentile_disc(0.9).within_group(Stage.spent_minutes),
        )
        .where(*where)
        .group_by(*groups)
    )
    return [
        StageFigure(k, clock, int(n), int(met or 0), int(median or 0), int(p90 or 0))
        for k, clock, n, met, median, p90 in session.execute(query)
    ]


def figures(session: Session, period: Period, *, breakdown: bool = True) -> Figures:
    """Every figure of the period, in a fixed number of statements.

    ``breakdown`` False: the clocks overall only (the period before, for the dynamics).
    """
    groups = (BY_CLOCK, BY_BODY, BY_EXECUTOR) if breakdown else (BY_CLOCK,)
    stages = {by: stage_figures(session, period, by) for by in groups}
    stages.setdefault(BY_BODY, [])
    stages.setdefault(BY_EXECUTOR, [])
    bodies: dict[int | None, Tally] = defaultdict(Tally)
    executors: dict[int | None, Tally] = defaultdict(Tally)
    start, end = period.start, period.end

    arrived = select(Incident.subdivision_id, Incident.assignee_id, func.count()).where(
        Incident.remote_created_at >= start, Incident.remote_created_at < end
    )
    for body, executor, n in session.execute(
        arrived.group_by(Incident.subdivision_id, Incident.assignee_id)
    ):
        bodies[body].arrived += n
        if executor is not None:
            executors[executor].arrived += n

    def events(kinds: tuple[str, ...], *extra: ColumnElement[bool]) -> Any:
        query = (
            select(Incident.subdivision_id, Incident.assignee_id, func.count())
            .select_from(IncidentEvent)
            .join(Incident, Incident.id == IncidentEvent.incident_id)
            .where(IncidentEvent.kind.in_(kinds), IncidentEvent.at >= start, IncidentEvent.at < end)
            .where(*extra)
            .group_by(Incident.subdivision_id, Incident.assignee_id)
        )
        return session.execute(query)

    for body, executor, n in events(RETURN_KINDS):
        bodies[body].returns += n
        if executor is not None:
            executors[executor].returns += n
    # A reviewer's override: approved although a blocking check failed, with a reason.
    for body, executor, n in events(("approve",), IncidentEvent.comment.is_not(None)):
        bodies[body].overrides += n
        if executor is not None:
            executors[executor].overrides += n

    failed = (
        select(Draft.subdivision_id, Draft.author_id, func.count())
        .where(Draft.submitted_at >= start, Draft.submitted_at < end, Draft.checks_failed > 0)
        .group_by(Draft.subdivision_id, Draft.author_id)
    )
    for body, author, n in session.execute(failed):
        bodies[body].checks_failed += n
        executors[author].checks_failed += n

    # The authors' feedback on the messages answered in the period (the whole cycle ended).
    feedback = (
        select(Stage.subdivision_id, Incident.assignee_id, Incident.feedback, func.count())
        .select_from(Stage)
        .join(Incident, Incident.id == Stage.incident_id)
        .where(Stage.clock == "total", Stage.stopped_at >= start, Stage.stopped_at < end)
        .where(Incident.feedback.in_(FEEDBACK))
        .group_by(Stage.subdivision_id, Incident.assignee_id, Incident.feedback)
    )
    for body, executor, value, n in session.execute(feedback):
        bodies[body].feedback[str(value)] += n
        if executor is not None:
            executors[executor].feedback[str(value)] += n
    return Figures(stages, dict(bodies), dict(executors))


def overdue_now(session: Session, now: datetime, final: tuple[str, ...]) -> int:
    """Messages in work whose nearest deadline has passed."""
    query = select(func.count()).where(Incident.due_at < now, Incident.status.not_in(final))
    return int(session.scalar(query) or 0)
