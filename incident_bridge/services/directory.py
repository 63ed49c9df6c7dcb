"""Subdivisions and people: kept, never deleted, so history stays attributable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Subdivision, User


def create_subdivision(session: Session, name: str) -> Subdivision:
    """Add a subdivision; names are unique regardless of case."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Укажите название подразделения.")
    taken = session.scalar(select(Subdivision).where(func.lower(Subdivision.name) == name.lower()))
    if taken is not None:
        raise InvalidInput(f"Подразделение «{name}» уже есть.")
    subdivision = Subdivision(name=name, active=True)
    session.add(subdivision)
    session.commit()
    return subdivision


def create_user(
    session: Session,
    *,
    login: str,
    full_name: str,
    password: str,
    role: str,
    subdivision_id: int | None,
    now: datetime,
) -> User:
    """Add a person; an executor must belong to a subdivision, others must not."""
    login = login.strip().lower()
    try:
        role_value = Role(role)
    except ValueError:
        raise InvalidInput(f"Неизвестная роль «{role}».") from None
    if session.scalar(select(User).where(User.login == login)) is not None:
        raise InvalidInput(f"Логин «{login}» уже занят.")
    if role_value is Role.EXECUTOR:
        if subdivision_id is None or session.get(Subdivision, subdivision_id) is None:
            raise InvalidInput("Исполнителю нужно указать подразделение.")
    else:
        subdivision_id = None
    user = User(
        login=login,
        full_name=full_name.strip(),
        role=role_value.value,
        subdivision_id=subdivision_id,
        active=True,
        created_at=now,
    )
    user.set_password(password)
    session.add(user)
    session.commit()
    return user


def set_active(session: Session, user_id: int, active: bool) -> User:
    """Switch a person's access on or off (their history stays)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Пользователь не найден.")
    user.active = active
    session.commit()
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, or None."""
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def subdivisions(session: Session, *, active_only: bool = True) -> list[Subdivision]:
    """Subdivisions by name."""
    query = select(Subdivision).order_by(Subdivision.name)
    if active_only:
        query = query.where(Subdivision.active.is_(True))
    return list(session.scalars(query))


def users(session: Session) -> list[User]:
    """Everyone, by role and name."""
    return list(session.scalars(select(User).order_by(User.role, User.full_name)))
