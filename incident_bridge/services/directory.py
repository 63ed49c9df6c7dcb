"""Subdivisions and people: kept, never deleted, so history stays attributable.

Every change of access (a new person, a role, a password, deactivation) ends the
person's sessions and is written to the security log; the last active admin
can be neither deactivated nor demoted.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from werkzeug.security import check_password_hash

from incident_bridge.domain.errors import InvalidInput, NotFound
from incident_bridge.domain.notices import Duty
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Subdivision, User, hash_password
from incident_bridge.services import passwords, security_log, staffing
from incident_bridge.services.actors import Actor
from incident_bridge.services.unit_of_work import UnitOfWork

#: Who acts when a command is typed on the server (the CLI, the demo seed).
CONSOLE = Actor(user_id=None, role=Role.ADMIN, name="Командная строка сервера")


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
    by: Actor = CONSOLE,
) -> User:
    """Add a person; an executor must belong to a subdivision, others must not."""
    login = login.strip().lower()
    role_value = _role(role)
    if not login or not full_name.strip():
        raise InvalidInput("Укажите логин и ФИО.")
    passwords.check(password, personal=[login, *full_name.split()])
    with uow:
        if uow.people.user_by_login(login) is not None:
            raise InvalidInput(f"Логин «{login}» уже занят.")
        subdivision_id = _subdivision_for(uow, role_value, subdivision_id)
        user = User(
            login=login,
            full_name=full_name.strip(),
            role=role_value,
            subdivision_id=subdivision_id,
            active=True,
            created_at=now,
            session_generation=1,
        )
        user.set_password(password)
        uow.add(user)
        uow.flush()
        security_log.record(uow, "user_created", now, login=login, user_id=user.id,
                            actor=by.name, detail=role_value.label)  # fmt: skip
        staffing.track(uow, now, [user.subdivision_id])  # a body may have its executor again
    return user


def set_active(uow: UnitOfWork, user_id: int, active: bool, *, by: Actor, now: datetime) -> User:
    """Switch a person's access on or off (their history stays; their sessions end)."""
    with uow:
        user = _user(uow, user_id)
        if user.active == active:
            return user
        if not active:
            if by.user_id == user.id:
                raise InvalidInput("Собственную учётную запись отключить нельзя.")
            _keep_an_admin(uow, user)
        user.active = active
        user.end_sessions()
        kind = "activated" if active else "deactivated"
        security_log.record(uow, kind, now, login=user.login, user_id=user.id, actor=by.name)
        staffing.track(uow, now, [user.subdivision_id])  # the last executor gone, or back
    return user


def change_role(
    uow: UnitOfWork,
    user_id: int,
    role: str,
    subdivision_id: int | None,
    *,
    by: Actor,
    now: datetime,
) -> User:
    """Give a person another role (and subdivision, for an executor); their sessions end."""
    role_value = _role(role)
    with uow:
        user = _user(uow, user_id)
        if role_value is not Role.ADMIN:
            _keep_an_admin(uow, user)
        before = user.role.label
        left = user.subdivision_id
        user.subdivision_id = _subdivision_for(uow, role_value, subdivision_id)
        user.role = role_value
        user.end_sessions()
        security_log.record(uow, "role_changed", now, login=user.login, user_id=user.id,
                            actor=by.name, detail=f"{before} → {role_value.label}")  # fmt: skip
        staffing.track(uow, now, [left, user.subdivision_id])
    return user


#: An e-mail address as the mail server takes it: one @, a dot in the domain, no spaces.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def set_contact(
    uow: UnitOfWork,
    user_id: int,
    email: str | None,
    duty: str | None,
    *,
    by: Actor,
    now: datetime,
) -> User:
    """Where a person's notifications are mailed, and their escalation duty (head, deputy)."""
    address = (email or "").strip() or None
    if address is not None and (len(address) > 254 or not _EMAIL.match(address)):
        raise InvalidInput("Адрес электронной почты указан неверно: пример — ivanova@elets.ru.")
    duty_value = (duty or "").strip() or None
    if duty_value is not None and duty_value not in {d.value for d in Duty}:
        raise InvalidInput("Нет такой обязанности.")
    with uow:
        user = _user(uow, user_id)
        before = f"{user.email or '—'}, {Duty(user.duty).label if user.duty else '—'}"
        user.email, user.duty = address, duty_value
        after = f"{address or '—'}, {Duty(duty_value).label if duty_value else '—'}"
        security_log.record(uow, "contact_changed", now, login=user.login, user_id=user.id,
                            actor=by.name, detail=f"{before} → {after}")  # fmt: skip
    return user


def reset_password(
    uow: UnitOfWork, user_id: int, password: str, *, by: Actor, now: datetime
) -> User:
    """An admin sets a new password for a person (who forgot theirs); their sessions end."""
    with uow:
        user = _user(uow, user_id)
        passwords.check(password, personal=[user.login, *user.full_name.split()])
        user.set_password(password)
        user.end_sessions()
        security_log.record(uow, "password_reset", now, login=user.login, user_id=user.id,
                            actor=by.name)  # fmt: skip
    return user


def change_password(
    uow: UnitOfWork,
    user_id: int,
    current: str,
    new: str,
    *,
    now: datetime,
    address: str | None = None,
) -> User:
    """A person changes their own password; every other session of theirs ends."""
    with uow:
        user = _user(uow, user_id)
        if not user.check_password(current):
            raise InvalidInput("Текущий пароль указан неверно.")
        if new == current:
            raise InvalidInput("Новый пароль должен отличаться от текущего.")
        passwords.check(new, personal=[user.login, *user.full_name.split()])
        user.set_password(new)
        user.end_sessions()
        security_log.record(uow, "password_changed", now, login=user.login, user_id=user.id,
                            actor=user.full_name, address=address)  # fmt: skip
    return user


@cache
def _dummy_hash() -> str:
    """A hash to check unknown logins against, so both answers take the same time."""
    return hash_password("no such user: the time must not tell")


def authenticate(
    uow: UnitOfWork, login: str, password: str, *, now: datetime, address: str | None = None
) -> User | None:
    """The active user with this login and password, or None; every attempt is logged.

    The password is hashed whatever the login, so the time taken does not tell
    whether a login exists.
    """
    typed = login.strip().lower()
    password = password[: passwords.MAX_LENGTH]
    with uow:
        user = uow.people.user_by_login(typed) if typed else None
        if user is None:
            check_password_hash(_dummy_hash(), password)
            ok = False
        else:
            ok = user.check_password(password) and user.active
        security_log.record(uow, "login_ok" if ok else "login_failed", now, login=typed,
                            user_id=user.id if user and ok else None,
                            actor=user.full_name if user and ok else "—", address=address)  # fmt: skip
    return user if ok else None


def log_out(uow: UnitOfWork, user_id: int, *, now: datetime, address: str | None = None) -> None:
    """End every session of the person (a copied cookie stops working too)."""
    with uow:
        user = _user(uow, user_id)
        user.end_sessions()
        security_log.record(uow, "logout", now, login=user.login, user_id=user.id,
                            actor=user.full_name, address=address)  # fmt: skip


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"Неизвестная роль «{role}».") from None


def _subdivision_for(uow: UnitOfWork, role: Role, subdivision_id: int | None) -> int | None:
    if role is not Role.EXECUTOR:
        return None
    if subdivision_id is None or uow.people.subdivision(subdivision_id) is None:
        raise InvalidInput("Исполнителю нужно указать подразделение.")
    return subdivision_id


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.people.user(user_id)
    if user is None:
        raise NotFound("Пользователь не найден.")
    return user


def _keep_an_admin(uow: UnitOfWork, user: User) -> None:
    """Refuse to leave the bridge with no active admin (nobody could manage people then)."""
    if user.role is Role.ADMIN and user.active and uow.people.active_admins() <= 1:
        raise InvalidInput(
            "Это последний действующий администратор: сначала назначьте другого администратора."
        )
