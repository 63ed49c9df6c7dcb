"""The queries of people's absences, the people log and staffing gaps, on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from incident_bridge.domain.events import EventKind
from incident_bridge.domain.workflow import FINAL_STATUSES, Role
from incident_bridge.persistence.models import (
    Absence,
    Incident,
    IncidentEvent,
    PeopleChange,
    StaffingGap,
    User,
)


class SqlAlchemyStaffing:
    """Executors, their absences and the bodies' staffing gaps."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def absence(self, absence_id: int) -> Absence | None:
        return self.session.get(Absence, absence_id)

    def absences(self) -> list[Absence]:
        """Every absence, the latest first, with its person and stand-in (one query each)."""
        query = (
            select(Absence)
            .options(selectinload(Absence.user), selectinload(Absence.stand_in))
            .order_by(Absence.first_day.desc(), Absence.id.desc())
        )
        return list(self.session.scalars(query))

    def executors(self) -> list[User]:
        """Every executor (active or not), by name."""
        query = select(User).where(User.role == Role.EXECUTOR).order_by(User.full_name, User.id)
        return list(self.session.scalars(query))

    def open_assigned(self, user_id: int) -> list[Incident]:
        """The messages in work that ``user_id`` is in charge of."""
        query = (
            select(Incident)
            .where(Incident.assignee_id == user_id, Incident.status.not_in(list(FINAL_STATUSES)))
            .order_by(Incident.id)
        )
        return list(self.session.scalars(query))

    def handed_over(self, absence_id: int) -> list[Incident]:
        """The messages in work that this absence handed over to a stand-in."""
        reason = IncidentEvent.data["absence_id"].as_integer()
        ids = select(IncidentEvent.incident_id).where(
            IncidentEvent.kind == EventKind.REASSIGNED.value, reason == absence_id
        )
        query = (
            select(Incident)
            .where(Incident.id.in_(ids), Incident.status.not_in(list(FINAL_STATUSES)))
            .order_by(Incident.id)
        )
        return list(self.session.scalars(query))

    def open_gaps(self, subdivision_ids: Collection[int] | None = None) -> list[StaffingGap]:
        """The staffing gaps not closed yet, oldest first."""
        query = select(StaffingGap).where(StaffingGap.closed_at.is_(None))
        if subdivision_ids is not None:
            query = query.where(StaffingGap.subdivision_id.in_(list(subdivision_ids)))
        return list(self.session.scalars(query.order_by(StaffingGap.since)))

    def log(self, limit: int) -> list[PeopleChange]:
        """The latest entries of the people log first."""
        query = select(PeopleChange).order_by(PeopleChange.id.desc()).limit(limit)
        return list(self.session.scalars(query))
