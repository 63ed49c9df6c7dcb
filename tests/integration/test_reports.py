"""The report's figures for a seeded quarter, against the figures counted by hand from the
history (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from incident_bridge.domain.model import DraftKind, IncidentPage
from incident_bridge.persistence.models import Incident, Stage
from incident_bridge.reports import periods
from incident_bridge.reports.build import build
from incident_bridge.services import deadlines, ingest, outbox, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import FakeIncidentSystem, make_card

MSK = ZoneInfo("Europe/Moscow")
ANSWER = "Здравствуйте, Иван! Яму на улице Ленина у дома 12 заделают до 5 сентября."


def at(day: int, hh: int, mm: int = 0, month: int = 9) -> datetime:
    """A moment of 2026 in Moscow time, as UTC."""
    return datetime(2026, month, day, hh, mm, tzinfo=MSK).astimezone(UTC)


def _arrive(uow: Any, ctx: Any, created: datetime, number: str) -> Incident:
    card = make_card(number=number, created_at=created, detected_at=created)
    with uow:
        result = ingest.ingest_page(uow, ctx, IncidentPage((card,), (), None, False), created)
    incident = uow.incidents.get(result.incident_ids[0])
    assert incident is not None
    return incident


def _publish(uow: Any, ctx: Any, when: datetime) -> None:
    outbox.push(uow, ctx, FakeIncidentSystem(), when)


def _seed(uow: Any, ctx: Any, people: dict[str, Any]) -> dict[str, Incident]:
    operator = actor_for(people["operator"])
    executor = actor_for(people["roads_executor"])
    roads = people["roads"].id

    # A: routed in 30 min, drafted in 3 h, checked in 15 min: every step on time.
    a = _arrive(uow, ctx, at(1, 9), "A-1")
    workflow.route(uow, ctx, a.id, operator, roads, now=at(1, 9, 30))
    workflow.submit_draft(uow, ctx, a.id, executor, DraftKind.ANSWER, ANSWER, now=at(1, 12, 30))
    workflow.approve(uow, ctx, a.id, operator, now=at(1, 12, 45))
    _publish(uow, ctx, at(1, 12, 50))

    # B: routed after 2 h (late), drafted in 5 working hours, returned, reworked in 80 min
    # (late), approved; the whole cycle took 8 h 55 min of working time (late).
    b = _arrive(uow, ctx, at(2, 9), "B-1")
    workflow.route(uow, ctx, b.id, operator, roads, now=at(2, 11))
    workflow.submit_draft(uow, ctx, b.id, executor, DraftKind.ANSWER, ANSWER, now=at(2, 17))
    workflow.return_for_rework(uow, ctx, b.id, operator, "Уточните срок", now=at(2, 17, 20))
    workflow.submit_draft(uow, ctx, b.id, executor, DraftKind.ANSWER, ANSWER, now=at(3, 9, 40))
    workflow.approve(uow, ctx, b.id, operator, now=at(3, 9, 50))
    _publish(uow, ctx, at(3, 9, 55))

    # C, in the quarter before: routed in 10 minutes, then left.
    c = _arrive(uow, ctx, at(10, 9, month=6), "C-1")
    workflow.route(uow, ctx, c.id, operator, roads, now=at(10, 9, 10, month=6))
    with uow:
        for incident, value in ((a, "satisfied"), (b, "dissatisfied")):
            stored = uow.incidents.get(incident.id)
            assert stored is not None
            stored.feedback = value
    return {"a": a, "b": b, "c": c}


def test_a_quarter_counted_by_hand(uow, ctx, people, db_session):
    _seed(uow, ctx, people)
    quarter = periods.parse("2026-Q3", MSK)
    report = build(db_session, ctx.profile, quarter, at(1, 12, month=10))
    clocks = {c.clock: c.now for c in report.clocks}
    #            count, on time, median, p90 (working minutes)
    expected = {
        "route": (2, 1, 30, 120),
        "draft": (2, 2, 180, 300),
        # Yelets п. 7: the department checks *and publishes* within 30 minutes, so its
        # review ends at publication: A 12:30–12:50; B 17:00–17:20, then 09:40–09:55.
        "review": (3, 3, 20, 20),
        "rework": (1, 0, 80, 80),  # 17:20–18:00 and 09:00–09:40
        "total": (2, 1, 230, 535),  # 09:00–12:50; 09:00–18:00 less lunch, then 09:00–09:55
    }
    for clock, (count, on_time, median, p90) in expected.items():
        figure = clocks[clock]
        assert figure is not None, clock
        assert (figure.count, figure.on_time, figure.median, figure.p90) == (
            count, on_time, median, p90,
        ), clock  # fmt: skip
    assert report.totals.arrived == 2 and report.previous_totals.arrived == 1
    assert report.totals.returns == 1 and report.totals.overrides == 0
    assert report.totals.feedback == {"satisfied": 1, "neutral": 0, "dissatisfied": 1}
    (roads,) = [b for b in report.bodies if b.name == "Управление дорожного хозяйства"]
    assert roads.answered == 2 and roads.tally.returns == 1
    (executor,) = report.executors
    assert executor.name == "Roads" and executor.clocks["draft"].count == 2
    # The quarter before: C's routing only.
    before = {c.clock: c.before for c in report.clocks}
    assert before["route"] is not None and before["route"].count == 1
    assert before["total"] is None


def test_stages_are_stored_once_per_run_and_rebuilt_the_same(uow, ctx, people, db_session):
    seeded = _seed(uow, ctx, people)
    stored = sorted(
        (s.clock, s.started_at, s.spent_minutes, s.met) for s in db_session.query(Stage).all()
    )
    assert len(stored) == len(set(stored))
    # Recomputing every message's clocks adds nothing: each run is already there.
    with uow:
        for incident in seeded.values():
            loaded = uow.incidents.get(incident.id)
            assert loaded is not None
            deadlines.refresh(ctx, loaded, at(1, 12, month=12), [])
    again = sorted(
        (s.clock, s.started_at, s.spent_minutes, s.met) for s in db_session.query(Stage).all()
    )
    assert again == stored


def test_median_and_90th_percentile_are_nearest_rank(uow, ctx, people, db_session):
    incident = _arrive(uow, ctx, at(1, 9), "P-1")
    with uow:
        for minutes in (7, 1, 10, 3, 5, 2, 9, 4, 8, 6):  # 1..10, shuffled
            start = at(1, 9, minutes)
            uow.add(Stage(incident_id=incident.id, clock="draft", started_at=start, due_at=None,
                          stopped_at=start, met=minutes <= 6, spent_minutes=minutes))  # fmt: skip
    report = build(db_session, ctx.profile, periods.parse("2026-09", MSK), at(30, 9))
    (draft,) = [c.now for c in report.clocks if c.clock == "draft"]
    assert draft is not None
    assert (draft.count, draft.on_time, draft.median, draft.p90) == (10, 6, 5, 9)


def test_rebuilding_the_stages_of_old_messages_restores_each_clocks_latest_run(
    uow, ctx, people, db_session
):
    _seed(uow, ctx, people)
    quarter = periods.parse("2026-Q3", MSK)
    first = build(db_session, ctx.profile, quarter, at(1, 12, month=10))
    with uow:
        for stage in db_session.query(Stage).all():
            db_session.delete(stage)  # as if kept before the reports existed
    # A clock's state keeps its latest run: B's first review (returned) is not recovered.
    assert deadlines.rebuild_stages(uow, ctx, at(1, 12, month=10), batch=2) == 10
    assert deadlines.rebuild_stages(uow, ctx, at(1, 12, month=10)) == 0  # idempotent
    again = build(db_session, ctx.profile, quarter, at(1, 12, month=10))
    same = [c.now for c in again.clocks if c.clock != "review"]
    assert same == [c.now for c in first.clocks if c.clock != "review"]
    (review,) = [c.now for c in again.clocks if c.clock == "review"]
    assert review is not None and review.count == 2


def test_the_bodies_rating_is_recounted_from_the_reports_figures(uow, ctx, people, db_session):
    from dataclasses import replace

    from incident_bridge.reports.rating import rating, staff_kpi

    _seed(uow, ctx, people)
    report = build(db_session, ctx.profile, periods.parse("2026-Q3", MSK), at(1, 12, month=10))
    rule = replace(ctx.profile.rating, min_answered=2)
    (roads,) = [
        r for r in rating(report.bodies, rule) if r.name == "Управление дорожного хозяйства"
    ]
    # On time 1 of 2; returned once in 2 answers; no overrides; satisfied 1, dissatisfied 1.
    assert roads.components == {"timeliness": 0.5, "returns": 0.5, "overrides": 1.0,
                                "feedback": 0.5}  # fmt: skip
    assert roads.score == 55.0 and roads.place == 1  # (0.4·0.5 + 0.2·0.5 + 0.1·1 + 0.3·0.5) / 1
    # Too few answers for the profile's threshold (5): listed, unrated.
    (unrated,) = [r for r in rating(report.bodies, ctx.profile.rating) if r.name == roads.name]
    assert unrated.score is None and unrated.place is None
    # Feedback not in: the other weights scale up.
    weights = replace(rule, feedback=0.0)
    (no_feedback,) = [r for r in rating(report.bodies, weights) if r.name == roads.name]
    assert no_feedback.score == round(100 * (0.4 * 0.5 + 0.2 * 0.5 + 0.1 * 1) / 0.7, 1)
    (kpi,) = staff_kpi(report.executors)
    assert (kpi.name, kpi.runs, kpi.on_time, kpi.returns) == (
        "Roads",
        3,
        2,
        1,
    )  # drafts 2/2, rework 0/1


def test_the_analytical_note_counts_what_was_resolved_positively(uow, ctx, people, db_session):
    from incident_bridge.reports.note import note
    from incident_bridge.services import resolution

    seeded = _seed(uow, ctx, people)
    with uow:
        c = uow.incidents.get(seeded["c"].id)
        assert c is not None
    # B's author was dissatisfied, yet the department marks the matter resolved later.
    resolution.mark_resolved(uow, ctx, seeded["b"].id, actor_for(people["operator"]),
                             now=at(10, 10))  # fmt: skip
    figures = note(db_session, "Елец", periods.parse("2026-09", MSK))
    assert (figures.arrived, figures.answered, figures.resolved) == (2, 2, 2)
    assert figures.topics == [("Ямы на дорогах", 2)]
    assert [t.number for t in figures.top] == ["A-1", "B-1"]
    assert all(t.resolved for t in figures.top)
