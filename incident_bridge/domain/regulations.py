"""Regulation profiles: everything a municipality's regulation decides, as one value.

A ``Profile`` holds every rule of one regulation, each with the clause it comes
from: its clocks, who takes each step, which checks block approval of each kind
of draft, and whether (and on what grounds) a message is excluded from work.
Where the regulation is silent and the organisation decided, the clause says
``ORGANISATION_RULE``; a clause of another regulation is never borrowed.
Profiles are loaded from TOML files by ``profile_loader``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import Action, Role
from incident_bridge.domain.worktime import CalendarOverride, WeeklySchedule, WorkCalendar

DEFAULT_PROFILE = "yelets"

#: The clause of a rule the regulation does not set and the organisation adopted.
ORGANISATION_RULE = "регламентом не установлено; принято организацией"

CLOCK_LABELS = {
    "route": "Направление исполнителю",
    "redirect": "Перенаправление (не в компетенции)",
    "draft": "Подготовка проекта ответа",
    "review": "Проверка проекта",
    "rework": "Доработка проекта",
    "publish": "Размещение ответа",
    "total": "Общий срок ответа",
    "final_after_interim": "Окончательный ответ после промежуточного",
    "part": "Часть ответа соисполнителя",
    "after_clarification": "Ответ после уточнения автора",
}
CLOCK_NAMES = tuple(CLOCK_LABELS)
#: Roles a clock or a step may name: the people of the workflow (an admin is not one).
REGULATION_ROLES = frozenset(Role) - {Role.ADMIN}


class Unit(enum.StrEnum):
    """What a clock's amount counts."""

    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"


class Basis(enum.StrEnum):
    """Whether a clock runs on working time or on calendar time."""

    WORKING = "working"
    CALENDAR = "calendar"


class CountsFrom(enum.StrEnum):
    """When a message's clocks start: its creation in the incident system, or its detection.

    Never the bridge's own sync time: after an outage or a backlog an overdue message
    must look overdue.
    """

    CREATION = "creation"  # the card's creation time («поступление в подсистему»)
    DETECTION = "detection"  # the card's detection time («с момента выявления»)


@dataclass(frozen=True, slots=True)
class Trigger:
    """An event that acts on a clock: a kind, optionally only for one draft kind."""

    kind: EventKind
    draft_kind: DraftKind | None = None

    @classmethod
    def parse(cls, text: str) -> Trigger:
        """``"delivered:interim"`` -> ``Trigger(DELIVERED, INTERIM)``."""
        kind, _, draft = text.partition(":")
        try:
            return cls(EventKind(kind), DraftKind(draft) if draft else None)
        except ValueError as exc:
            raise InvalidInput(
                f"«{text}» is not an event (like route or delivered:interim)"
            ) from exc

    def __str__(self) -> str:
        return f"{self.kind}:{self.draft_kind}" if self.draft_kind else str(self.kind)


@functools.cache
def _duration(amount: float, unit: Unit) -> timedelta:
    """Terms are few and their durations asked for on every replay of a clock."""
    if unit is Unit.WORKING_DAYS:
        raise InvalidInput("a term in working days has no fixed duration")
    return timedelta(minutes=amount * (60 if unit is Unit.HOURS else 1))


@dataclass(frozen=True, slots=True)
class Term:
    """How long a clock runs: amount, unit and basis."""

    amount: float
    unit: Unit
    basis: Basis = Basis.WORKING

    @property
    def duration(self) -> timedelta:
        """The term as a duration (minutes and hours only)."""
        return _duration(self.amount, self.unit)

    def describe(self) -> str:
        """Russian wording, e.g. «8 раб. ч» or «30 мин» (calendar time)."""
        amount = f"{self.amount:g}"
        if self.unit is Unit.WORKING_DAYS:
            return f"{amount} раб. дн."
        unit = "ч" if self.unit is Unit.HOURS else "мин"
        return f"{amount} {'раб. ' if self.basis is Basis.WORKING else ''}{unit}"


@dataclass(frozen=True, slots=True)
class Variant:
    """A shorter term of a clock on a track (``high`` importance, ``priority`` accounts)."""

    term: Term
    clause: str


@dataclass(frozen=True, slots=True)
class ClockRule:
    """One clock of a profile: its term, the events that drive it and who answers for it.

    ``before`` names another clock: the due time is then ``term`` before that
    clock's due time ("no later than 4 hours before the overall deadline").
    ``variants`` are shorter terms for tracks such as ``high`` importance.
    """

    name: str
    term: Term
    who: Role
    clause: str
    starts: tuple[Trigger, ...] = ()
    stops: tuple[Trigger, ...] = ()
    pauses: tuple[Trigger, ...] = ()
    resumes: tuple[Trigger, ...] = ()
    cancels: tuple[Trigger, ...] = ()
    once: bool = False
    before: str | None = None
    variants: Mapping[str, Variant] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The clock's Russian name."""
        return CLOCK_LABELS[self.name]

    def term_for(self, tracks: Iterable[str]) -> tuple[Term, str | None]:
        """The term of the first variant whose track is active, else the base term."""
        if not self.variants:
            return self.term, None
        active = set(tracks)
        for track, variant in self.variants.items():
            if track in active:
                return variant.term, track
        return self.term, None


@dataclass(frozen=True, slots=True)
class Step:
    """Who takes one person's action of the workflow, and the clause that says so."""

    action: Action
    who: Role
    clause: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Whether the regulation excludes messages from work, and on what grounds.

    ``clause`` is None when the regulation names no grounds: then the person who
    excludes a message writes the grounds, and ``grounds`` says why.
    """

    clause: str | None
    grounds: str

    @property
    def grounds_required(self) -> bool:
        """Whether the person must write the grounds (the regulation gives none)."""
        return self.clause is None


@dataclass(frozen=True, slots=True)
class DueSoon:
    """When a running clock turns «due soon»: under ``fraction`` of its term, at most ``max_minutes``."""

    fraction: float = 0.2
    max_minutes: int = 60

    def threshold(self, term_minutes: float) -> float:
        """Minutes left below which the clock is due soon."""
        return min(self.fraction * term_minutes, self.max_minutes)


class Combiner(enum.StrEnum):
    """Who writes the combined answer when several bodies share a message."""

    CURATOR = "curator"  # the coordinating body, from the parts it received
    LAST = "last"  # the body whose part came last, from everyone's parts
    # No combined answer: each body's part is published on its own, with the curator's
    # consent (Leningrad 8.9); offered only where the profile says ``publish_in_turn``.
    IN_TURN = "in_turn"

    @property
    def label(self) -> str:
        return COMBINER_LABELS[self]


COMBINER_LABELS = {
    Combiner.CURATOR: "Общий ответ готовит куратор",
    Combiner.LAST: "Общий ответ готовит последний исполнитель",
    Combiner.IN_TURN: "Ответы органов публикуются по очереди, с согласия куратора",
}


class PartsMode(enum.StrEnum):
    """How the bodies sharing a message work: one after another, or all at once."""

    IN_ORDER = "in_order"
    AT_ONCE = "at_once"

    @property
    def label(self) -> str:
        return PARTS_MODE_LABELS[self]


PARTS_MODE_LABELS = {
    PartsMode.IN_ORDER: "по очереди, в порядке, заданном куратором",
    PartsMode.AT_ONCE: "одновременно",
}


@dataclass(frozen=True, slots=True)
class Parts:
    """Several bodies answering one message (Lipetsk 14, Leningrad 8.9, Sobolevo 17).

    ``assign`` picks the bodies and how they work; ``combiners`` are who may write
    the combined answer (the first is the default); ``publish_in_turn``: the parts
    may be published one after another, with the assigning role's consent.
    """

    clause: str
    assign: Role
    combiners: tuple[Combiner, ...]
    publish_in_turn: bool = False

    @property
    def ways(self) -> tuple[Combiner, ...]:
        """How the answer may come about: a writer of the combined answer, or in turn."""
        return self.combiners + ((Combiner.IN_TURN,) if self.publish_in_turn else ())


@dataclass(frozen=True, slots=True)
class Repeats:
    """Repeat messages on a question already handled (Lipetsk 15, Leningrad 8.10, Sobolevo 18).

    A repeat is found whatever the regulation says (same author, same place and topic
    within ``window_days``, or a text quoting an earlier number) and linked both ways;
    ``clause`` None means the regulation is silent, so a repeat is neither routed to
    the earlier bodies by default nor held to report the measures taken.
    """

    clause: str | None
    window_days: int = 30

    @property
    def route_to_earlier(self) -> bool:
        """Whether a repeat goes by default to the bodies of the earlier message."""
        return self.clause is not None

    @property
    def report_measures(self) -> bool:
        """Whether the answer to a repeat must say what was done or how the matter stands."""
        return self.clause is not None


@dataclass(frozen=True, slots=True)
class People:
    """Bodies' executors standing in for each other (Lipetsk 5, Leningrad 6, Sobolevo 7).

    ``manage`` records absences, stand-ins and the responsible officials (an admin may
    stand in). ``replace_within``: how soon a body left without an active executor must
    get one (Sobolevo: 3 calendar days), with its clause; None where the text sets none.
    """

    clause: str
    manage: Role
    replace_within: Term | None = None
    replace_clause: str | None = None


@dataclass(frozen=True, slots=True)
class Watch:
    """Watching the comments under the head's posts (Leningrad cl.7).

    For ``continuous`` after a post is published the bodies in charge watch it
    without a break; then they check it once every ``every`` (working time) until
    ``span`` after the continuous watch ended. ``register`` records a post,
    ``tick`` ticks a task off.
    """

    clause: str
    register: Role
    tick: Role
    continuous: Term
    every: Term
    span: Term


@dataclass(frozen=True, slots=True)
class Escalation:
    """Who is told what, and when (Lipetsk 19, 21–22; Leningrad 12, 14; Sobolevo 25).

    ``warn_before``: minutes of working time before a clock's due time that its
    person is warned, per clock name (``"*"`` for every other clock; 0: no warning).
    At a breach the body's responsible official is told. Deficiencies go to the
    supervising deputy head (``deputy_clause``): ``breaches`` missed clocks of one body
    within ``breach_days``, or a message returned for rework ``returns`` times.
    Socially significant messages (importance «Высокая», or a keyword, topic or place
    of the lists) and surges (``surge_count`` messages on one topic or place within
    ``surge_minutes``) go to the head at once (``head_clause``).
    """

    warn_before: Mapping[str, int] = field(default_factory=lambda: {"*": 60})
    warn_clause: str = ORGANISATION_RULE
    deputy_clause: str = ORGANISATION_RULE
    breaches: int = 3
    breach_days: int = 30
    returns: int = 2
    head_clause: str = ORGANISATION_RULE
    high_importance: bool = True
    keywords: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    surge_count: int = 10
    surge_minutes: int = 120

    def lead(self, clock: str) -> int:
        """Minutes before ``clock``'s due time its person is warned (0: never)."""
        return self.warn_before.get(clock, self.warn_before.get("*", 0))

    @property
    def longest_lead(self) -> int:
        return max(self.warn_before.values(), default=0)


@dataclass(frozen=True, slots=True)
class Rating:
    """The quarterly quality rating of the bodies (Leningrad 13) and its method.

    Each body's score is the weighted mean, 0–100, of: answers on time (the whole
    cycle), drafts not returned for rework, approvals without overriding a check,
    and the authors' satisfaction (доволен 1, нейтрален ½, недоволен 0). A component
    a body has no data for (no feedback yet) is left out and the others' weights
    scaled up. ``min_answered``: fewer answers and the body is listed unrated.
    """

    clause: str = ORGANISATION_RULE
    timeliness: float = 0.4
    returns: float = 0.2
    overrides: float = 0.1
    feedback: float = 0.3
    min_answered: int = 5

    @property
    def weights(self) -> dict[str, float]:
        return {"timeliness": self.timeliness, "returns": self.returns,
                "overrides": self.overrides, "feedback": self.feedback}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Profile:
    """A municipality's regulation: zone, schedule, clocks, steps, checks and exclusion."""

    name: str
    title: str
    source: str
    timezone: str
    schedule: WeeklySchedule
    clocks: Mapping[str, ClockRule]
    absent: Mapping[str, str]
    steps: Mapping[Action, Step]
    blocking: Mapping[DraftKind, frozenset[Check]]
    blocking_clause: str
    exclusion: Exclusion
    due_soon: DueSoon = DueSoon()
    path: str = ""
    counts_from: CountsFrom = CountsFrom.CREATION
    parts: Parts | None = None
    repeats: Repeats = Repeats(None)
    people: People = People(ORGANISATION_RULE, Role.OPERATOR)
    watch: Watch | None = None
    escalation: Escalation = Escalation()
    rating: Rating = Rating()
    #: The clause by which drafts are approved in the incident system by a higher authority
    #: (Luga cl.7-9): the bridge sends them up and the sync reports the decision. None: here.
    remote_approval: str | None = None
    #: Why a rule the profile lacks is absent (``parts``, ``watch``): the regulation's words.
    silent: Mapping[str, str] = field(default_factory=dict)

    def who_takes(self, action: str) -> Role | None:
        """Who takes the named step (``"route"``, ``"approve"``, …) under this profile."""
        step = next((s for a, s in self.steps.items() if a.value == action), None)
        return step.who if step else None

    def clock(self, name: str) -> ClockRule:
        """The named clock, or ``NotFound`` saying why the profile has none."""
        if name in self.clocks:
            return self.clocks[name]
        why = self.absent.get(name)
        if why is not None:
            raise NotFound(f"В профиле «{self.name}» нет срока «{name}»: {why}")
        raise NotFound(f"Неизвестный срок «{name}»; есть: {', '.join(CLOCK_NAMES)}")

    @property
    def performers(self) -> Mapping[Action, Role]:
        """Who takes each person's action under this regulation."""
        return {action: step.who for action, step in self.steps.items()}

    def blocking_for(self, kind: DraftKind) -> frozenset[Check]:
        """The checks a draft of ``kind`` must pass before approval."""
        return self.blocking[kind]

    def with_clock(self, name: str, **changes: Any) -> Profile:
        """A copy with one clock changed, e.g. ``with_clock("total", term=Term(8, Unit.HOURS, Basis.CALENDAR))``."""
        if name not in CLOCK_NAMES:
            raise InvalidInput(f"unknown clock «{name}»")
        base = self.clocks.get(name) or ClockRule(
            name, Term(0, Unit.MINUTES), Role.OPERATOR, ORGANISATION_RULE
        )
        clocks = {**self.clocks, name: replace(base, **changes)}
        absent = {k: v for k, v in self.absent.items() if k != name}
        return replace(self, clocks=clocks, absent=absent)

    def calendar(
        self, overrides: Iterable[CalendarOverride] = (), known_at: datetime | None = None
    ) -> WorkCalendar:
        """This profile's working calendar with local overrides, as known at ``known_at``."""
        return WorkCalendar(self.timezone, self.schedule, overrides=overrides, known_at=known_at)

    def to_dict(self) -> dict[str, Any]:
        """Everything the profile decides, as JSON-ready data (``bridge profile show --json``)."""
        return {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "file": self.path,
            "timezone": self.timezone,
            "counts_from": self.counts_from.value,
            "schedule": self.schedule.to_dict(),
            "clocks": [_clock_dict(rule) for rule in self.clocks.values()],
            "absent": [
                {"name": name, "label": CLOCK_LABELS[name], "why": why}
                for name, why in self.absent.items()
            ],
            "steps": [
                {"action": a.value, "label": a.label, "who": s.who.value, "clause": s.clause}
                for a, s in self.steps.items()
            ],
            "blocking": {
                kind.value: [c.value for c in Check if c in checks]
                for kind, checks in self.blocking.items()
            },
            "blocking_clause": self.blocking_clause,
            "exclusion": {"clause": self.exclusion.clause, "grounds": self.exclusion.grounds},
            "parts": _parts_dict(self.parts),
            "repeats": {
                "clause": self.repeats.clause,
                "window_days": self.repeats.window_days,
                "route_to_earlier": self.repeats.route_to_earlier,
                "report_measures": self.repeats.report_measures,
            },
            "people": {
                "clause": self.people.clause,
                "manage": self.people.manage.value,
                "replace_within": _term_dict(self.people.replace_within)
                if self.people.replace_within
                else None,
                "replace_clause": self.people.replace_clause,
            },
            "watch": _watch_dict(self.watch),
            "escalation": {
                "warn_before": dict(self.escalation.warn_before),
                "warn_clause": self.escalation.warn_clause,
                "deputy_clause": self.escalation.deputy_clause,
                "breaches": self.escalation.breaches,
                "breach_days": self.escalation.breach_days,
                "returns": self.escalation.returns,
                "head_clause": self.escalation.head_clause,
                "high_importance": self.escalation.high_importance,
                "keywords": list(self.escalation.keywords),
                "topics": list(self.escalation.topics),
                "places": list(self.escalation.places),
                "surge_count": self.escalation.surge_count,
                "surge_minutes": self.escalation.surge_minutes,
            },
            "rating": {"clause": self.rating.clause, **self.rating.weights,
                       "min_answered": self.rating.min_answered},  # fmt: skip
            "remote_approval": self.remote_approval,
            "silent": dict(self.silent),
        }


def _parts_dict(parts: Parts | None) -> dict[str, Any] | None:
    if parts is None:
        return None
    return {
        "clause": parts.clause,
        "assign": parts.assign.value,
        "combiners": [c.value for c in parts.combiners],
        "publish_in_turn": parts.publish_in_turn,
    }


def _watch_dict(watch: Watch | None) -> dict[str, Any] | None:
    if watch is None:
        return None
    return {
        "clause": watch.clause,
        "register": watch.register.value,
        "tick": watch.tick.value,
        "continuous": _term_dict(watch.continuous),
        "every": _term_dict(watch.every),
        "span": _term_dict(watch.span),
    }


def _term_dict(term: Term) -> dict[str, Any]:
    return {"amount": term.amount, "unit": term.unit.value, "basis": term.basis.value}


def _clock_dict(rule: ClockRule) -> dict[str, Any]:
    triggers = {
        key: [str(t) for t in getattr(rule, key)]
        for key in ("starts", "stops", "pauses", "resumes", "cancels")
    }
    return {
        "name": rule.name,
        "label": rule.label,
        **_term_dict(rule.term),
        "who": rule.who.value,
        "clause": rule.clause,
        "before": rule.before,
        "once": rule.once,
        "variants": [
            {"track": track, **_term_dict(v.term), "clause": v.clause}
            for track, v in rule.variants.items()
        ],
        **triggers,
    }
