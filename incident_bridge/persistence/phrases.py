"""The approved phrases and their log, on SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from incident_bridge.persistence.models import Phrase, PhraseChange


class SqlAlchemyPhrases:
    """Approved phrases (the archived ones kept) and the append-only log of their changes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, phrase_id: int) -> Phrase | None:
        return self.session.get(Phrase, phrase_id)

    def active(self, subdivision_ids: list[int | None] | None = None) -> list[Phrase]:
        """Phrases not archived, with their subdivision and authors loaded (one query each).

        ``subdivision_ids`` None: every one; else those of the listed subdivisions
        (None in the list: the common ones, for every subdivision).
        """
        query = (
            select(Phrase)
            .where(Phrase.archived_at.is_(None))
            .options(
                selectinload(Phrase.subdivision),
                selectinload(Phrase.created_by),
                selectinload(Phrase.updated_by),
            )
            .order_by(Phrase.id)
        )
        if subdivision_ids is not None:
            ids = [i for i in subdivision_ids if i is not None]
            conditions = [Phrase.subdivision_id.in_(ids)] if ids else []
            if None in subdivision_ids:
                conditions.append(Phrase.subdivision_id.is_(None))
            if not conditions:
                return []
            query = query.where(or_(*conditions))
        return list(self.session.scalars(query))

    def log(self, limit: int) -> list[PhraseChange]:
        """The latest changes, newest first."""
        query = select(PhraseChange).order_by(PhraseChange.id.desc()).limit(limit)
        return list(self.session.scalars(query))
