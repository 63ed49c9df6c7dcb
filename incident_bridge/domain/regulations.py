"""Regulation profiles: each municipality's clocks, schedule and checks, as TOML data.

One file per profile in ``data/profiles/``; extra directories (a setting) are
searched first, so an organisation can ship its own ``<name>.toml`` — whole, or
``extends = "yelets"`` plus the keys it changes. Every profile names all of
``CLOCK_NAMES``: a clock it lacks is written ``absent = "<why>"``.

A clock's events default to ``DEFAULT_TRIGGERS`` (see ``deadlines`` for what
they mean); a profile may replace any list. Triggers are ``EventKind`` values,
optionally narrowed by the draft kind: ``"delivered:interim"``.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_bridge.domain.errors import ConfigurationError, InvalidInput, NotFound
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.worktime import CalendarOverride, WeeklySchedule, WorkCalendar

DEFAULT_PROFILE = "yelets"

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
ROLES = frozenset({"operator", "executor", "curator", "regional_authority"})
CHECKS = frozenset({"greeting", "spelling", "grammar", "completeness", "style", "format"})

_TRIGGER_LISTS = ("starts", "stops", "pauses", "resumes", "cancels")
# The lifecycle every profile shares unless it says otherwise.
DEFAULT_TRIGGERS: dict[str, dict[str, list[str]]] = {
    "route": {
        "starts": ["arrived", "decline"],
        "stops": ["route", "redirect"],
        "cancels": ["exclude"],
    },
    "redirect": {
        "starts": ["arrived", "decline"],
        "stops": ["redirect"],
        "cancels": ["route", "exclude"],
    },
    "draft": {
        "starts": ["route"],
        "stops": ["submit_draft"],
        "cancels": ["decline", "redirect", "exclude"],
    },
    "review": {"starts": ["submit_draft"], "stops": ["approve", "return"], "cancels": ["exclude"]},
    "rework": {"starts": ["return"], "stops": ["submit_draft"], "cancels": ["exclude"]},
    "publish": {"starts": ["approve"], "stops": ["delivered"], "cancels": ["exclude"]},
    "total": {
        "starts": ["arrived"],
        "stops": ["delivered:answer", "delivered:interim", "redirect"],
        "pauses": ["delivered:clarification"],
        "resumes": ["author_replied"],
        "cancels": ["exclude", "close"],
    },
    "final_after_interim": {
        "starts": ["delivered:interim"],
        "stops": ["delivered:answer"],
        "cancels": ["exclude", "close", "redirect"],
    },
    # No event marks a co-executor's share yet: the service layer starts it.
    "part": {"starts": [], "stops": ["submit_draft"], "cancels": ["exclude"]},
    "after_clarification": {
        "starts": ["author_replied"],
        "stops": ["delivered:answer", "delivered:interim", "delivered:clarification"],
        "cancels": ["exclude", "close", "redirect"],
    },
}
_ONCE_DEFAULT = frozenset({"total", "final_after_interim"})


class Unit(enum.StrEnum):
    """What a clock's amount counts."""

    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"


class Basis(enum.StrEnum):
    """Whether a clock runs on working time or on calendar time."""

    WORKING = "working"
    CALENDAR = "calendar"


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


@dataclass(frozen=True, slots=True)
class Term:
    """How long a clock runs: amount, unit and basis."""

    amount: float
    unit: Unit
    basis: Basis = Basis.WORKING

    @property
    def duration(self) -> timedelta:
        """The term as a duration (minutes and hours only)."""
        if self.unit is Unit.WORKING_DAYS:
            raise InvalidInput("a term in working days has no fixed duration")
        return timedelta(minutes=self.amount * (60 if self.unit is Unit.HOURS else 1))

    def describe(self) -> str:
        """Russian wording, e.g. «8 рабочих ч» or «30 мин»."""
        amount = f"{self.amount:g}"
        if self.unit is Unit.WORKING_DAYS:
            return f"{amount} раб. дн."
        unit = "ч" if self.unit is Unit.HOURS else "мин"
        return f"{amount} {'рабочих ' if self.basis is Basis.WORKING else ''}{unit}"


@dataclass(frozen=True, slots=True)
class ClockRule:
    """One clock of a profile: its term, the events that drive it and who answers for it.

    ``before`` names another clock: the due time is then ``term`` before that
    clock's due time ("no later than 4 hours before the overall deadline").
    ``variants`` are shorter terms for tracks such as ``high`` importance.
    """

    name: str
    term: Term
    answerable: str
    starts: tuple[Trigger, ...] = ()
    stops: tuple[Trigger, ...] = ()
    pauses: tuple[Trigger, ...] = ()
    resumes: tuple[Trigger, ...] = ()
    cancels: tuple[Trigger, ...] = ()
    once: bool = False
    before: str | None = None
    variants: Mapping[str, Term] = field(default_factory=dict)
    clause: str = ""

    @property
    def label(self) -> str:
        """The clock's Russian name."""
        return CLOCK_LABELS[self.name]

    def term_for(self, tracks: Iterable[str]) -> tuple[Term, str | None]:
        """The term of the first variant whose track is active, else the base term."""
        active = set(tracks)
        for track, term in self.variants.items():
            if track in active:
                return term, track
        return self.term, None


@dataclass(frozen=True, slots=True)
class DueSoon:
    """When a running clock turns «due soon»: under ``fraction`` of its term, at most ``max_minutes``."""

    fraction: float = 0.2
    max_minutes: int = 60

    def threshold(self, term_minutes: float) -> float:
        """Minutes left below which the clock is due soon."""
        return min(self.fraction * term_minutes, self.max_minutes)


@dataclass(frozen=True, slots=True)
class Profile:
    """A municipality's regulation: zone, schedule, clocks, checks before approval."""

    name: str
    title: str
    source: str
    timezone: str
    schedule: WeeklySchedule
    clocks: Mapping[str, ClockRule]
    absent: Mapping[str, str]
    checks: tuple[str, ...]
    due_soon: DueSoon = DueSoon()
    path: str = ""
    # What starts the clocks: "arrival" (when the bridge got the message) or
    # "detection" (the card's detection time: Lipetsk cl.6/8 count from detection).
    counts_from: str = "arrival"

    def clock(self, name: str) -> ClockRule:
        """The named clock, or ``NotFound`` saying why the profile has none."""
        if name in self.clocks:
            return self.clocks[name]
        why = self.absent.get(name)
        if why is not None:
            raise NotFound(f"В профиле «{self.name}» нет срока «{name}»: {why}")
        raise NotFound(f"Неизвестный срок «{name}»; есть: {', '.join(CLOCK_NAMES)}")

    def with_clock(self, name: str, **changes: Any) -> Profile:
        """A copy with one clock changed, e.g. ``with_clock("total", term=Term(8, Unit.HOURS, Basis.CALENDAR))``."""
        if name not in CLOCK_NAMES:
            raise InvalidInput(f"unknown clock «{name}»")
        base = self.clocks.get(name) or ClockRule(name, Term(0, Unit.MINUTES), "operator")
        clocks = {**self.clocks, name: replace(base, **changes)}
        absent = {k: v for k, v in self.absent.items() if k != name}
        return replace(self, clocks=clocks, absent=absent)

    def calendar(
        self, overrides: Iterable[CalendarOverride] = (), known_at: datetime | None = None
    ) -> WorkCalendar:
        """This profile's working calendar with local overrides, as known at ``known_at``."""
        return WorkCalendar(self.timezone, self.schedule, overrides=overrides, known_at=known_at)


# -- loading -------------------------------------------------------------------


def _shipped_dir() -> Path:
    return Path(str(resources.files("incident_bridge.domain.data").joinpath("profiles")))


def _dirs(extra: Sequence[str | Path]) -> list[Path]:
    return [Path(d) for d in extra] + [_shipped_dir()]


def list_profiles(extra_dirs: Sequence[str | Path] = ()) -> list[str]:
    """Names of every profile found in ``extra_dirs`` and the shipped directory."""
    return sorted({p.stem for d in _dirs(extra_dirs) if d.is_dir() for p in d.glob("*.toml")})


def load_profile(name: str = DEFAULT_PROFILE, extra_dirs: Sequence[str | Path] = ()) -> Profile:
    """Load the profile ``name``; files in ``extra_dirs`` win over the shipped ones."""
    for directory in _dirs(extra_dirs):
        path = directory / f"{name}.toml"
        if path.is_file():
            return load_profile_file(path, extra_dirs)
    raise ConfigurationError(
        f"Профиль «{name}» не найден; есть: {', '.join(list_profiles(extra_dirs))}"
    )


def load_profile_file(path: str | Path, extra_dirs: Sequence[str | Path] = ()) -> Profile:
    """Load and validate one profile file; errors name the file and the field."""
    path = Path(path)
    return _build(path.stem, _read(path, extra_dirs, set()), str(path))


def _read(path: Path, extra_dirs: Sequence[str | Path], seen: set[Path]) -> dict[str, Any]:
    if path.resolve() in seen:
        raise ConfigurationError(f"{path}: extends: a profile cannot extend itself")
    seen.add(path.resolve())
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read: {exc}") from exc
    parent = data.pop("extends", None)
    if parent is None:
        return data
    candidates = [d / f"{parent}.toml" for d in _dirs(extra_dirs)]
    found = [p for p in candidates if p.is_file() and p.resolve() not in seen]
    if not found:
        raise ConfigurationError(f"{path}: extends: profile «{parent}» not found")
    return _merge(_read(found[0], extra_dirs, seen), data)


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        # Switching a clock between absent and defined replaces it whole.
        if both and ("absent" in value or "absent" in out[key]):
            both = False
        out[key] = _merge(out[key], value) if both else value
    return out


class _Fields:
    """Typed reads from a TOML table with errors naming file and field."""

    def __init__(self, where: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.where, self.table, self.prefix = where, table, prefix

    def fail(self, key: str, problem: str) -> ConfigurationError:
        return ConfigurationError(f"{self.where}: {self.prefix}{key}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "required field is missing")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(key, f"expected {getattr(kind, '__name__', 'a number')}, got {value!r}")
        return value

    def unknown(self, allowed: Iterable[str]) -> None:
        extra = sorted(set(self.table) - set(allowed))
        if extra:
            raise self.fail(extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _term(f: _Fields) -> Term:
    amount = f.get("amount", (int, float))
    if amount <= 0:
        raise f.fail("amount", "must be positive")
    try:
        unit = Unit(f.get("unit", str))
    except ValueError as exc:
        raise f.fail("unit", f"one of {', '.join(Unit)}") from exc
    try:
        basis = Basis(f.get("basis", str, "working"))
    except ValueError as exc:
        raise f.fail("basis", f"one of {', '.join(Basis)}") from exc
    if unit is Unit.WORKING_DAYS and (basis is Basis.CALENDAR or amount != int(amount)):
        raise f.fail("unit", "working days are whole days on the working calendar")
    return Term(amount, unit, basis)


_CLOCK_FIELDS = {"amount", "unit", "basis", "answerable", "clause", "once", "before", "variants"}


def _clock(where: str, name: str, table: Mapping[str, Any]) -> ClockRule:
    f = _Fields(where, table, f"clocks.{name}.")
    f.unknown(_CLOCK_FIELDS | set(_TRIGGER_LISTS))
    answerable = f.get("answerable", str)
    if answerable not in ROLES:
        raise f.fail("answerable", f"one of {', '.join(sorted(ROLES))}")
    lists: dict[str, tuple[Trigger, ...]] = {}
    for key in _TRIGGER_LISTS:
        texts = f.get(key, list, DEFAULT_TRIGGERS[name].get(key, []))
        try:
            lists[key] = tuple(Trigger.parse(str(t)) for t in texts)
        except InvalidInput as exc:
            raise f.fail(key, str(exc)) from exc
    variants = {}
    for track, sub in f.get("variants", dict, {}).items():
        variants[track] = _term(_Fields(where, sub, f"clocks.{name}.variants.{track}."))
    before = f.get("before", str, None)
    if before is not None and before not in CLOCK_NAMES:
        raise f.fail("before", f"unknown clock «{before}»")
    term = _term(f)
    if term.unit is Unit.WORKING_DAYS and lists["pauses"]:
        raise f.fail("pauses", "a clock in working days cannot be paused")
    return ClockRule(
        name=name,
        term=term,
        answerable=answerable,
        once=f.get("once", bool, name in _ONCE_DEFAULT),
        before=before,
        variants=variants,
        clause=f.get("clause", str, ""),
        **lists,
    )


def _build(name: str, data: Mapping[str, Any], where: str) -> Profile:
    f = _Fields(where, data)
    f.unknown(
        {"title", "source", "timezone", "schedule", "checks", "due_soon", "clocks", "counts_from"}
    )
    timezone = f.get("timezone", str)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise f.fail("timezone", f"unknown time zone «{timezone}»") from exc
    try:
        schedule = WeeklySchedule.parse(f.get("schedule", dict))
    except InvalidInput as exc:
        raise f.fail("schedule", str(exc)) from exc
    checks = tuple(f.get("checks", list, []))
    if bad := [c for c in checks if c not in CHECKS]:
        raise f.fail("checks", f"unknown check «{bad[0]}» (known: {', '.join(sorted(CHECKS))})")
    soon = _Fields(where, f.get("due_soon", dict, {}), "due_soon.")
    soon.unknown({"fraction", "max_minutes"})
    due_soon = DueSoon(soon.get("fraction", (int, float), 0.2), soon.get("max_minutes", int, 60))
    clocks: dict[str, ClockRule] = {}
    absent: dict[str, str] = {}
    tables = f.get("clocks", dict)
    for clock in tables:
        if clock not in CLOCK_NAMES:
            raise f.fail(f"clocks.{clock}", f"unknown clock (known: {', '.join(CLOCK_NAMES)})")
    for clock in CLOCK_NAMES:
        table = tables.get(clock)
        if not isinstance(table, dict):
            raise f.fail(f"clocks.{clock}", 'missing: define it or write absent = "why"')
        if "absent" in table:
            absent[clock] = _Fields(where, table, f"clocks.{clock}.").get("absent", str)
        else:
            clocks[clock] = _clock(where, clock, table)
    for rule in clocks.values():
        if rule.before is not None and rule.before not in clocks:
            raise f.fail(f"clocks.{rule.name}.before", f"clock «{rule.before}» is absent")
    return Profile(
        name=name,
        title=f.get("title", str),
        source=f.get("source", str, ""),
        timezone=timezone,
        schedule=schedule,
        clocks=clocks,
        absent=absent,
        checks=checks,
        due_soon=due_soon,
        path=where,
        counts_from=_counts_from(f),
    )


def _counts_from(f: _Fields) -> str:
    value = f.get("counts_from", str, "arrival")
    if value not in ("arrival", "detection"):
        raise f.fail("counts_from", "must be «arrival» or «detection»")
    return value
