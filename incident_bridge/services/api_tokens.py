"""Personal API tokens: issued once, kept as a digest, stopped by expiry, revocation or deactivation.

A token acts as its owner, with the owner's current role and subdivision: what the
owner may do on the pages, the token may do through the API, and nothing more.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.persistence.models import ApiToken, User
from incident_bridge.services import security_log
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork

#: Every token starts with this, so secret scanners and people can recognise one.
TOKEN_PREFIX = "ib_"
MAX_NAME = 120
MAX_EXPIRY_DAYS = 3650
#: ``last_used_at`` is written at most this often (a busy client must not write on every call).
USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: the stored row, and the token itself (shown this once, never stored)."""

    row: ApiToken
    token: str


def digest(token: str) -> str:
    """The stored form of a token (SHA-256: tokens are random, so no salt or stretching is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(
    uow: UnitOfWork,
    user_id: int,
    *,
    name: str,
    expires_days: int | None,
    by: Actor,
    now: datetime,
) -> IssuedToken:
    """Issue a token for ``user_id`` (an active person); ``expires_days=None``: no expiry."""
    name = " ".join(name.split())[:MAX_NAME] or "API"
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(f"Срок действия токена — от 1 до {MAX_EXPIRY_DAYS} дней.")
    with uow:
        user = uow.people.user(user_id)
        if user is None:
            raise NotFound("Пользователь не найден.")
        if not user.active:
            raise InvalidInput("Доступ пользователя отключён: токен ему выдать нельзя.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(
            user_id=user.id,
            name=name,
            prefix=token[:10],
            digest=digest(token),
            created_at=now,
            created_by=by.name[:300],
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
        )
        uow.add(row)
        expiry = f"до {row.expires_at:%d.%m.%Y}" if row.expires_at else "бессрочно"
        security_log.record(uow, "token_created", now, login=user.login, user_id=user.id,
                            actor=by.name, detail=f"«{name}» ({row.prefix}…), {expiry}")  # fmt: skip
        uow.flush()
    return IssuedToken(row, token)


def authenticate(uow: UnitOfWork, token: str, now: datetime) -> tuple[ApiToken, User] | None:
    """The token and its owner, if the token is known, current and its owner may still sign in."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with uow:
        row = uow.api_tokens.by_digest(digest(token))
        if row is None or row.revoked_at is not None or not row.user.active:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
            row.last_used_at = now
        return row, row.user


def revoke(uow: UnitOfWork, token_id: int, *, by: Actor, now: datetime) -> ApiToken:
    """Stop a token for good (it stays in the list, marked revoked, with who did it)."""
    with uow:
        row = uow.api_tokens.get(token_id)
        if row is None:
            raise NotFound("Токен не найден.")
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_by = by.name[:300]
            security_log.record(uow, "token_revoked", now, login=row.user.login,
                                user_id=row.user_id, actor=by.name,
                                detail=f"«{row.name}» ({row.prefix}…)")  # fmt: skip
    return row


def state(row: ApiToken, now: datetime) -> str:
    """The token's state in Russian, for the admin page."""
    if row.revoked_at is not None:
        return "отозван"
    if not row.user.active:
        return "доступ владельца отключён"
    if row.expires_at is not None and row.expires_at <= now:
        return "истёк"
    return "действует"
