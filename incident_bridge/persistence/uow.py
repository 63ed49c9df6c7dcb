"""Unit of work on SQLAlchemy: a ``with`` block is one transaction, committed or rolled back.

The use cases open ``with uow:`` around what they change; leaving the block
commits, an exception rolls everything back. A block opened inside another
joins it (only the outermost one commits), so a use case can call another.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from incident_bridge.domain.errors import ConcurrentUpdate, StorageError
from incident_bridge.persistence.api_tokens import SqlAlchemyApiTokens
from incident_bridge.persistence.notices import SqlAlchemyNotices
from incident_bridge.persistence.phrases import SqlAlchemyPhrases
from incident_bridge.persistence.repeats import SqlAlchemyRepeats
from incident_bridge.persistence.repositories import (
    SqlAlchemyCalendar,
    SqlAlchemyDictionary,
    SqlAlchemyIncidents,
    SqlAlchemyJobs,
    SqlAlchemyOutbox,
    SqlAlchemyPeople,
    SqlAlchemyQuarantine,
    SqlAlchemySecurityLog,
    SqlAlchemySyncStates,
    SqlAlchemyTopicRoutes,
)
from incident_bridge.persistence.staffing import SqlAlchemyStaffing
from incident_bridge.persistence.watch_repository import SqlAlchemyWatch
from incident_bridge.persistence.webhooks import SqlAlchemyWebhooks


class SqlAlchemyUnitOfWork:
    """The repositories of one session, and the transaction boundary around a use case.

    A lost optimistic-lock race (someone changed the row since it was read)
    becomes ``ConcurrentUpdate``; a value or key the database refuses becomes
    ``StorageError`` (after the rollback), so the use cases need not know SQL.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.incidents = SqlAlchemyIncidents(session)
        self.outbox = SqlAlchemyOutbox(session)
        self.quarantine = SqlAlchemyQuarantine(session)
        self.sync_states = SqlAlchemySyncStates(session)
        self.jobs = SqlAlchemyJobs(session)
        self.calendar = SqlAlchemyCalendar(session)
        self.dictionary = SqlAlchemyDictionary(session)
        self.people = SqlAlchemyPeople(session)
        self.security = SqlAlchemySecurityLog(session)
        self.topic_routes = SqlAlchemyTopicRoutes(session)
        self.watch = SqlAlchemyWatch(session)
        self.repeats = SqlAlchemyRepeats(session)
        self.staffing = SqlAlchemyStaffing(session)
        self.notices = SqlAlchemyNotices(session)
        self.api_tokens = SqlAlchemyApiTokens(session)
        self.webhooks = SqlAlchemyWebhooks(session)
        self.phrases = SqlAlchemyPhrases(session)
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
            if isinstance(exc, DBAPIError):
                raise _refused(exc) from exc
            return
        try:
            self.session.commit()
        except StaleDataError as error:
            self.session.rollback()
            raise ConcurrentUpdate() from error
        except DBAPIError as error:
            self.session.rollback()
            raise _refused(error) from error

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
        except DBAPIError as error:
            self.session.rollback()
            raise _refused(error) from error


def _refused(error: DBAPIError) -> StorageError:
    """The database's refusal, in one line (its first line names the problem)."""
    detail = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return StorageError(
        f"База данных отказалась сохранить: {detail[:300]}",
        conflict=isinstance(error, IntegrityError),
    )
