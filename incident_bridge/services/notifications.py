"""Telling people: warnings before a breach, breaches, deficiencies, significant messages, surges.

``scan`` looks at what may need telling (messages due soon or overdue, returned
often, just arrived; topics and places crowding) and makes each person's
notification once (``Notification.key``); a message's notice is also an entry of
its history. ``deliver_mail`` sends the pending e-mails through the ``Mailer``, one
row per transaction: the notification table is the mail outbox. Work that a person
is away from goes to their stand-in, as their messages do.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from incident_bridge.domain.deadlines import ClockState, format_left
from incident_bridge.domain.events import EventKind
from incident_bridge.domain.model import Importance
from incident_bridge.domain.notices import (
    ClockAlert,
    Duty,
    NoticeKind,
    clock_alerts,
    significance,
    surge_key,
)
from incident_bridge.domain.people import Span, stand_in_on
from incident_bridge.domain.ports import Mailer, MailError
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Incident, Notification, User
from incident_bridge.services import deadlines, people, webhooks
from incident_bridge.services.actors import SYSTEM_ACTOR
from incident_bridge.services.context import Context
from incident_bridge.services.history import record
from incident_bridge.services.unit_of_work import UnitOfWork

PENDING, SENT, FAILED, NO_ADDRESS = "pending", "sent", "failed", "none"
#: How far back the scan looks for arrivals and returns (the job runs every minute).
LOOK_BACK = timedelta(hours=1)
#: Overdue messages are told about once; the scan stops reading them after this long.
OVERDUE_WINDOW = timedelta(days=1)
MAX_MAIL_ATTEMPTS = 6
#: The webhook events of the clock alerts.
CLOCK_EVENTS = {
    NoticeKind.DUE_SOON: webhooks.INCIDENT_DUE_SOON,
    NoticeKind.OVERDUE: webhooks.INCIDENT_OVERDUE,
}


@dataclass(slots=True)
class ScanResult:
    """How many notifications one scan made, by kind."""

    made: dict[str, int] = field(default_factory=dict)

    def add(self, kind: NoticeKind, n: int) -> None:
        if n:
            self.made[kind.value] = self.made.get(kind.value, 0) + n


@dataclass(frozen=True, slots=True)
class Notice:
    """What to tell, before it is addressed to anyone."""

    kind: NoticeKind
    key: str
    title: str
    body: str
    incident: Incident | None = None
    subdivision_id: int | None = None
    subject: str | None = None


def scan(uow: UnitOfWork, ctx: Context, now: datetime, *, mail: bool = True) -> ScanResult:
    """Make every notification due now; return how many were made, by kind."""
    result = ScanResult()
    rule = ctx.profile.escalation
    with uow:
        spans = [Span(a.user_id, a.first_day, a.last_day, a.stand_in_id, a.id)
                 for a in uow.staffing.absences()]  # fmt: skip
        teller = _Teller(uow, now, spans, ctx, mail)
        _clocks(uow, ctx, now, teller, result)
        for incident_id, returns in uow.notices.returned_often(now - LOOK_BACK, rule.returns):
            incident = uow.incidents.get(incident_id)
            if incident is None:
                continue
            notice = Notice(
                NoticeKind.DEFICIENCY, f"deficiency:returns:{incident.id}",
                f"Недостатки: сообщение № {incident.number} возвращено {returns} раза",
                f"Проект ответа на сообщение № {incident.number} возвращался на доработку "
                f"{returns} раза ({rule.deputy_clause}).", incident, incident.subdivision_id,
            )  # fmt: skip
            result.add(notice.kind, teller.tell(notice, teller.deputies()))
        for incident in uow.notices.arrived_since(now - LOOK_BACK):
            why = significance(rule, text=incident.text, topic=incident.topic,
                               place=incident.municipality, importance=_importance(incident))  # fmt: skip
            if why is None:
                continue
            notice = Notice(
                NoticeKind.SIGNIFICANT, f"significant:{incident.id}",
                f"Общественно значимое сообщение № {incident.number}",
                f"{why}; {incident.municipality}, {incident.topic}. Докладывается незамедлительно "
                f"({rule.head_clause}).\n\n{_excerpt(incident.text)}", incident,
                incident.subdivision_id,
            )  # fmt: skip
            result.add(notice.kind, teller.tell(notice, teller.heads()))
        _surges(uow, ctx, now, teller, result)
    return result


def _clocks(
    uow: UnitOfWork, ctx: Context, now: datetime, teller: _Teller, result: ScanResult
) -> None:
    rule = ctx.profile.escalation
    overrides = uow.calendar.overrides()
    calendar = ctx.calendars.known_at(overrides, now)
    horizon = calendar.add(now, timedelta(minutes=rule.longest_lead + 1))
    subscribers = {kind: webhooks.listeners(uow, event) for kind, event in CLOCK_EVENTS.items()}
    for incident in uow.notices.due_between(now - OVERDUE_WINDOW, horizon):
        clocks = deadlines.clocks(ctx, incident, now, overrides)
        for alert in clock_alerts(clocks, rule):
            notice = _clock_notice(incident, alert, ZoneInfo(ctx.profile.timezone))
            if subscribers[alert.kind]:
                # Once per message, clock run and kind: the notifications' own key.
                event = CLOCK_EVENTS[alert.kind]
                webhooks.emit(uow, event, webhooks.of_incident(incident, clock={
                    "name": alert.clock.name, "label": alert.clock.label,
                    "due_at": alert.clock.due_at.isoformat() if alert.clock.due_at else None,
                }), now, event_id=f"{event}:{notice.key}", subscribers=subscribers[alert.kind])  # fmt: skip
            people = teller.answering(incident, alert.clock)
            if alert.kind is NoticeKind.OVERDUE and incident.subdivision_id is not None:
                people += teller.responsible(incident.subdivision_id)
            made = teller.tell(notice, people)
            result.add(notice.kind, made)
            if made and alert.kind is NoticeKind.OVERDUE and incident.subdivision_id:
                uow.flush()
                _deficiency(uow, ctx, now, teller, incident.subdivision_id, result)


def _deficiency(
    uow: UnitOfWork, ctx: Context, now: datetime, teller: _Teller, body_id: int, result: ScanResult
) -> None:
    rule = ctx.profile.escalation
    breaches = uow.notices.breaches(body_id, now - timedelta(days=rule.breach_days))
    if breaches < rule.breaches:
        return
    body = uow.notices.subdivision(body_id)
    name = body.name if body else "—"
    notice = Notice(
        NoticeKind.DEFICIENCY, f"deficiency:breaches:{body_id}:{now.date().isoformat()}",
        f"Недостатки в работе: {name}",
        f"{name}: сроки нарушены по {breaches} сообщениям за {rule.breach_days} дней "
        f"({rule.deputy_clause}).", None, body_id, f"body:{body_id}",
    )  # fmt: skip
    result.add(notice.kind, teller.tell(notice, teller.deputies()))


def _surges(
    uow: UnitOfWork, ctx: Context, now: datetime, teller: _Teller, result: ScanResult
) -> None:
    rule = ctx.profile.escalation
    since = now - timedelta(minutes=rule.surge_minutes)
    for column, word in (("topic", "тема"), ("place", "место")):
        for value, count, first in uow.notices.crowded(column, since, rule.surge_count):
            subject = f"{column}:{value.casefold()}"
            if uow.notices.told_since(NoticeKind.SURGE.value, subject, since):
                continue  # told once per window, however long the surge lasts
            notice = Notice(
                NoticeKind.SURGE, surge_key(column, value, first, rule),
                f"Повышенная активность: {word} «{value}»",
                f"{count} сообщений за {rule.surge_minutes} мин ({word} «{value}»). Докладывается "
                f"незамедлительно ({rule.head_clause}).", None, None, subject,
            )  # fmt: skip
            result.add(notice.kind, teller.tell(notice, teller.heads()))


class _Teller:
    """Addresses notices to people (their stand-ins while away) and stores each once."""

    def __init__(
        self, uow: UnitOfWork, now: datetime, spans: Sequence[Span], ctx: Context, mail: bool
    ) -> None:
        self.uow, self.now, self.spans, self.ctx, self.mail = uow, now, spans, ctx, mail
        self.today = people.today(ctx, now)

    def answering(self, incident: Incident, clock: ClockState) -> list[User]:
        """Who answers for the clock: the executor in charge (or the body's), else the step's role."""
        if clock.who is Role.EXECUTOR:
            if incident.assignee_id is not None:
                user = self.uow.notices.user(incident.assignee_id)
                return [user] if user else []
            if incident.subdivision_id is not None:
                return self.uow.notices.executors_of(incident.subdivision_id)
            return []
        return self.uow.notices.people(roles=[clock.who.value])

    def responsible(self, body_id: int) -> list[User]:
        body = self.uow.notices.subdivision(body_id)
        if body is None or body.responsible_user_id is None:
            return []
        user = self.uow.notices.user(body.responsible_user_id)
        return [user] if user else []

    def deputies(self) -> list[User]:
        return self.uow.notices.people(duties=[Duty.DEPUTY.value])

    def heads(self) -> list[User]:
        return self.uow.notices.people(duties=[Duty.HEAD.value, Duty.DEPUTY.value])

    def tell(self, notice: Notice, people: Iterable[User]) -> int:
        """Store the notice for each person not yet told it; record it in the message's history."""
        receivers = {}
        for person in people:
            if not person.active:
                continue
            stand_in = stand_in_on(person.id, self.today, self.spans)
            receiver = self.uow.notices.user(stand_in) if stand_in != person.id else person
            if receiver is not None and receiver.active:
                receivers[receiver.id] = receiver
        known = self.uow.notices.known([notice.key])
        new = [u for uid, u in receivers.items() if (uid, notice.key) not in known]
        for user in new:
            self.uow.notices.add(Notification(
                user_id=user.id, incident_id=notice.incident.id if notice.incident else None,
                subdivision_id=notice.subdivision_id, kind=notice.kind.value, key=notice.key,
                subject=notice.subject, title=notice.title[:300], body=notice.body,
                created_at=self.now, read_at=None,
                mail_state=PENDING if (user.email and self.mail) else NO_ADDRESS,
                mail_attempts=0, mail_next_at=self.now, mail_error=None, mailed_at=None,
            ))  # fmt: skip
        if new and notice.incident is not None:
            record(self.uow, notice.incident, EventKind.NOTIFIED, SYSTEM_ACTOR, self.now,
                   comment=notice.title, data={"notice": notice.kind.value, "key": notice.key,
                                               "to": sorted(u.full_name for u in new)})  # fmt: skip
        return len(new)


def _clock_notice(incident: Incident, alert: ClockAlert, zone: ZoneInfo) -> Notice:
    clock = alert.clock
    due = clock.due_at.astimezone(zone).strftime("%d.%m.%Y %H:%M") if clock.due_at else "—"
    left = format_left(clock.left_minutes or 0, clock.basis)
    if alert.kind is NoticeKind.OVERDUE:
        title = f"Срок нарушен: {clock.label}, сообщение № {incident.number}"
        body = f"Срок «{clock.label}» ({clock.clause}) был {due}: {left}."
    else:
        title = f"Срок истекает: {clock.label}, сообщение № {incident.number}"
        body = f"Срок «{clock.label}» ({clock.clause}) — {due}: {left}."
    return Notice(alert.kind, f"{alert.key}:{incident.id}", title, body, incident,
                  incident.subdivision_id)  # fmt: skip


def _importance(incident: Incident) -> Importance | None:
    try:
        return Importance(incident.importance)
    except ValueError:
        return None


def _excerpt(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def deliver_mail(
    uow: UnitOfWork,
    mailer: Mailer,
    now: datetime,
    *,
    public_url: str,
    limit: int = 200,
    rng: random.Random | None = None,
) -> dict[str, int]:
    """Mail the pending notifications, each claimed, sent and marked in its own transaction."""
    rng = rng or random.Random()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    for _ in range(limit):
        with uow:
            row = uow.notices.claim_mail(now)
            if row is None:
                break
            user = uow.notices.user(row.user_id)
            if user is None or not user.email:
                row.mail_state = NO_ADDRESS
                continue
            link = (
                f"{public_url.rstrip('/')}/incidents/{row.incident_id}" if row.incident_id else ""
            )
            body = f"{row.body}\n\n{link}".rstrip() + "\n\n— incident-bridge\n"
            row.mail_attempts += 1
            try:
                mailer.send(user.email, row.title, body,
                            message_id=f"<notification-{row.id}@incident-bridge>")  # fmt: skip
            except MailError as exc:
                row.mail_error = str(exc)
                if not exc.transient or row.mail_attempts >= MAX_MAIL_ATTEMPTS:
                    row.mail_state = FAILED
                    counts["failed"] += 1
                else:
                    delay = rng.uniform(0.5, 1.0) * min(3600, 30 * 2**row.mail_attempts)
                    row.mail_next_at = now + timedelta(seconds=delay)
                    counts["retried"] += 1
                continue
            row.mail_state, row.mailed_at, row.mail_error = SENT, now, None
            counts["sent"] += 1
    return counts


def unread(uow: UnitOfWork, user_id: int) -> int:
    """The person's unread count. A read outside a unit of work: no commit, so the objects
    the page has loaded stay loaded (the bell renders in every page's header)."""
    return uow.notices.unread(user_id)


def latest(uow: UnitOfWork, user_id: int, limit: int = 100) -> list[Notification]:
    """The person's latest notifications, with their messages (a read: no commit)."""
    return uow.notices.latest(user_id, limit)


def mark_read(uow: UnitOfWork, user_id: int, now: datetime) -> int:
    with uow:
        return uow.notices.mark_read(user_id, now)
