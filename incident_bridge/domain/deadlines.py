"""Deadlines from a message's history: every clock of a profile, right to the minute.

``compute_clocks`` replays the history (oldest first; events after ``now`` are
ignored) through each clock of the profile. For every event, in this order, a
clock is *cancelled* (the step no longer applies: the message was excluded,
redirected, …), *stopped* (the step was done), *paused*, *resumed*, *started*.
The default events are ``profile_loader.DEFAULT_TRIGGERS``:

- ARRIVED starts ``route``, ``redirect`` and ``total`` (for Lipetsk-like
  profiles ARRIVED.at should be the detection time); DECLINE (an executor sends
  it back) restarts ``route``/``redirect``;
- ROUTE stops ``route`` and starts ``draft`` (and, where the executor decides
  competence, ``redirect``); REDIRECT stops ``redirect`` and ``total``;
- SUBMIT_DRAFT stops ``draft``/``rework`` and starts ``review``; RETURN starts
  ``rework``; APPROVE starts ``publish``; DELIVERED stops ``publish``;
- DELIVERED of an ANSWER or INTERIM meets ``total``; of an INTERIM starts
  ``final_after_interim`` (7 wd); of a CLARIFICATION pauses ``total`` while the
  author is asked (the draft clock has already been met by that submission);
- AUTHOR_REPLIED resumes ``total`` and starts ``after_clarification``;
- EXCLUDE cancels everything; CLOSE cancels the author-facing clocks.

A restarted clock (a second RETURN) reports its latest run. A clock with
``before`` ("4 h before the overall deadline") is due that long before the
other clock's due time, counted on its own basis, and waits while that clock
is paused. ``left_minutes`` is in the clock's basis: working minutes for a
working-time clock, plain minutes for a calendar one; negative when overdue.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar, cast

from incident_bridge.domain.events import EventKind, HistoryEvent
from incident_bridge.domain.model import DraftKind, Importance
from incident_bridge.domain.regulations import Basis, ClockRule, Profile, Term, Trigger, Unit
from incident_bridge.domain.workflow import Role, Status
from incident_bridge.domain.worktime import TimeAxis, WorkCalendar

S = TypeVar("S")
R = TypeVar("R")


class ClockStatus(enum.StrEnum):
    """Where a clock stands."""

    NOT_STARTED = "not_started"
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"
    CANCELLED = "cancelled"  # the step stopped applying (excluded, redirected, …)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ClockStatus.NOT_STARTED: "не начат",
    ClockStatus.ON_TIME: "в срок",
    ClockStatus.DUE_SOON: "срок истекает",
    ClockStatus.OVERDUE: "просрочен",
    ClockStatus.MET: "выполнен в срок",
    ClockStatus.MISSED: "выполнен с нарушением срока",
    ClockStatus.CANCELLED: "не требуется",
}
RUNNING = frozenset({ClockStatus.ON_TIME, ClockStatus.DUE_SOON, ClockStatus.OVERDUE})


@dataclass(frozen=True, slots=True)
class ClockState:
    """One clock of one message as of ``now``."""

    name: str
    label: str
    who: Role
    state: ClockStatus
    basis: Basis
    started_at: datetime | None = None
    due_at: datetime | None = None
    stopped_at: datetime | None = None
    paused: bool = False
    left_minutes: int | None = None
    track: str | None = None
    clause: str = ""
    #: A finished (met or missed) clock: the time it ran, in its basis, pauses left out.
    spent_minutes: int | None = None

    @property
    def running(self) -> bool:
        """True while the step is still to be done (paused or not)."""
        return self.state in RUNNING

    def describe_left(self) -> str:
        """``format_left`` of this clock, or an empty string when not meaningful."""
        return "" if self.left_minutes is None else format_left(self.left_minutes, self.basis)


@dataclass(slots=True)
class _Run:
    started_at: datetime
    segment_start: datetime | None  # None while paused
    consumed: timedelta = timedelta(0)
    paused_at: datetime | None = None
    stopped_at: datetime | None = None
    cancelled: bool = False
    due_before_pause: datetime | None = None  # what clocks relative to this one keep using


@dataclass(frozen=True, slots=True)
class _Triggers:
    """A rule's triggers as sets: whether an event matches is two look-ups."""

    any_draft: frozenset[EventKind]
    pairs: frozenset[tuple[EventKind, DraftKind | None]]

    @classmethod
    def of(cls, triggers: Iterable[Trigger]) -> _Triggers:
        triggers = tuple(triggers)
        return cls(
            frozenset(t.kind for t in triggers if t.draft_kind is None),
            frozenset((t.kind, t.draft_kind) for t in triggers if t.draft_kind is not None),
        )

    def __contains__(self, event: HistoryEvent) -> bool:
        return event.kind in self.any_draft or (event.kind, event.draft_kind) in self.pairs


@dataclass(frozen=True, slots=True)
class _Compiled:
    starts: _Triggers
    stops: _Triggers
    pauses: _Triggers
    resumes: _Triggers
    cancels: _Triggers


#: What is derived once from an immutable rule or profile (they are few, and live as
#: long as the process): keyed by the builder and the object's identity.
_DERIVED: dict[tuple[Callable[[Any], Any], int], tuple[object, Any]] = {}


def _once(build: Callable[[S], R], source: S) -> R:
    """``build(source)``, computed once per ``source`` object."""
    key = (build, id(source))
    known = _DERIVED.get(key)
    if known is not None and known[0] is source:
        return cast(R, known[1])
    value = build(source)
    _DERIVED[key] = (source, value)
    return value


def _compile(rule: ClockRule) -> _Compiled:
    return _Compiled(
        *(
            _Triggers.of(t)
            for t in (rule.starts, rule.stops, rule.pauses, rule.resumes, rule.cancels)
        )
    )


def _replay(
    rule: ClockRule, term: Term, events: Sequence[HistoryEvent], calendar: WorkCalendar
) -> _Run | None:
    triggers = _once(_compile, rule)
    starts_any, starts_pairs = triggers.starts.any_draft, triggers.starts.pairs
    run: _Run | None = None
    for event in events:
        if run is not None and run.stopped_at is None and not run.cancelled:
            if event in triggers.cancels:
                run.cancelled = True
            elif event in triggers.stops:
                run.stopped_at = event.at
            elif run.segment_start is not None and event in triggers.pauses:
                run.due_before_pause = _due(run, term, calendar)
                run.consumed += _axis(calendar, term).between(run.segment_start, event.at)
                run.segment_start, run.paused_at = None, event.at
            elif run.segment_start is None and event in triggers.resumes:
                run.segment_start, run.paused_at = event.at, None
        # The hot test, inline: most events start nothing.
        starts = event.kind in starts_any or (event.kind, event.draft_kind) in starts_pairs
        if starts and not (rule.once and run is not None):
            run = _Run(event.at, event.at)
    return run


#: The clock each body's part of a several-bodies message runs on its own.
PART_CLOCK = "part"


def part_histories(events: Sequence[HistoryEvent]) -> dict[int, list[HistoryEvent]]:
    """Each part's history: its own entries and the message's (an exclusion ends them all)."""
    parts = {e.part for e in events if e.part is not None}
    return {p: [e for e in events if e.part in (None, p)] for p in sorted(parts)}


def _most_urgent_part(
    rule: ClockRule, term: Term, history: Sequence[HistoryEvent], calendar: WorkCalendar
) -> _Run | None:
    """The message's ``part`` clock: the running part due first, else the latest part's run."""
    runs = [_replay(rule, term, h, calendar) for h in part_histories(history).values()]
    started = [r for r in runs if r is not None]
    running = [r for r in started if r.stopped_at is None and not r.cancelled]
    if running:
        return min(running, key=lambda r: _due(r, term, calendar) or r.started_at)
    return max(started, key=lambda r: r.started_at, default=None)


def part_clocks(
    events: Sequence[HistoryEvent], profile: Profile, calendar: WorkCalendar, now: datetime
) -> dict[int, ClockState]:
    """Each part's own ``part`` clock as of ``now``, by part id (none without the clock)."""
    if PART_CLOCK not in profile.clocks:
        return {}
    rule = profile.clocks[PART_CLOCK]
    out: dict[int, ClockState] = {}
    for part, history in part_histories([e for e in events if e.at <= now]).items():
        term, track = rule.term_for(active_tracks(history))
        run = _replay(rule, term, sorted(history, key=lambda e: e.at), calendar)
        if run is not None:
            axis = _axis(calendar, term)
            due = _due(run, term, calendar)
            out[part] = _state(
                rule, term, track, run, due, False, term.duration, axis, now, profile
            )
    return out


def _axis(calendar: WorkCalendar, term: Term) -> TimeAxis:
    return calendar.axis(term.basis is Basis.WORKING)


def _due(run: _Run, term: Term, calendar: WorkCalendar) -> datetime | None:
    if term.unit is Unit.WORKING_DAYS:
        return calendar.add_working_days(run.started_at, int(term.amount))
    if run.segment_start is None:
        return None
    return _axis(calendar, term).add(run.segment_start, term.duration - run.consumed)


def _minutes(delta: timedelta) -> int:
    """Whole minutes, rounded toward "less time left" so overdue shows at once."""
    return int(delta.total_seconds() // 60)


def active_tracks(events: Sequence[HistoryEvent], tracks: Iterable[str] = ()) -> frozenset[str]:
    """``tracks`` plus ``high`` when the card's latest known importance is high."""
    importance = None
    for event in events:
        if event.importance is not None:
            importance = event.importance
    extra = {"high"} if importance is Importance.HIGH else set()
    return frozenset(tracks) | extra


class _Evaluated(NamedTuple):
    """One clock replayed over a history: what its state and its due time are made of."""

    rule: ClockRule
    term: Term
    track: str | None
    run: _Run | None
    due: datetime | None
    paused: bool
    planned: timedelta | None
    axis: TimeAxis


def _order(profile: Profile) -> tuple[tuple[ClockRule, ...], frozenset[str]]:
    """The profile's clocks, those others are relative to first, and the names they refer to."""
    rules = tuple(sorted(profile.clocks.values(), key=lambda r: r.before is not None))
    return rules, frozenset(r.before for r in rules if r.before is not None)


def _evaluate(
    events: Sequence[HistoryEvent],
    profile: Profile,
    calendar: WorkCalendar,
    now: datetime,
    tracks: Iterable[str],
    *,
    running_only: bool = False,
) -> Iterator[_Evaluated]:
    """Each clock of ``profile`` replayed over the history as of ``now``.

    ``running_only`` (the nearest due time) leaves out what only a clock's state
    shows: clocks not started, finished clocks no other clock is relative to, and
    the planned duration.
    """
    history = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    active = active_tracks(history, tracks)
    dues: dict[str, tuple[datetime | None, bool]] = {}
    rules, referred = _once(_order, profile)
    for rule in rules:
        term, track = rule.term_for(active)
        axis = _axis(calendar, term)
        if rule.name == PART_CLOCK:
            run = _most_urgent_part(rule, term, history, calendar)
        else:
            run = _replay(rule, term, history, calendar)
        if run is None:
            dues[rule.name] = (None, False)
            if not running_only:
                yield _Evaluated(rule, term, track, None, None, False, None, axis)
            continue
        finished = run.stopped_at is not None or run.cancelled
        if running_only and finished and rule.name not in referred:
            continue
        if rule.before is not None:
            other_due, other_paused = dues.get(rule.before, (None, False))
            # While the other clock waits its due time is unknown; a finished run keeps the old one.
            paused = other_paused and run.stopped_at is None
            known = other_due is not None and not paused
            due = axis.add(other_due, -term.duration) if known and other_due else None
            planned = None
            if due is not None and not running_only:
                planned = axis.between(run.started_at, due)
        else:
            due = _due(run, term, calendar)
            paused = run.segment_start is None
            planned = term.duration if term.unit is not Unit.WORKING_DAYS else None
            if planned is None and due is not None and not running_only:
                planned = axis.between(run.started_at, due)
        live_pause = paused and not finished
        dues[rule.name] = (due or run.due_before_pause, live_pause)
        yield _Evaluated(rule, term, track, run, due, paused, planned, axis)


def compute_clocks(
    events: Sequence[HistoryEvent],
    profile: Profile,
    calendar: WorkCalendar,
    now: datetime,
    *,
    tracks: Iterable[str] = (),
) -> list[ClockState]:
    """Every clock of ``profile`` for a message with this history, as of ``now``.

    ``tracks`` switches on variants the history cannot tell (e.g. ``priority``
    for a post on the regional Government's account); ``high`` follows from
    the card's importance.
    """
    out: dict[str, ClockState] = {}
    for rule, term, track, run, due, paused, planned, axis in _evaluate(
        events, profile, calendar, now, tracks
    ):
        if run is None:
            out[rule.name] = ClockState(
                rule.name, rule.label, rule.who, ClockStatus.NOT_STARTED, term.basis,
                track=track, clause=rule.clause,
            )  # fmt: skip
        else:
            out[rule.name] = _state(
                rule, term, track, run, due, paused, planned, axis, now, profile
            )
    return [out[name] for name in profile.clocks if name in out]


def nearest_due(
    events: Sequence[HistoryEvent],
    profile: Profile,
    calendar: WorkCalendar,
    now: datetime,
    *,
    tracks: Iterable[str] = (),
) -> datetime | None:
    """``next_due(compute_clocks(...))`` without building every clock's state (the hot path
    of ingest and of the deadlines job)."""
    dues = [
        e.due
        for e in _evaluate(events, profile, calendar, now, tracks, running_only=True)
        if e.run is not None and not e.run.cancelled and e.run.stopped_at is None
        and not e.paused and e.due is not None
    ]  # fmt: skip
    return min(dues, default=None)


def _state(
    rule: ClockRule,
    term: Term,
    track: str | None,
    run: _Run,
    due: datetime | None,
    paused: bool,
    planned: timedelta | None,
    axis: TimeAxis,
    now: datetime,
    profile: Profile,
) -> ClockState:
    base = ClockState(
        name=rule.name,
        label=rule.label,
        who=rule.who,
        state=ClockStatus.ON_TIME,
        basis=term.basis,
        started_at=run.started_at,
        due_at=due,
        stopped_at=run.stopped_at,
        track=track,
        clause=rule.clause,
    )
    if run.cancelled:
        return replace(base, state=ClockStatus.CANCELLED)
    left: timedelta | None = None
    if due is not None:
        left = axis.between(run.stopped_at or now, due)
    elif paused and rule.before is None and term.unit is not Unit.WORKING_DAYS:
        left = term.duration - run.consumed
    if run.stopped_at is not None:
        met = left is None or left >= timedelta(0)
        status = ClockStatus.MET if met else ClockStatus.MISSED
        spent = run.consumed
        if run.segment_start is not None:
            spent += axis.between(run.segment_start, run.stopped_at)
        return replace(
            base, state=status, left_minutes=_none_or(left), spent_minutes=_minutes(spent)
        )
    if left is None:
        return replace(base, paused=paused)
    if due is not None and now > due and left >= timedelta(0):
        # Past the due moment after hours: no working time has gone by since, yet it is late.
        left = -timedelta(minutes=1)
    threshold = profile.due_soon.threshold(planned.total_seconds() / 60 if planned else 0)
    if left < timedelta(0):
        status = ClockStatus.OVERDUE
    elif left.total_seconds() / 60 <= threshold:
        status = ClockStatus.DUE_SOON
    else:
        status = ClockStatus.ON_TIME
    return replace(base, state=status, paused=paused, left_minutes=_minutes(left))


def _none_or(delta: timedelta | None) -> int | None:
    return None if delta is None else _minutes(delta)


#: The clock of the step a message waits for in each state, first present one wins: what the
#: queue headlines. A redirect is an alternative of routing: it shows on the message page only.
STEP_CLOCKS: dict[Status, tuple[str, ...]] = {
    Status.NEW: ("route",),
    Status.ROUTED: ("after_clarification", "draft", "redirect"),
    Status.ON_REVIEW: ("review",),
    Status.REWORK: ("rework",),
    Status.PUBLISHING: ("publish", "review"),
    Status.INTERIM_ANSWERED: ("final_after_interim",),
}


def headline(clocks: Iterable[ClockState], status: Status) -> ClockState | None:
    """The running clock of the message's current step, else the overall one, else None.

    When the overall deadline comes first (a message routed late), that is the one shown:
    the executor must not read a due time the whole answer is already late for.
    """
    running = {c.name: c for c in clocks if c.running and not c.paused and c.due_at is not None}
    total = running.get("total")
    for name in STEP_CLOCKS.get(status, ()):
        if name in running:
            step = running[name]
            due, total_due = step.due_at, total.due_at if total is not None else None
            if total is not None and due is not None and total_due is not None and total_due < due:
                return total
            return step
    return total


def next_due(clocks: Iterable[ClockState]) -> datetime | None:
    """The nearest due time among running, unpaused clocks (for sorting the queue)."""
    dues = [c.due_at for c in clocks if c.running and not c.paused and c.due_at is not None]
    return min(dues, default=None)


def _hm(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} ч {rest} мин"
    return f"{hours} ч" if hours else f"{rest} мин"


def format_left(minutes: int, basis: Basis = Basis.WORKING) -> str:
    """``"осталось 1 ч 20 мин рабочего времени"`` or ``"просрочено на 35 мин рабочего времени"``."""
    suffix = " рабочего времени" if basis is Basis.WORKING else ""
    if minutes < 0:
        return f"просрочено на {_hm(-minutes)}{suffix}"
    return f"осталось {_hm(minutes)}{suffix}"


def due_for(
    profile: Profile,
    calendar: WorkCalendar,
    clock: str,
    start: datetime,
    *,
    tracks: Iterable[str] = (),
) -> datetime:
    """Due time of ``clock`` started at ``start`` (a relative clock: both started then).

    Raises ``NotFound`` when the profile has no such clock.
    """
    rule = profile.clock(clock)
    term, _ = rule.term_for(tracks)
    if rule.before is not None:
        start = due_for(profile, calendar, rule.before, start, tracks=tracks)
        return _axis(calendar, term).add(start, -term.duration)
    return _due(_Run(start, start), term, calendar) or start
