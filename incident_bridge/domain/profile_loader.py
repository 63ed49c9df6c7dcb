"""Loading regulation profiles from TOML, validated with errors that name the file and the field.

One file per profile in ``data/profiles/``; extra directories (a setting) are
searched first, so an organisation can ship its own ``<name>.toml`` — whole, or
``extends = "yelets"`` plus the keys it changes. A profile names every clock of
``CLOCK_NAMES`` (a clock it lacks is written ``absent = "<why>"``), every step
of ``PERSON_ACTIONS`` with who takes it, the blocking checks of every draft
kind, and its exclusion rule. Every rule carries its clause.

A clock's events default to ``DEFAULT_TRIGGERS`` (see ``deadlines`` for what
they mean); a profile may replace any list. Triggers are ``EventKind`` values,
optionally narrowed by the draft kind: ``"delivered:interim"``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_bridge.domain.errors import ConfigurationError, InvalidInput
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.regulations import (
    CLOCK_NAMES,
    DEFAULT_PROFILE,
    ORGANISATION_RULE,
    REGULATION_ROLES,
    Basis,
    ClockRule,
    Combiner,
    CountsFrom,
    DueSoon,
    Escalation,
    Exclusion,
    Parts,
    People,
    Profile,
    Rating,
    Repeats,
    Step,
    Term,
    Trigger,
    Unit,
    Variant,
    Watch,
)
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import PERSON_ACTIONS, Action, Role
from incident_bridge.domain.worktime import WeeklySchedule

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
    # Parts published in turn have no draft on review: the curator's last consent stops it.
    "draft": {
        "starts": ["route"],
        "stops": ["submit_draft", "approve"],
        "cancels": ["decline", "redirect", "exclude"],
    },
    # A reply the system refused is on review again: the department's clock starts anew.
    "review": {
        "starts": ["submit_draft", "delivery_refused"],
        "stops": ["approve", "return", "approved_remotely", "returned_remotely"],
        "cancels": ["exclude"],
    },
    "rework": {
        "starts": ["return", "returned_remotely"],
        "stops": ["submit_draft"],
        "cancels": ["exclude"],
    },
    "publish": {
        "starts": ["approve", "approved_remotely"],
        "stops": ["delivered"],
        "cancels": ["exclude", "delivery_refused"],
    },
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
    # Each body's part of a several-bodies message runs on its own entries (``part_id``).
    "part": {
        "starts": ["part_opened", "part_returned"],
        "stops": ["part_submitted", "part_declined"],
        "cancels": ["exclude", "redirect", "decline"],
    },
    "after_clarification": {
        "starts": ["author_replied"],
        "stops": ["delivered:answer", "delivered:interim", "delivered:clarification"],
        "cancels": ["exclude", "close", "redirect"],
    },
}
_ONCE_DEFAULT = frozenset({"total", "final_after_interim"})
_TOP_FIELDS = {
    "title", "source", "timezone", "schedule", "due_soon", "clocks", "counts_from", "steps",
    "blocking", "exclusion", "parts", "repeats", "people", "watch", "approval",
    "escalation", "rating",
}  # fmt: skip
_CLOCK_FIELDS = {"amount", "unit", "basis", "who", "clause", "once", "before", "variants"}


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
        # Switching a clock (or the exclusion) between absent and defined replaces it whole.
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

    def text(self, key: str) -> str:
        """A required, non-empty string (a clause, grounds, a title)."""
        value: str = self.get(key, str)
        if not value.strip():
            raise self.fail(key, "must not be empty")
        return value.strip()

    def role(self, key: str) -> Role:
        value = self.get(key, str)
        if value not in REGULATION_ROLES:
            names = ", ".join(sorted(REGULATION_ROLES))
            raise self.fail(key, f"«{value}» is not a role (one of {names})")
        return Role(value)

    def sub(self, key: str, *, required: bool = True) -> _Fields:
        """The fields of a sub-table (an empty one when optional and missing)."""
        table = self.get(key, dict) if required else self.get(key, dict, {})
        return _Fields(self.where, table, f"{self.prefix}{key}.")

    def unknown(self, allowed: Iterable[str], hint: Mapping[str, str] | None = None) -> None:
        extra = sorted(set(self.table) - set(allowed))
        if extra:
            why = (hint or {}).get(extra[0])
            message = why or f"unknown field (allowed: {', '.join(sorted(allowed))})"
            raise self.fail(extra[0], message)


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


def _clock(where: str, name: str, table: Mapping[str, Any]) -> ClockRule:
    f = _Fields(where, table, f"clocks.{name}.")
    f.unknown(_CLOCK_FIELDS | set(_TRIGGER_LISTS), {"answerable": "renamed: write who = «role»"})
    lists: dict[str, tuple[Trigger, ...]] = {}
    for key in _TRIGGER_LISTS:
        texts = f.get(key, list, DEFAULT_TRIGGERS[name].get(key, []))
        try:
            lists[key] = tuple(Trigger.parse(str(t)) for t in texts)
        except InvalidInput as exc:
            raise f.fail(key, str(exc)) from exc
    clause = f.text("clause")
    variants = {}
    for track, sub in f.get("variants", dict, {}).items():
        vf = _Fields(where, sub, f"clocks.{name}.variants.{track}.")
        vf.unknown({"amount", "unit", "basis", "clause"})
        variants[track] = Variant(_term(vf), vf.text("clause") if "clause" in sub else clause)
    before = f.get("before", str, None)
    if before is not None and before not in CLOCK_NAMES:
        raise f.fail("before", f"unknown clock «{before}»")
    term = _term(f)
    if term.unit is Unit.WORKING_DAYS and lists["pauses"]:
        raise f.fail("pauses", "a clock in working days cannot be paused")
    return ClockRule(
        name=name,
        term=term,
        who=f.role("who"),
        clause=clause,
        once=f.get("once", bool, name in _ONCE_DEFAULT),
        before=before,
        variants=variants,
        **lists,
    )


def _clocks(f: _Fields) -> tuple[dict[str, ClockRule], dict[str, str]]:
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
            absent[clock] = _Fields(f.where, table, f"clocks.{clock}.").text("absent")
        else:
            clocks[clock] = _clock(f.where, clock, table)
    for rule in clocks.values():
        if rule.before is not None and rule.before not in clocks:
            raise f.fail(f"clocks.{rule.name}.before", f"clock «{rule.before}» is absent")
    return clocks, absent


def _steps(f: _Fields) -> dict[Action, Step]:
    steps_f = f.sub("steps")
    steps_f.unknown({a.value for a in PERSON_ACTIONS})
    steps: dict[Action, Step] = {}
    for action in PERSON_ACTIONS:
        if action.value not in steps_f.table:
            raise steps_f.fail(action.value, "missing: say who = «role» and the clause")
        step = steps_f.sub(action.value)
        step.unknown({"who", "clause"})
        steps[action] = Step(action, step.role("who"), step.text("clause"))
    return steps


def _blocking(f: _Fields) -> tuple[dict[DraftKind, frozenset[Check]], str]:
    block = f.sub("blocking")
    block.unknown({"clause", *DraftKind})
    out: dict[DraftKind, frozenset[Check]] = {}
    for kind in DraftKind:
        names = block.get(kind.value, list)
        if bad := [n for n in names if n not in Check._value2member_map_]:
            known = ", ".join(Check)
            raise block.fail(kind.value, f"unknown check «{bad[0]}» (known: {known})")
        out[kind] = frozenset(Check(n) for n in names)
    return out, block.text("clause")


def _exclusion(f: _Fields) -> Exclusion:
    excl = f.sub("exclusion")
    if "absent" in excl.table:
        excl.unknown({"absent"})
        return Exclusion(clause=None, grounds=excl.text("absent"))
    excl.unknown({"clause", "grounds", "absent"})
    return Exclusion(clause=excl.text("clause"), grounds=excl.text("grounds"))


def _build(name: str, data: Mapping[str, Any], where: str) -> Profile:
    f = _Fields(where, data)
    f.unknown(_TOP_FIELDS, {"checks": "replaced by the [blocking] table (a list per draft kind)"})
    timezone = f.get("timezone", str)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise f.fail("timezone", f"unknown time zone «{timezone}»") from exc
    try:
        schedule = WeeklySchedule.parse(f.get("schedule", dict))
    except InvalidInput as exc:
        raise f.fail("schedule", str(exc)) from exc
    soon = f.sub("due_soon", required=False)
    soon.unknown({"fraction", "max_minutes"})
    due_soon = DueSoon(soon.get("fraction", (int, float), 0.2), soon.get("max_minutes", int, 60))
    clocks, absent = _clocks(f)
    blocking, blocking_clause = _blocking(f)
    silent: dict[str, str] = {}
    return Profile(
        name=name,
        title=f.text("title"),
        source=f.get("source", str, ""),
        timezone=timezone,
        schedule=schedule,
        clocks=clocks,
        absent=absent,
        steps=_steps(f),
        blocking=blocking,
        blocking_clause=blocking_clause,
        exclusion=_exclusion(f),
        due_soon=due_soon,
        path=where,
        counts_from=_counts_from(f),
        parts=_parts(f, silent),
        repeats=_repeats(f),
        people=_people(f),
        watch=_watch(f, silent),
        escalation=_escalation(f),
        rating=_rating(f),
        remote_approval=_remote_approval(f),
        silent=silent,
    )


def _counts_from(f: _Fields) -> CountsFrom:
    value = f.get("counts_from", str)
    try:
        return CountsFrom(value)
    except ValueError:
        raise f.fail("counts_from", f"one of {', '.join(CountsFrom)}") from None


#: Said for an optional rule a profile does not mention at all.
_NOT_IN_PROFILE = "профиль этого не предусматривает"


def _absent(f: _Fields, key: str, silent: dict[str, str]) -> _Fields | None:
    """The rule's fields, or None when the profile says ``absent = "why"`` or omits it."""
    table = f.sub(key, required=False)
    if not table.table or "absent" in table.table:
        if table.table:
            table.unknown({"absent"})
        silent[key] = table.text("absent") if table.table else _NOT_IN_PROFILE
        return None
    return table


def _parts(f: _Fields, silent: dict[str, str]) -> Parts | None:
    table = _absent(f, "parts", silent)
    if table is None:
        return None
    table.unknown({"clause", "assign", "combine", "publish_in_turn"})
    names = table.get("combine", list)
    writers = [c for c in Combiner if c is not Combiner.IN_TURN]
    try:
        combiners = tuple(Combiner(n) for n in names)
    except ValueError:
        raise table.fail("combine", f"a list of {', '.join(writers)}") from None
    if Combiner.IN_TURN in combiners:
        raise table.fail("combine", "who writes the combined answer (in turn is publish_in_turn)")
    if not combiners:
        raise table.fail("combine", "name who writes the combined answer")
    part = f.get("clocks", dict).get("part")
    if not isinstance(part, dict) or "absent" in part:
        raise table.fail("clause", "several bodies need the «part» clock")
    return Parts(
        clause=table.text("clause"),
        assign=table.role("assign"),
        combiners=combiners,
        publish_in_turn=table.get("publish_in_turn", bool, False),
    )


def _repeats(f: _Fields) -> Repeats:
    table = f.sub("repeats", required=False)
    table.unknown({"clause", "absent", "window_days"})
    window = table.get("window_days", int, 30)
    if window <= 0:
        raise table.fail("window_days", "must be positive")
    clause = None if "absent" in table.table or not table.table else table.text("clause")
    return Repeats(clause=clause, window_days=window)


def _people(f: _Fields) -> People:
    table = f.sub("people", required=False)
    if not table.table:
        return People(ORGANISATION_RULE, Role.OPERATOR)
    table.unknown({"clause", "manage", "replace_within"})
    within = table.get("replace_within", dict, None)
    term = clause = None
    if within is not None:
        wf = table.sub("replace_within")
        wf.unknown({"amount", "unit", "basis", "clause"})
        term, clause = _term(wf), wf.text("clause")
    return People(table.text("clause"), table.role("manage"), term, clause)


def _rating(f: _Fields) -> Rating:
    table = f.sub("rating", required=False)
    if not table.table:
        return Rating()
    names = ("timeliness", "returns", "overrides", "feedback")
    table.unknown({"clause", "min_answered", *names})
    default = Rating()
    weights = {}
    for name in names:
        value = table.get(name, (int, float), getattr(default, name))
        if value < 0:
            raise table.fail(name, "a weight, 0 or more")
        weights[name] = float(value)
    if not sum(weights.values()):
        raise table.fail("timeliness", "at least one weight above 0")
    clause = table.text("clause") if "clause" in table.table else default.clause
    at_least = table.get("min_answered", int, default.min_answered)
    return Rating(clause=clause, min_answered=max(1, at_least), **weights)


def _escalation(f: _Fields) -> Escalation:
    table = f.sub("escalation", required=False)
    if not table.table:
        return Escalation()
    numbers = ("breaches", "breach_days", "returns", "surge_count", "surge_minutes")
    lists = ("keywords", "topics", "places")
    clauses = ("warn_clause", "deputy_clause", "head_clause")
    table.unknown({"warn_before", "high_importance", *numbers, *lists, *clauses})
    default = Escalation()
    warn = table.get("warn_before", dict, dict(default.warn_before))
    known = set(CLOCK_NAMES) | {"*"}
    for clock, minutes in warn.items():
        if clock not in known:
            raise table.fail("warn_before", f"«{clock}» is not a clock ({', '.join(sorted(known))})")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
            raise table.fail("warn_before", f"{clock}: whole minutes, 0 or more")
    values: dict[str, Any] = {}
    for key in numbers:
        value = table.get(key, int, getattr(default, key))
        if value < 1:
            raise table.fail(key, "a whole number, 1 or more")
        values[key] = value
    for key in lists:
        items = table.get(key, list, [])
        if not all(isinstance(i, str) and i.strip() for i in items):
            raise table.fail(key, "a list of non-empty strings")
        values[key] = tuple(i.strip() for i in items)
    for key in clauses:
        values[key] = table.text(key) if key in table.table else getattr(default, key)
    return Escalation(
        warn_before=dict(warn),
        high_importance=table.get("high_importance", bool, True),
        **values,
    )


def _watch(f: _Fields, silent: dict[str, str]) -> Watch | None:
    table = _absent(f, "watch", silent)
    if table is None:
        return None
    table.unknown({"clause", "register", "tick", "continuous", "every", "span"})
    terms = {}
    for key in ("continuous", "every", "span"):
        sub = table.sub(key)
        sub.unknown({"amount", "unit", "basis"})
        terms[key] = _term(sub)
    return Watch(
        clause=table.text("clause"),
        register=table.role("register"),
        tick=table.role("tick"),
        **terms,
    )


def _remote_approval(f: _Fields) -> str | None:
    """The clause of approval in the incident system (``[approval] in_incident_system``)."""
    table = f.sub("approval", required=False)
    if not table.table:
        return None
    table.unknown({"in_incident_system", "clause"})
    return table.text("clause") if table.get("in_incident_system", bool) else None
