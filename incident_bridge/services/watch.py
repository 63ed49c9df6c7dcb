"""The Governor's posts watch (Leningrad cl. 7.2, 7.4): register a post, its bodies, tick tasks.

Each function is one use case inside the caller's unit of work: it asks the profile's
``Watch`` rule who may act (``domain.watch.require``), plans with the pure
``domain.watch.schedule`` and keeps an attributed ``WatchEvent`` of every change, or
changes nothing and raises a ``BridgeError`` in Russian.

A body gets the tasks of its schedule that are not yet due when it is put in charge:
a body added late, or a post registered late, is not given tasks already past.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from incident_bridge.domain.deadlines import format_left
from incident_bridge.domain.errors import InvalidInput, NotFound, PermissionDenied
from incident_bridge.domain.model import IncidentCard, Platform
from incident_bridge.domain.regulations import Basis, Watch
from incident_bridge.domain.watch import (
    FLAG_PUBLISHED,
    FlaggedPost,
    PostSource,
    TaskKind,
    TaskState,
    WatchAction,
    check_tick,
    flagged_post,
    normalise_url,
    require,
    schedule,
    task_state,
)
from incident_bridge.domain.workflow import Role
from incident_bridge.domain.worktime import CALENDAR_TIME, WorkCalendar
from incident_bridge.persistence.models import (
    Incident,
    WatchBody,
    WatchedPost,
    WatchEvent,
    WatchTask,
)
from incident_bridge.services import routing
from incident_bridge.services.actors import SYSTEM_ACTOR, Actor
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork

MAX_NEW_COMMENTS = 100_000


def rule_of(ctx: Context) -> Watch:
    """The profile's watch rule, or ``NotFound`` saying why this regulation has none."""
    rule = ctx.profile.watch
    if rule is None:
        why = ctx.profile.silent.get("watch", "регламент не предусматривает мониторинга постов")
        raise NotFound(f"Мониторинг постов Губернатора здесь не ведётся: {why}.")
    return rule


def register_post(
    uow: UnitOfWork,
    ctx: Context,
    actor: Actor,
    *,
    url: str,
    account: str,
    published_at: datetime,
    subdivision_ids: Iterable[int] = (),
    now: datetime,
    platform: str | None = None,
    source: PostSource = PostSource.ADMIN,
    card: str | None = None,
) -> WatchedPost:
    """Register a post and schedule the tasks of each body in charge."""
    rule = rule_of(ctx)
    if source is PostSource.ADMIN:
        require(rule, actor.role, WatchAction.REGISTER)
    key = normalise_url(url)
    account = account.strip()
    if not account:
        raise InvalidInput("Укажите аккаунт, в котором вышел пост.")
    if published_at.utcoffset() is None:
        raise InvalidInput("Время публикации должно быть с часовым поясом.")
    if published_at > now:
        raise InvalidInput("Время публикации поста ещё не наступило.")
    with uow:
        if uow.watch.by_urls([key]):
            raise InvalidInput("Этот пост уже зарегистрирован.")
        post = WatchedPost(
            url=key,
            account=account[:300],
            platform=(platform or _platform_of(key)),
            published_at=published_at,
            source=source.value,
            registered_at=now,
            registered_by=actor.label,
            registered_by_id=actor.user_id,
            flagged_by_card=card,
        )
        uow.add(post)
        _event(uow, post, WatchAction.REGISTER, actor, now, {
            "url": key, "account": post.account, "published_at": published_at.isoformat(),
            "source": source.value, **({"card": card} if card else {}),
        })  # fmt: skip
        for subdivision_id in dict.fromkeys(subdivision_ids):
            _put_in_charge(uow, ctx, rule, post, subdivision_id, actor, now)
        uow.flush()
    return post


def change_bodies(
    uow: UnitOfWork,
    ctx: Context,
    actor: Actor,
    post_id: int,
    subdivision_id: int,
    *,
    add: bool,
    now: datetime,
) -> WatchedPost:
    """Put a body in charge of a post (its tasks scheduled), or remove it (its open tasks cancelled)."""
    rule = rule_of(ctx)
    require(rule, actor.role, WatchAction.ADD_BODY if add else WatchAction.REMOVE_BODY)
    with uow:
        post = _post(uow, post_id)
        if add:
            _put_in_charge(uow, ctx, rule, post, subdivision_id, actor, now)
        else:
            _remove(uow, post, subdivision_id, actor, now)
        uow.flush()
    return post


def tick(
    uow: UnitOfWork,
    ctx: Context,
    actor: Actor,
    task_id: int,
    *,
    new_comments: int,
    note: str | None,
    now: datetime,
) -> WatchTask:
    """An executor of the body in charge ticks an open task off: «Проверено, новых комментариев: N»."""
    rule = rule_of(ctx)
    require(rule, actor.role, WatchAction.TICK)
    if not 0 <= new_comments <= MAX_NEW_COMMENTS:
        raise InvalidInput("Число новых комментариев должно быть от 0.")
    with uow:
        task = uow.watch.task(task_id)
        if task is None:
            raise NotFound("Задача не найдена.")
        if actor.role == Role.EXECUTOR and actor.subdivision_id != task.subdivision_id:
            raise PermissionDenied("Эта задача другого органа: отметить её может только он.")
        state = task_state(task.opens_at, task.due_at, task.done_at, task.cancelled_at, now)
        opens = task.opens_at.astimezone(ZoneInfo(ctx.profile.timezone))
        check_tick(state, opens.strftime("%d.%m.%Y %H:%M"))
        task.done_at = now
        task.done_by = actor.label
        task.done_by_id = actor.user_id
        task.new_comments = new_comments
        task.note = (note or "").strip() or None
        _event(uow, task.post, WatchAction.TICK, actor, now, {
            "task_id": task.id, "kind": task.kind, "seq": task.seq,
            "subdivision_id": task.subdivision_id, "new_comments": new_comments,
            "note": task.note, "late": now > task.due_at,
        })  # fmt: skip
    return task


def register_flagged(
    uow: UnitOfWork, ctx: Context, cards: Sequence[IncidentCard], now: datetime
) -> int:
    """Register the head's posts the incident system flagged on a page's cards; how many were new.

    The bodies in charge are those of the admin's topic rule for the card's topic, if
    there is one; otherwise none, and the curator puts bodies in charge on the page.
    A flag that cannot be read is left aside (the card's incident is stored anyway).
    One query for the page's flagged posts; nothing at all for a page with no flag.
    """
    if ctx.profile.watch is None:
        return 0
    wanted: dict[str, FlaggedPost] = {}
    for card in cards:
        if FLAG_PUBLISHED in card.extra:
            flag = flagged_post(card)
            if flag is not None:
                wanted.setdefault(flag.url, flag)
    if not wanted:
        return 0
    known = uow.watch.by_urls(list(wanted))
    added = 0
    for key, flag in wanted.items():
        if key in known:
            continue
        route = uow.topic_routes.for_topic(routing.normalise_topic(flag.topic))
        bodies = [route.subdivision_id] if route and route.subdivision.active else []
        register_post(uow, ctx, SYSTEM_ACTOR, url=key, account=flag.account,
                      published_at=min(flag.published_at, now), subdivision_ids=bodies, now=now,
                      platform=flag.platform.value, source=PostSource.INCIDENT_SYSTEM,
                      card=flag.card)  # fmt: skip
        added += 1
    return added


def _post(uow: UnitOfWork, post_id: int) -> WatchedPost:
    post = uow.watch.get(post_id)
    if post is None:
        raise NotFound("Пост не найден.")
    return post


def _put_in_charge(
    uow: UnitOfWork,
    ctx: Context,
    rule: Watch,
    post: WatchedPost,
    subdivision_id: int,
    actor: Actor,
    now: datetime,
) -> None:
    subdivision = uow.people.subdivision(subdivision_id)
    if subdivision is None or not subdivision.active:
        raise NotFound("Подразделение не найдено.")
    body = next((b for b in post.bodies if b.subdivision_id == subdivision_id), None)
    if body is not None and body.removed_at is None:
        raise InvalidInput(f"«{subdivision.name}» уже отвечает за этот пост.")
    if body is None:
        body = WatchBody(subdivision_id=subdivision_id, added_at=now, added_by=actor.label)
        post.bodies.append(body)
    else:  # put back in charge: the removal stays in the post's history
        body.added_at, body.added_by, body.removed_at, body.removed_by = (
            now,
            actor.label,
            None,
            None,
        )
    calendar = ctx.calendars.known_at(uow.calendar.overrides(), now)
    planned = [t for t in schedule(post.published_at, rule, calendar) if t.due_at > now]
    first = 1 + max((t.seq for t in post.tasks if t.subdivision_id == subdivision_id), default=-1)
    for task in planned:
        post.tasks.append(
            WatchTask(
                subdivision_id=subdivision_id, kind=task.kind.value, seq=first + task.seq,
                opens_at=task.opens_at, due_at=task.due_at,
            )
        )  # fmt: skip
    _event(uow, post, WatchAction.ADD_BODY, actor, now, {
        "subdivision_id": subdivision_id, "subdivision": subdivision.name, "tasks": len(planned),
    })  # fmt: skip


def _remove(
    uow: UnitOfWork, post: WatchedPost, subdivision_id: int, actor: Actor, now: datetime
) -> None:
    body = next(
        (b for b in post.bodies if b.subdivision_id == subdivision_id and b.removed_at is None),
        None,
    )
    if body is None:
        raise InvalidInput("Это подразделение не отвечает за пост.")
    body.removed_at, body.removed_by = now, actor.label
    cancelled = 0
    for task in post.tasks:
        if task.subdivision_id == subdivision_id and task.done_at is None and not task.cancelled_at:
            task.cancelled_at, task.cancelled_by = now, actor.label
            cancelled += 1
    name = body.subdivision.name if body.subdivision else str(subdivision_id)
    _event(uow, post, WatchAction.REMOVE_BODY, actor, now, {
        "subdivision_id": subdivision_id, "subdivision": name, "cancelled": cancelled,
    })  # fmt: skip


def _event(
    uow: UnitOfWork,
    post: WatchedPost,
    action: WatchAction,
    actor: Actor,
    now: datetime,
    data: dict[str, Any],
) -> None:
    post.events.append(
        WatchEvent(
            kind=action.value, at=now, actor_id=actor.user_id, actor_label=actor.label, data=data
        )  # fmt: skip
    )


def _platform_of(key: str) -> str:
    host = key.removeprefix("https://").partition("/")[0]
    if host in ("vk.com", "vk.ru"):
        return Platform.VK.value
    if host in ("t.me", "telegram.me"):
        return Platform.TELEGRAM.value
    if host in ("ok.ru",):
        return Platform.OK.value
    return Platform.OTHER.value


# -- what the page shows ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task and its clock at the moment the page is shown."""

    task: WatchTask
    state: TaskState
    left: str  # «осталось 1 ч 20 мин рабочего времени», «просрочено на …», or ""

    @property
    def overdue(self) -> bool:
        return self.state is TaskState.OVERDUE

    @property
    def open(self) -> bool:
        return self.state in (TaskState.OPEN, TaskState.OVERDUE)


@dataclass(frozen=True, slots=True)
class BodyView:
    """A body in charge of a post (or removed from it) and its tasks."""

    body: WatchBody
    tasks: list[TaskView]

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.task.done_at is not None)


@dataclass(frozen=True, slots=True)
class PostView:
    """A watched post with its bodies' tasks and clocks."""

    post: WatchedPost
    bodies: list[BodyView]

    @property
    def overdue(self) -> int:
        return sum(1 for b in self.bodies for t in b.tasks if t.overdue)


def board(uow: UnitOfWork, ctx: Context, now: datetime) -> list[PostView]:
    """Every post with its bodies' tasks and clocks (a constant number of queries)."""
    rule = rule_of(ctx)
    calendar = ctx.calendars.known_at(uow.calendar.overrides(), now)
    return [_view(post, rule, calendar, now) for post in uow.watch.posts()]


def post_page(
    uow: UnitOfWork, ctx: Context, post_id: int, now: datetime
) -> tuple[PostView, list[Incident]]:
    """One post with its tasks and clocks, and the comment incidents linked to it."""
    rule = rule_of(ctx)
    post = _post(uow, post_id)
    calendar = ctx.calendars.known_at(uow.calendar.overrides(), now)
    return _view(post, rule, calendar, now), uow.watch.comments(post)


def post_of(uow: UnitOfWork, ctx: Context, incident: Incident) -> WatchedPost | None:
    """The watched post a comment incident belongs to (its ``post_url``), if any."""
    if ctx.profile.watch is None or not incident.post_url:
        return None
    try:
        key = normalise_url(incident.post_url)
    except InvalidInput:
        return None
    return uow.watch.by_urls([key]).get(key)


def _view(post: WatchedPost, rule: Watch, calendar: WorkCalendar, now: datetime) -> PostView:
    by_body: dict[int, list[TaskView]] = {}
    for task in post.tasks:
        term = rule.continuous if task.kind == TaskKind.CONTINUOUS else rule.every
        state = task_state(task.opens_at, task.due_at, task.done_at, task.cancelled_at, now)
        left = ""
        if state in (TaskState.OPEN, TaskState.OVERDUE):
            axis = calendar if term.basis is Basis.WORKING else CALENDAR_TIME
            seconds = axis.between(now, task.due_at).total_seconds()
            left = format_left(int(seconds // 60), term.basis)
        by_body.setdefault(task.subdivision_id, []).append(TaskView(task, state, left))
    bodies = [BodyView(b, by_body.get(b.subdivision_id, [])) for b in post.bodies]
    bodies.sort(key=lambda b: (b.body.removed_at is not None, b.body.id))
    return PostView(post, bodies)
