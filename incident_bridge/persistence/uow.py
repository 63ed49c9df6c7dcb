"""Unit of work on SQLAlchemy: a ``with`` block is one transaction, committed or rolled back.

The use cases open ``with uow:`` around what they change; leaving the block
commits, an exception rolls everything back. A block opened inside another
joins it (only the outermost one commits), so a use case can call another.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from incident_bridge.domain.errors import ConcurrentUpdate
from incident_bridge.persistence.repositories import (
    SqlAlchemyCalendar,
    SqlAlchemyDictionary,
    SqlAlchemyIncidents,
    SqlAlchemyOutbox,
    SqlAlchemyPeople,
    SqlAlchemyQuarantine,
    SqlAlchemySyncStates,
)


class SqlAlchemyUnitOfWork:
    """The repositories of one session, and the transaction boundary around a use case.

    A lost optimistic-lock race (someone changed the row since it was read)
    becomes ``ConcurrentUpdate``.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.incidents = SqlAlchemyIncidents(session)
        self.outbox = SqlAlchemyOutbox(session)
        self.quarantine = SqlAlchemyQuarantine(session)
        self.sync_states = SqlAlchemySyncStates(session)
        self.calendar = SqlAlchemyCalendar(session)
        self.dictionary = SqlAlchemyDictionary(session)
        self.people = SqlAlchemyPeople(session)
        self._depth = 0

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth:
            return  # an inner block: the outermost one commits or rolls back
        if exc_type is not None:
            self.session.rollback()
            return
        try:
            self.session.commit()
        except StaleDataError as error:
            self.session.rollback()
            raise ConcurrentUpdate() from error

    def add(self, entity: object) -> None:
        """Keep a new entity (stored when the block commits)."""
        self.session.add(entity)

    def flush(self) -> None:
        """Send pending changes now (to get ids), translating a lost race like the commit."""
        try:
            self.session.flush()
        except StaleDataError as error:
            self.session.rollback()
            raise ConcurrentUpdate() from error
