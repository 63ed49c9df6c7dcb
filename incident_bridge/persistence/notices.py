"""The queries of notifications and of what they are about, on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from incident_bridge.domain.workflow import FINAL_STATUSES
from incident_bridge.persistence.models import (
    Incident,
    IncidentEvent,
    Notification,
    Subdivision,
    User,
)

#: The mail states of a notification.
PENDING, SENT, FAILED, NO_ADDRESS = "pending", "sent", "failed", "none"


class SqlAlchemyNotices:
    """Notifications, the people they go to and the messages they are about."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, notification: Notification) -> None:
        self.session.add(notification)

    def known(self, keys: Collection[str]) -> set[tuple[int, str]]:
        """(user id, key) of the notifications already made with these keys."""
        if not keys:
            return set()
        query = select(Notification.user_id, Notification.key).where(Notification.key.in_(keys))
        return {(user, key) for user, key in self.session.execute(query)}

    def told_since(self, kind: str, subject: str, since: datetime) -> bool:
        """Whether anyone was told ``kind`` about ``subject`` since ``since``."""
        query = select(Notification.id).where(
            Notification.kind == kind,
            Notification.subject == subject,
            Notification.created_at >= since,
        )
        return self.session.scalar(query.limit(1)) is not None

    def breaches(self, subdivision_id: int, since: datetime) -> int:
        """Messages of the body told overdue since ``since``."""
        query = select(func.count(func.distinct(Notification.incident_id))).where(
            Notification.kind == "overdue",
            Notification.subdivision_id == subdivision_id,
            Notification.created_at >= since,
        )
        return int(self.session.scalar(query) or 0)

    def due_between(self, start: datetime, end: datetime) -> list[Incident]:
        """Messages in work whose nearest deadline falls from ``start`` to ``end``, with history."""
        query = (
            select(Incident)
            .where(Incident.status.not_in(FINAL_STATUSES), Incident.due_at >= start)
            .where(Incident.due_at < end)
            .options(selectinload(Incident.events), selectinload(Incident.parts))
            .order_by(Incident.id)
        )
        return list(self.session.scalars(query))

    def arrived_since(self, since: datetime) -> list[Incident]:
        """Messages that arrived since ``since`` (the significance check reads them)."""
        query = select(Incident).where(Incident.arrived_at >= since).order_by(Incident.id)
        return list(self.session.scalars(query))

    def crowded(
        self, column: str, since: datetime, at_least: int
    ) -> list[tuple[str, int, datetime]]:
        """(value, count, first arrival) of ``topic`` or ``place_key`` with at least
        ``at_least`` messages created since ``since``."""
        field = {"topic": Incident.topic, "place": Incident.place_key}[column]
        query = (
            select(field, func.count(), func.min(Incident.remote_created_at))
            .where(Incident.remote_created_at >= since, field.is_not(None), field != "")
            .group_by(field)
            .having(func.count() >= at_least)
        )
        return [(str(v), int(n), first) for v, n, first in self.session.execute(query)]

    def returned_often(self, since: datetime, at_least: int) -> list[tuple[int, int]]:
        """(incident id, returns) of messages returned since ``since`` at least that often."""
        recent = (
            select(IncidentEvent.incident_id)
            .where(IncidentEvent.kind.in_(("return", "returned_remotely")))
            .where(IncidentEvent.at >= since)
            .distinct()
            .subquery()
        )
        query = (
            select(IncidentEvent.incident_id, func.count())
            .where(IncidentEvent.kind.in_(("return", "returned_remotely")))
            .where(IncidentEvent.incident_id.in_(select(recent.c.incident_id)))
            .group_by(IncidentEvent.incident_id)
            .having(func.count() >= at_least)
        )
        return [(int(i), int(n)) for i, n in self.session.execute(query)]

    def people(self, *, roles: Sequence[str] = (), duties: Sequence[str] = ()) -> list[User]:
        """Active people of these roles or with these duties."""
        query = select(User).where(User.active.is_(True))
        if roles and duties:
            query = query.where((User.role.in_(roles)) | (User.duty.in_(duties)))
        elif roles:
            query = query.where(User.role.in_(roles))
        elif duties:
            query = query.where(User.duty.in_(duties))
        else:
            return []
        return list(self.session.scalars(query.order_by(User.id)))

    def executors_of(self, subdivision_id: int) -> list[User]:
        query = select(User).where(
            User.active.is_(True), User.role == "executor", User.subdivision_id == subdivision_id
        )
        return list(self.session.scalars(query.order_by(User.id)))

    def subdivision(self, subdivision_id: int) -> Subdivision | None:
        return self.session.get(Subdivision, subdivision_id)

    def user(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def claim_mail(self, now: datetime) -> Notification | None:
        """The oldest notification due to be mailed, locked (``SKIP LOCKED`` on PostgreSQL)."""
        query = (
            select(Notification)
            .where(Notification.mail_state == PENDING, Notification.mail_next_at <= now)
            .order_by(Notification.id)
            .limit(1)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Notification)
        return self.session.scalar(query)

    def unread(self, user_id: int) -> int:
        query = select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        return int(self.session.scalar(query) or 0)

    def latest(self, user_id: int, limit: int) -> list[Notification]:
        query = (
            select(Notification)
            .where(Notification.user_id == user_id)
            .options(selectinload(Notification.incident))
            .order_by(Notification.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def mark_read(self, user_id: int, now: datetime) -> int:
        result = self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
