"""Subdivisions and people: kept, never deleted, so history stays attributable."""

from __future__ import annotations

from datetime import datetime

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Subdivision, User
from incident_bridge.services.unit_of_work import UnitOfWork


def create_subdivision(uow: UnitOfWork, name: str) -> Subdivision:
    """Add a subdivision; names are unique regardless of case."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Укажите название подразделения.")
    with uow:
        if uow.people.subdivision_named(name) is not None:
            raise InvalidInput(f"Подразделение «{name}» уже есть.")
        subdivision = Subdivision(name=name, active=True)
        uow.add(subdivision)
    return subdivision


def create_user(
    uow: UnitOfWork,
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
    with uow:
        if uow.people.user_by_login(login) is not None:
            raise InvalidInput(f"Логин «{login}» уже занят.")
        if role_value is Role.EXECUTOR:
            if subdivision_id is None or uow.people.subdivision(subdivision_id) is None:
                raise InvalidInput("Исполнителю нужно указать подразделение.")
        else:
            subdivision_id = None
        user = User(
            login=login,
            full_name=full_name.strip(),
            role=role_value,
            subdivision_id=subdivision_id,
            active=True,
            created_at=now,
        )
        user.set_password(password)
        uow.add(user)
    return user


def set_active(uow: UnitOfWork, user_id: int, active: bool) -> User:
    """Switch a person's access on or off (their history stays)."""
    with uow:
        user = uow.people.user(user_id)
        if user is None:
            raise NotFound("Пользователь не найден.")
        user.active = active
    return user


def authenticate(uow: UnitOfWork, login: str, password: str) -> User | None:
    """The active user with this login and password, or None."""
    user = uow.people.user_by_login(login.strip().lower())
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
