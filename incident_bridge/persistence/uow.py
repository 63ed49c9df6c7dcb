"""Unit of work: one transaction per use case, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from incident_bridge.domain.errors import ConcurrentUpdate


class SqlAlchemyUnitOfWork:
    """Wraps a session; ``commit`` turns a lost optimistic-lock race into ``ConcurrentUpdate``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.session.rollback()

    def commit(self) -> None:
        """Commit, or roll back and raise ``ConcurrentUpdate`` if someone else won the race."""
        try:
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrentUpdate() from exc

    def flush(self) -> None:
        """Flush pending changes, translating a lost race like ``commit``."""
        try:
            self.session.flush()
        except StaleDataError as exc:
            self.session.rollback()
            raise ConcurrentUpdate() from exc
