"""The look-ups of repeat messages: links both ways, and the earlier candidates of a batch."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, joinedload

from incident_bridge.domain.repeats import Message
from incident_bridge.persistence.models import Incident, RepeatLink


class SqlAlchemyRepeats:
    """Repeat links, and the messages a batch of new ones may repeat."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def earlier_of(self, incident_id: int) -> RepeatLink | None:
        """The link of a repeat to its earlier message (with that message), or None."""
        query = (
            select(RepeatLink)
            .where(RepeatLink.repeat_id == incident_id)
            .options(joinedload(RepeatLink.earlier))
        )
        return self.session.scalars(query).first()

    def repeats_of(self, incident_id: int) -> list[RepeatLink]:
        """The links of the later messages that repeat this one, oldest first."""
        query = (
            select(RepeatLink)
            .where(RepeatLink.earlier_id == incident_id)
            .options(joinedload(RepeatLink.repeat))
            .order_by(RepeatLink.repeat_id)
        )
        return list(self.session.scalars(query))

    def linked(self, incident_ids: Collection[int]) -> set[int]:
        """Which of these messages are repeats (one query, for the queue's badges)."""
        if not incident_ids:
            return set()
        query = select(RepeatLink.repeat_id).where(RepeatLink.repeat_id.in_(list(incident_ids)))
        return set(self.session.scalars(query))

    def by_number(self, number: str) -> Incident | None:
        """The message with this number (the first stored, if the system reused one)."""
        query = select(Incident).where(Incident.number == number).order_by(Incident.id)
        return self.session.scalars(query.limit(1)).first()

    def candidates(
        self,
        *,
        numbers: Collection[str],
        author_urls: Collection[str],
        places: Collection[str],
        since: datetime,
        limit: int = 5000,
    ) -> list[Message]:
        """The messages a batch may repeat: one query over three indexes (number, author, place).

        Authors and places count only from ``since`` (the window); a quoted number at any age.
        """
        clauses: list[ColumnElement[bool]] = []
        if numbers:
            clauses.append(Incident.number.in_(list(numbers)))
        if author_urls:
            clauses.append(
                and_(
                    Incident.author_url.in_(list(author_urls)), Incident.remote_created_at >= since
                )
            )
        if places:
            clauses.append(
                and_(Incident.place_key.in_(list(places)), Incident.remote_created_at >= since)
            )
        if not clauses:
            return []
        columns = (
            Incident.id, Incident.number, Incident.remote_created_at, Incident.text,
            Incident.author_url, Incident.municipality, Incident.topic, Incident.place_key,
        )  # fmt: skip
        query = (
            select(*columns)
            .where(or_(*clauses))
            .order_by(Incident.remote_created_at.desc())
            .limit(limit)
        )
        return [Message(*row) for row in self.session.execute(query)]

    def add_all(self, links: Sequence[RepeatLink]) -> None:
        """Keep new links."""
        self.session.add_all(links)

    def remove(self, link: RepeatLink) -> None:
        """Delete a link (the repeat's history keeps that it was there)."""
        self.session.delete(link)
