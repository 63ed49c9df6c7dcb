"""Watching the Governor's posts (Leningrad cl. 7.2, 7.4): the schedule and who acts on it.

``schedule`` is pure: from a post's publication time, the profile's ``Watch`` rule
and the working calendar it gives the tasks of one body in charge — one continuous
watch for the first working hours, then one check per period of working time for
as long as a check falls due within the span after the continuous watch.

Who takes each step is the profile's (``Watch.register``, ``Watch.tick``), in the
table ``PERFORMED_BY``; an admin may stand in for a non-executor's step, like in
the message workflow. ``task_state`` and ``check_tick`` are the task's small state
machine: a task is ticked once, while open, by its own body.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from incident_bridge.domain.errors import IllegalTransition, InvalidInput, PermissionDenied
from incident_bridge.domain.model import IncidentCard, Platform
from incident_bridge.domain.regulations import Basis, Term, Watch
from incident_bridge.domain.workflow import Role
from incident_bridge.domain.worktime import CALENDAR_TIME, TimeAxis, WorkCalendar

#: A post is watched for two days: more checks than this means a broken rule, not a schedule.
MAX_CHECKS = 200


class TaskKind(enum.StrEnum):
    """A continuous watch (the first working hours) or one periodic check."""

    CONTINUOUS = "continuous"
    CHECK = "check"

    @property
    def label(self) -> str:
        return TASK_KIND_LABELS[self]


TASK_KIND_LABELS = {
    TaskKind.CONTINUOUS: "Непрерывный мониторинг",
    TaskKind.CHECK: "Проверка новых комментариев",
}


class PostSource(enum.StrEnum):
    """Who told the bridge about a post."""

    ADMIN = "admin"  # a person registered it on the page
    INCIDENT_SYSTEM = "incident_system"  # the incident system flagged it on a card

    @property
    def label(self) -> str:
        return POST_SOURCE_LABELS[self]


POST_SOURCE_LABELS = {
    PostSource.ADMIN: "зарегистрирован вручную",
    PostSource.INCIDENT_SYSTEM: "отмечен системой Инцидент",
}


class WatchAction(enum.StrEnum):
    """Every step a person takes on a watched post."""

    REGISTER = "register"
    ADD_BODY = "add_body"
    REMOVE_BODY = "remove_body"
    TICK = "tick"

    @property
    def label(self) -> str:
        return WATCH_ACTION_LABELS[self]


WATCH_ACTION_LABELS = {
    WatchAction.REGISTER: "Регистрация поста",
    WatchAction.ADD_BODY: "Добавлен орган",
    WatchAction.REMOVE_BODY: "Орган снят, его открытые задачи отменены",
    WatchAction.TICK: "Задача отмечена",
}

#: Which of the rule's roles takes each step: the roles themselves are the profile's.
PERFORMED_BY = {
    WatchAction.REGISTER: "register",
    WatchAction.ADD_BODY: "register",
    WatchAction.REMOVE_BODY: "register",
    WatchAction.TICK: "tick",
}


def performer(rule: Watch, action: WatchAction) -> Role:
    """The role the profile names for ``action``."""
    role: Role = getattr(rule, PERFORMED_BY[action])
    return role


def may_act(rule: Watch, role: str, action: WatchAction) -> bool:
    """Whether ``role`` may take ``action``; an admin stands in for a non-executor's step."""
    who = performer(rule, action)
    return role == who or (role == Role.ADMIN and who is not Role.EXECUTOR)


def require(rule: Watch, role: str, action: WatchAction) -> None:
    """Refuse (``PermissionDenied``, in Russian) a role the profile does not name for ``action``."""
    if not may_act(rule, role, action):
        who = performer(rule, action)
        raise PermissionDenied(
            f"«{action.label}»: по регламенту ({rule.clause}) это делает роль «{who.label}»."
        )


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """One task of a body's schedule: when it opens and when it is due (UTC)."""

    kind: TaskKind
    seq: int  # 0 for the continuous watch, then 1, 2, … for the checks
    opens_at: datetime
    due_at: datetime


def _axis(calendar: WorkCalendar, term: Term) -> TimeAxis:
    return calendar if term.basis is Basis.WORKING else CALENDAR_TIME


def schedule(published_at: datetime, rule: Watch, calendar: WorkCalendar) -> list[PlannedTask]:
    """The tasks of one body in charge of a post published at ``published_at`` (aware).

    The continuous watch runs ``rule.continuous`` from publication (on working time a
    post published after hours starts counting at the next working minute). Then each
    check covers the next ``rule.every``: it opens when the previous task is due (at the
    next working minute) and is due ``every`` later. A check is planned while it opens
    before ``rule.span`` after the continuous watch ended («в течение двух суток в рабочее
    время»): one opening in the span is finished even if its due time falls after it, and
    a span with no working time left in it (a post watched until the Friday close) has no
    checks.
    """
    if published_at.utcoffset() is None:
        raise InvalidInput("published_at must be timezone-aware")
    if rule.every.duration.total_seconds() <= 0:
        raise InvalidInput("the watch's period must be positive")
    start = _axis(calendar, rule.continuous).add(published_at, timedelta(0))
    end = _axis(calendar, rule.continuous).add(start, rule.continuous.duration)
    tasks = [PlannedTask(TaskKind.CONTINUOUS, 0, start, end)]
    until = _axis(calendar, rule.span).add(end, rule.span.duration)
    every = _axis(calendar, rule.every)
    previous = end
    for seq in range(1, MAX_CHECKS + 1):
        opens = every.add(previous, timedelta(0))
        if opens >= until:
            break
        due = every.add(opens, rule.every.duration)
        tasks.append(PlannedTask(TaskKind.CHECK, seq, opens, due))
        previous = due
    return tasks


class TaskState(enum.StrEnum):
    """Where a watch task stands at a given instant."""

    UPCOMING = "upcoming"
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"
    DONE_LATE = "done_late"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return TASK_STATE_LABELS[self]


TASK_STATE_LABELS = {
    TaskState.UPCOMING: "Ещё не началась",
    TaskState.OPEN: "Идёт",
    TaskState.OVERDUE: "Просрочена",
    TaskState.DONE: "Выполнена",
    TaskState.DONE_LATE: "Выполнена с опозданием",
    TaskState.CANCELLED: "Отменена",
}


def task_state(
    opens_at: datetime,
    due_at: datetime,
    done_at: datetime | None,
    cancelled_at: datetime | None,
    now: datetime,
) -> TaskState:
    """The state of a task at ``now``: a tick after the due time is kept as late."""
    if cancelled_at is not None:
        return TaskState.CANCELLED
    if done_at is not None:
        return TaskState.DONE_LATE if done_at > due_at else TaskState.DONE
    if now < opens_at:
        return TaskState.UPCOMING
    return TaskState.OVERDUE if now > due_at else TaskState.OPEN


#: What refuses a tick, by the task's state.
TICK_REFUSALS = {
    TaskState.UPCOMING: "Задача ещё не началась: отметить её можно с {opens}.",
    TaskState.DONE: "Задача уже отмечена.",
    TaskState.DONE_LATE: "Задача уже отмечена.",
    TaskState.CANCELLED: "Задача отменена: орган снят с мониторинга поста.",
}


def check_tick(state: TaskState, opens_local: str) -> None:
    """Refuse (``IllegalTransition``) a tick of a task that is not open (upcoming, done, cancelled)."""
    refusal = TICK_REFUSALS.get(state)
    if refusal is not None:
        raise IllegalTransition(refusal.format(opens=opens_local))


def normalise_url(url: str) -> str:
    """A post's address as a key: https, lower-case host without ``www.``/``m.``, no fragment.

    ``http://m.VK.com/wall-1_2/?utm_source=x#reply`` and ``https://vk.com/wall-1_2`` are the
    same post. Raises ``InvalidInput`` (Russian) for anything but an http(s) link.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "Ссылка на пост должна быть адресом http(s), например https://vk.com/wall-1_2."
        )
    host = parts.hostname.lower()
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith("utm_"))
    return f"https://{host}{path}" + (f"?{urlencode(query)}" if query else "")


#: The ``extra`` entries by which the incident system flags the head's post a comment card
#: is under (the post is the card's ``post_url``); see docs/incident-api.md.
FLAG_PUBLISHED = "governor_post_published_at"
FLAG_ACCOUNT = "governor_post_account"


@dataclass(frozen=True, slots=True)
class FlaggedPost:
    """A post of the head's account as the incident system flags it on a comment card."""

    url: str  # normalised
    account: str
    published_at: datetime
    platform: Platform
    topic: str
    card: str  # the flagging card's external id


def flagged_post(card: IncidentCard) -> FlaggedPost | None:
    """The post a card flags, or None: no flag, or one that cannot be read (no offset, no url)."""
    published = card.extra.get(FLAG_PUBLISHED)
    if published is None or not card.post_url:
        return None
    try:
        url = normalise_url(card.post_url)
        at = datetime.fromisoformat(published)
    except (InvalidInput, ValueError):
        return None
    if at.utcoffset() is None:
        return None
    account = (card.extra.get(FLAG_ACCOUNT) or "").strip() or card.author.name or "—"
    return FlaggedPost(url, account[:300], at, card.platform, card.topic, card.external_id)
