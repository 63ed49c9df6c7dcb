"""Demo subdivisions and people for ``make run`` (idempotent).

The coordinating people follow the profile: whoever its steps name (the
department's operator for Yelets, a curator for Lipetsk, …) gets a demo login.
"""

from __future__ import annotations

from datetime import datetime

from incident_bridge.domain.notices import Duty
from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.workflow import Role
from incident_bridge.services import directory, phrases
from incident_bridge.services.unit_of_work import UnitOfWork

SUBDIVISIONS = (
    "Управление ЖКХ",
    "Управление дорожного хозяйства и благоустройства",
    "Отдел транспорта и связи",
    "Управление образования",
)

# login, password, role, full name, subdivision index (executors)
PEOPLE = (
    ("admin", "admin-demo-1", Role.ADMIN, "Администратор системы", None),
    ("operator", "operator-demo-1", Role.OPERATOR, "Никитина Елена Станиславовна", None),
    ("curator", "curator-demo-1", Role.CURATOR, "Сафонова Анастасия Владимировна", None),
    ("regional", "regional-demo-1", Role.REGIONAL_AUTHORITY, "Уполномоченный ОИВ (демо)", None),
    ("zhkh", "executor-demo-1", Role.EXECUTOR, "Петров Иван Сергеевич", 0),
    ("dorogi", "executor-demo-2", Role.EXECUTOR, "Смирнова Ольга Викторовна", 1),
    ("transport", "executor-demo-3", Role.EXECUTOR, "Козлов Андрей Павлович", 2),
    ("obrazovanie", "executor-demo-4", Role.EXECUTOR, "Морозова Анна Игоревна", 3),
    # A second executor of the housing body: the two stand in for each other.
    ("zhkh2", "executor-demo-5", Role.EXECUTOR, "Васильева Мария Петровна", 0),
)


def seed(uow: UnitOfWork, profile: Profile, now: datetime) -> list[tuple[str, str, str, str]]:
    """Create what is missing; return (login, password, role, name) of the profile's demo people."""
    ids = []
    for name in SUBDIVISIONS:
        sub = uow.people.subdivision_named(name) or directory.create_subdivision(uow, name)
        ids.append(sub.id)
    wanted = {Role.ADMIN, Role.EXECUTOR} | {step.who for step in profile.steps.values()}
    people = [p for p in PEOPLE if p[2] in wanted]
    coordinator = profile.who_takes("route")
    for login, password, role, full_name, sub_index in people:
        if uow.people.user_by_login(login) is None:
            user = directory.create_user(
                uow,
                login=login,
                full_name=full_name,
                password=password,
                role=role,
                subdivision_id=ids[sub_index] if sub_index is not None else None,
                now=now,
            )
            if role == coordinator:
                # The demo's coordinating person also plays the supervising deputy head: the
                # deficiencies, significant messages and surges reach a bell someone watches.
                directory.set_contact(uow, user.id, None, Duty.DEPUTY.value, by=directory.CONSOLE,
                                      now=now)  # fmt: skip
    if not uow.phrases.active():
        _phrases(uow, ids, now)
    return [(login, password, role.value, name) for login, password, role, name, _ in people]


#: A few approved wordings, so «Типовые формулировки» do not open empty (None: for everyone).
PHRASES = (
    (None, "Благодарность за обращение",
     "Благодарим Вас за обращение и неравнодушие к проблемам города."),
    (None, "Ход рассмотрения",
     "Ваше обращение взято на контроль; о результатах мы сообщим дополнительно."),
    (0, "Работы запланированы",
     "Работы запланированы на ___ и будут выполнены силами управляющей организации."),
)  # fmt: skip


def _phrases(uow: UnitOfWork, ids: list[int], now: datetime) -> None:
    for sub_index, title, text in PHRASES:
        subdivision_id = ids[sub_index] if sub_index is not None else None
        phrases.add(uow, directory.CONSOLE, subdivision_id=subdivision_id, title=title, text=text,
                    now=now)  # fmt: skip
