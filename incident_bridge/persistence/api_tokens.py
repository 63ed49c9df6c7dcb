"""The personal API tokens' repository."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from incident_bridge.persistence.models import ApiToken


class SqlAlchemyApiTokens:
    """Personal API tokens, found by the digest of the token a request presents."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def by_digest(self, digest: str) -> ApiToken | None:
        query = select(ApiToken).where(ApiToken.digest == digest).options(joinedload(ApiToken.user))
        return self.session.scalar(query)

    def all(self) -> list[ApiToken]:
        """Every token, newest first, with its owner."""
        query = select(ApiToken).options(joinedload(ApiToken.user)).order_by(ApiToken.id.desc())
        return list(self.session.scalars(query))
