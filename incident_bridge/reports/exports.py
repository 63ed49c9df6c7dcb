"""The report as an XLSX workbook (openpyxl) and as a DOCX document to sign (python-docx)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from incident_bridge.domain.regulations import Rating
from incident_bridge.reports.build import (
    FEEDBACK,
    FEEDBACK_LABELS,
    TOTAL,
    PersonLine,
    Report,
    hours,
    share,
)
from incident_bridge.reports.rating import COMPONENT_LABELS, rating, staff_kpi

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

CLOCK_HEAD = ("Этап", "Завершено", "В срок", "Доля в срок", "Медиана, мин", "90-й процентиль, мин",
              "Завершено ранее", "Доля в срок ранее")  # fmt: skip
PEOPLE_HEAD = ("Поступило", "Отвечено", "Ответ в срок", "Медиана цикла, мин", "Возвратов",
               "Не прошли проверки", "Одобрено вопреки проверкам",
               *(f"Автор {FEEDBACK_LABELS[f]}" for f in FEEDBACK))  # fmt: skip


def summary_rows(report: Report) -> list[tuple[str, Any, Any]]:
    """The headline figures, this period and the one before."""
    now, before = report.totals, report.previous_totals
    total = report.total_clock()
    answered = (total.now.count if total and total.now else 0,
                total.before.count if total and total.before else 0)  # fmt: skip
    on_time = (
        share(total.now.on_time, total.now.count) if total and total.now else "—",
        share(total.before.on_time, total.before.count) if total and total.before else "—",
    )
    return [
        ("Поступило сообщений", now.arrived, before.arrived),
        ("Отвечено (цикл завершён)", answered[0], answered[1]),
        ("Доля ответов в срок", on_time[0], on_time[1]),
        ("Возвратов на доработку", now.returns, before.returns),
        ("Проектов, не прошедших проверки", now.checks_failed, before.checks_failed),
        ("Одобрено вопреки проверкам", now.overrides, before.overrides),
        *((f"Автор {FEEDBACK_LABELS[f]}", now.feedback[f], before.feedback[f]) for f in FEEDBACK),
    ]


def person_row(line: PersonLine) -> list[Any]:
    total = line.clocks.get(TOTAL)
    t = line.tally
    return [
        t.arrived,
        line.answered,
        share(total.on_time, total.count) if total else "—",
        total.median if total else None,
        t.returns,
        t.checks_failed,
        t.overrides,
        *(t.feedback[f] for f in FEEDBACK),
    ]


def xlsx(report: Report, rule: Rating) -> bytes:
    """The workbook: summary, stages, bodies, executors, the bodies' rating, the staff KPI."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Сводка"
    _rows(sheet, [(report.title,), (f"Отчёт за {report.period.label}",),
                  (f"Сравнение: {report.previous.label}",), ()])  # fmt: skip
    _rows(sheet, [("Показатель", report.period.label, report.previous.label)], bold=True)
    _rows(sheet, summary_rows(report))
    _rows(sheet, [(), ("Просрочено сейчас (в работе)", report.overdue_now)])

    stages = book.create_sheet("Этапы")
    _rows(stages, [CLOCK_HEAD], bold=True)
    for c in report.clocks:
        n, b = c.now, c.before
        _rows(stages, [(c.label, n.count if n else 0, n.on_time if n else 0,
                        share(n.on_time, n.count) if n else "—", n.median if n else None,
                        n.p90 if n else None, b.count if b else 0,
                        share(b.on_time, b.count) if b else "—")])  # fmt: skip

    bodies = book.create_sheet("Органы")
    _rows(bodies, [("Орган", *PEOPLE_HEAD)], bold=True)
    _rows(bodies, [(line.name, *person_row(line)) for line in report.bodies])

    executors = book.create_sheet("Исполнители")
    _rows(executors, [("Исполнитель", "Орган", "Проектов", "Проектов в срок", "Медиана подготовки, мин",
                       "Возвратов", "Не прошли проверки")], bold=True)  # fmt: skip
    _rows(executors, [
        (line.name, line.body, d.count if d else 0, share(d.on_time, d.count) if d else "—",
         d.median if d else None, line.tally.returns, line.tally.checks_failed)
        for line in report.executors for d in [line.clocks.get("draft")]
    ])  # fmt: skip

    rated = book.create_sheet("Рейтинг")
    _rows(rated, [(f"Рейтинг органов по качеству ({rule.clause})",), ()], bold=True)
    _rows(rated, [("Место", "Орган", "Отвечено", "Балл",
                   *(COMPONENT_LABELS[k] for k in rule.weights))], bold=True)  # fmt: skip
    _rows(rated, [(r.place, r.name, r.answered, r.score,
                   *(None if r.components[k] is None else round(100 * (r.components[k] or 0), 1)
                     for k in rule.weights))
                  for r in rating(report.bodies, rule)])  # fmt: skip
    _rows(
        rated, [(), ("Веса:", *(f"{COMPONENT_LABELS[k]} {w:g}" for k, w in rule.weights.items()))]
    )

    kpi = book.create_sheet("KPI")
    _rows(kpi, [("Исполнитель", "Орган", "Этапов завершено", "В срок", "Доля в срок",
                 "Возвратов")], bold=True)  # fmt: skip
    _rows(kpi, [(k.name, k.body, k.runs, k.on_time, share(k.on_time, k.runs), k.returns)
                for k in staff_kpi(report.executors)])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx(report: Report) -> bytes:
    """The report as a document the head signs."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    doc.add_heading(report.title, level=1)
    doc.add_paragraph(
        f"Сводная информация о работе с сообщениями из открытых источников за "
        f"{report.period.label} (в сравнении с периодом: {report.previous.label})."
    )
    _table(doc, ("Показатель", report.period.label, report.previous.label), summary_rows(report))
    doc.add_heading("Сроки по этапам", level=2)
    _table(doc, ("Этап", "Завершено", "В срок", "Доля в срок", "Медиана", "90-й процентиль"), [
        (c.label, c.now.count, c.now.on_time, share(c.now.on_time, c.now.count),
         hours(c.now.median), hours(c.now.p90))
        for c in report.clocks if c.now
    ])  # fmt: skip
    doc.add_heading("По органам", level=2)
    _table(doc, ("Орган", "Поступило", "Отвечено", "Ответ в срок", "Возвратов"), [
        (line.name, *person_row(line)[:3], line.tally.returns) for line in report.bodies
    ])  # fmt: skip
    doc.add_paragraph(f"Просрочено на {report.generated_at:%d.%m.%Y}: {report.overdue_now}.")
    doc.add_paragraph("")
    doc.add_paragraph("Руководитель ____________________ / ____________________ /")
    doc.add_paragraph("«___» ____________ 20___ г.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _rows(sheet: Worksheet, rows: Sequence[Sequence[Any]], *, bold: bool = False) -> None:
    for values in rows:
        sheet.append([None] * len(values) if not values else list(values))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a name starting with «=» stays text, never a formula
            if bold:
                cell.font = Font(bold=True)


def _table(doc: Any, head: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = str(text)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "—" if value is None else str(value)
