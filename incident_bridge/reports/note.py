"""The monthly analytical note (Sobolevo 24): the most discussed topics and places, the top
messages, and how many were resolved positively — a DOCX, each figure one SQL aggregation.

Resolved positively: a message answered in the period whose author said «доволен», or that
a person marked resolved («Отметить: вопрос решён положительно» on the message page).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.shared import Pt
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import AuthorMessage, Incident, RepeatLink, Stage
from incident_bridge.reports.periods import Period

TOP = 10


@dataclass(frozen=True, slots=True)
class TopMessage:
    number: str
    topic: str
    place: str
    text: str
    repeats: int
    follow_ups: int
    status: str
    resolved: bool


@dataclass(frozen=True, slots=True)
class Note:
    title: str
    period: Period
    arrived: int
    answered: int
    resolved: int
    topics: list[tuple[str, int]]
    places: list[tuple[str, int]]
    top: list[TopMessage]


def note(session: Session, title: str, period: Period) -> Note:
    """The note's figures for ``period``."""
    start, end = period.start, period.end
    created = (Incident.remote_created_at >= start, Incident.remote_created_at < end)
    arrived = int(session.scalar(select(func.count(Incident.id)).where(*created)) or 0)
    answered_q = (
        select(
            func.count(func.distinct(Stage.incident_id)),
            func.count(
                func.distinct(
                    case(
                        (
                            or_(
                                Incident.feedback == "satisfied", Incident.resolved_at.is_not(None)
                            ),
                            Stage.incident_id,
                        ),
                    )
                )
            ),
        )  # fmt: skip
        .select_from(Stage)
        .join(Incident, Incident.id == Stage.incident_id)
        .where(Stage.clock == "total", Stage.stopped_at >= start, Stage.stopped_at < end)
    )
    answered, resolved = session.execute(answered_q).one()

    def top_of(column: Any) -> list[tuple[str, int]]:
        query = (
            select(column, func.count())
            .where(*created)
            .group_by(column)
            .order_by(func.count().desc(), column)
            .limit(TOP)
        )
        return [(str(v), int(n)) for v, n in session.execute(query)]

    repeats = (
        select(RepeatLink.earlier_id.label("id"), func.count().label("n"))
        .group_by(RepeatLink.earlier_id)
        .subquery()
    )
    follow_ups = (
        select(AuthorMessage.incident_id.label("id"), func.count().label("n"))
        .group_by(AuthorMessage.incident_id)
        .subquery()
    )
    discussed = func.coalesce(repeats.c.n, 0) + func.coalesce(follow_ups.c.n, 0)
    query = (
        select(Incident, func.coalesce(repeats.c.n, 0), func.coalesce(follow_ups.c.n, 0))
        .outerjoin(repeats, repeats.c.id == Incident.id)
        .outerjoin(follow_ups, follow_ups.c.id == Incident.id)
        .where(*created, Incident.status != Status.EXCLUDED.value)
        .order_by(discussed.desc(), (Incident.importance == "high").desc(), Incident.id)
        .limit(TOP)
    )
    top = [
        TopMessage(i.number, i.topic, i.municipality, _excerpt(i.text), int(r), int(f),
                   Status(i.status).label, i.resolved_at is not None or i.feedback == "satisfied")
        for i, r, f in session.execute(query)
    ]  # fmt: skip
    return Note(title, period, arrived, int(answered or 0), int(resolved or 0),
                top_of(Incident.topic), top_of(Incident.municipality), top)  # fmt: skip


def docx(n: Note) -> bytes:
    """The note as a document to sign."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    doc.add_heading(n.title, level=1)
    doc.add_paragraph(
        f"Аналитическая записка о сообщениях из открытых источников за {n.period.label}."
    )
    share = f"{round(100 * n.resolved / n.answered)} %" if n.answered else "—"
    doc.add_paragraph(
        f"Поступило сообщений: {n.arrived}. Дан ответ: {n.answered}. Решено положительно: "
        f"{n.resolved} ({share} отвеченных) — автор доволен ответом или решение отмечено "
        "сотрудником."
    )
    doc.add_heading("Наиболее обсуждаемые темы", level=2)
    _table(doc, ("Тема", "Сообщений"), n.topics)
    doc.add_heading("Наиболее обсуждаемые места", level=2)
    _table(doc, ("Муниципальное образование", "Сообщений"), n.places)
    doc.add_heading("Топ сообщений", level=2)
    _table(doc, ("№", "Тема", "Место", "Суть", "Повторных", "Уточнений автора", "Состояние",
                 "Решено положительно"),
           [(t.number, t.topic, t.place, t.text, t.repeats, t.follow_ups, t.status,
             "да" if t.resolved else "нет") for t in n.top])  # fmt: skip
    doc.add_paragraph("")
    doc.add_paragraph("Подготовил ____________________ / ____________________ /")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _table(doc: Any, head: tuple[str, ...], rows: list[tuple[Any, ...]] | list[Any]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)


def _excerpt(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
