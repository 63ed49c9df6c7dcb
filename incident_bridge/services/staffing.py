"""Whether each body has an active executor: the staffing gaps, opened and closed as people change.

A gap is a fact (from when to when a body had no active executor), kept whatever the
profile; the term within which it must be filled is the profile's
(``Profile.people.replace_within``, Sobolevo cl. 7) and is computed when shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from incident_bridge.domain.people import Colleague, staffing_due, unstaffed
from incident_bridge.persistence.models import StaffingGap, Subdivision, User
from incident_bridge.services.context import Context
from incident_bridge.services.unit_of_work import UnitOfWork


def track(
    uow: UnitOfWork, now: datetime, subdivision_ids: Iterable[int | None] | None = None
) -> int:
    """Open a gap for each body (of ``subdivision_ids``, None: every active one) left with no
    active executor, close the gaps of bodies that have one again; return how many changed.

    Idempotent: run after every change of people and by the periodic deadlines task.
    """
    with uow:
        uow.flush()
        bodies = [s for s in uow.people.subdivisions() if s.active]
        if subdivision_ids is not None:
            wanted = {s for s in subdivision_ids if s is not None}
            bodies = [s for s in bodies if s.id in wanted]
        if not bodies:
            return 0
        colleagues = [colleague(u) for u in uow.staffing.executors()]
        empty = unstaffed(colleagues, [s.id for s in bodies])
        gaps = {g.subdivision_id: g for g in uow.staffing.open_gaps([s.id for s in bodies])}
        changed = 0
        for body in bodies:
            gap = gaps.get(body.id)
            if body.id in empty and gap is None:
                uow.add(StaffingGap(subdivision_id=body.id, since=now, closed_at=None))
                changed += 1
            elif body.id not in empty and gap is not None:
                gap.closed_at = now
                changed += 1
        return changed


@dataclass(frozen=True, slots=True)
class Alert:
    """A body without an active executor, since when, and when it must have one (the clause)."""

    subdivision: Subdivision
    since: datetime
    due: datetime
    clause: str

    def text(self, zone: tzinfo, now: datetime) -> str:
        """The alert in Russian, times in the organisation's zone."""
        late = " — срок истёк" if now >= self.due else ""
        return (
            f"В подразделении «{self.subdivision.name}» нет действующего исполнителя "
            f"с {self.since.astimezone(zone):%d.%m.%Y %H:%M}: назначьте исполнителя "
            f"до {self.due.astimezone(zone):%d.%m.%Y %H:%M} ({self.clause}){late}."
        )


def alerts(uow: UnitOfWork, ctx: Context, now: datetime) -> list[Alert]:
    """The open gaps with their due times, where the profile sets a term (else none)."""
    rule = ctx.profile.people
    if rule.replace_within is None:
        return []
    with uow:
        gaps = [g for g in uow.staffing.open_gaps() if g.subdivision.active]
        if not gaps:
            return []
        overrides = uow.calendar.overrides()
        clause = rule.replace_clause or rule.clause
        found = []
        for gap in gaps:
            calendar = ctx.calendars.known_at(overrides, gap.since)
            due = staffing_due(rule, gap.since, calendar)
            assert due is not None
            found.append(Alert(gap.subdivision, gap.since, due, clause))
        return found


def colleague(user: User) -> Colleague:
    """A stored executor as the people rules read them."""
    return Colleague(user.id, user.subdivision_id, user.active, user.full_name)
