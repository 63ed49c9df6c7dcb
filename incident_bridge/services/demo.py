"""Demo subdivisions and people for ``make run`` (idempotent)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incident_bridge.persistence.models import Subdivision, User
from incident_bridge.services import directory

SUBDIVISIONS = (
    "Управление ЖКХ",
    "Управление дорожного хозяйства и благоустройства",
    "Отдел транспорта и связи",
    "Управление образования",
)

# login, password, role, full name, subdivision index (executors)
PEOPLE = (
    ("admin", "admin-demo-1", "admin", "Администратор системы", None),
    ("operator", "operator-demo-1", "operator", "Никитина Елена Станиславовна", None),
    ("zhkh", "executor-demo-1", "executor", "Петров Иван Сергеевич", 0),
    ("dorogi", "executor-demo-2", "executor", "Смирнова Ольга Викторовна", 1),
    ("transport", "executor-demo-3", "executor", "Козлов Андрей Павлович", 2),
    ("obrazovanie", "executor-demo-4", "executor", "Морозова Анна Игоревна", 3),
)


def seed(session: Session, now: datetime) -> list[tuple[str, str, str, str]]:
    """Create what is missing and return (login, password, role, name) of every demo person."""
    ids = []
    for name in SUBDIVISIONS:
        sub = session.scalar(select(Subdivision).where(Subdivision.name == name))
        if sub is None:
            sub = directory.create_subdivision(session, name)
        ids.append(sub.id)
    for login, password, role, full_name, sub_index in PEOPLE:
        if session.scalar(select(User).where(User.login == login)) is None:
            directory.create_user(
                session,
                login=login,
                full_name=full_name,
                password=password,
                role=role,
                subdivision_id=ids[sub_index] if sub_index is not None else None,
                now=now,
            )
    return [(login, password, role, name) for login, password, role, name, _ in PEOPLE]
