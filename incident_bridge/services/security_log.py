"""The security log: sign-ins, lockouts and changes of access, append-only, for admins to read."""

from __future__ import annotations

from datetime import datetime

from incident_bridge.persistence.models import SecurityEvent
from incident_bridge.services.unit_of_work import UnitOfWork

KIND_LABELS = {
    "login_ok": "Вход",
    "login_failed": "Неверный логин или пароль",
    "login_throttled": "Вход заблокирован: слишком много попыток",
    "logout": "Выход",
    "password_changed": "Пароль изменён самим пользователем",
    "password_reset": "Пароль задан администратором",
    "role_changed": "Роль изменена",
    "contact_changed": "Изменены адрес для уведомлений или обязанность",
    "deactivated": "Доступ отключён",
    "activated": "Доступ включён",
    "user_created": "Пользователь создан",
    "token_created": "Выдан API-токен",
    "token_revoked": "API-токен отозван",
}
MAX_DETAIL = 1000


def record(
    uow: UnitOfWork,
    kind: str,
    now: datetime,
    *,
    login: str | None,
    actor: str,
    user_id: int | None = None,
    address: str | None = None,
    detail: str | None = None,
) -> SecurityEvent:
    """Append one entry (in the caller's unit of work). ``kind`` is a key of ``KIND_LABELS``."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown security event «{kind}»")
    entry = SecurityEvent(
        at=now,
        kind=kind,
        login=(login or "")[:200] or None,
        user_id=user_id,
        actor_label=actor[:300],
        address=(address or "")[:100] or None,
        detail=(detail or "")[:MAX_DETAIL] or None,
    )
    uow.add(entry)
    return entry
