"""«Отчёты»: the page with its charts, the XLSX and the DOCX, and who may see them."""

from __future__ import annotations

import io
from typing import Any

import docx
import openpyxl

from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import directory
from tests.integration.test_reports import _seed, at


def _seeded(app: Any, people: dict[str, Any]) -> None:
    from incident_bridge.state import bridge_state

    with app.app_context():
        state = bridge_state(app)
        uow = SqlAlchemyUnitOfWork(state.db.session)
        _seed(uow, state.context, people)
        state.db.session.remove()


def test_the_quarter_page_shows_figures_charts_and_dynamics(browser, app, people):
    _seeded(app, people)
    browser.login("operator")
    response = browser.get("/reports/?period=2026-Q3")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "III квартал 2026" in page and "II квартал 2026" in page
    assert page.count("<svg") == 3 and "Доля этапов, завершённых в срок" in page
    assert 'data-clock="route"' in page and "50 %" in page  # one of two routed on time
    assert 'data-body="Управление дорожного хозяйства"' in page
    # The menu leads there; executors neither see the link nor the page.
    assert 'id="nav-reports"' in browser.get("/").get_data(as_text=True)


def test_executors_are_refused_and_a_bad_period_is_a_russian_error(browser, app, people):
    browser.login("roads")
    assert browser.get("/reports/").status_code == 403
    assert 'id="nav-reports"' not in browser.get("/").get_data(as_text=True)
    browser.login("operator")
    bad = browser.get("/reports/?period=2026-Q9")
    assert bad.status_code == 400 and "Период не распознан" in bad.get_data(as_text=True)
    assert browser.get("/reports/report.xlsx?period=1..2").status_code == 400
    # No period: the current quarter.
    assert browser.get("/reports/").status_code == 200


def test_the_xlsx_and_the_docx_open_with_the_figures(browser, app, people):
    _seeded(app, people)
    browser.login("operator")
    response = browser.client.get("/reports/report.xlsx?period=2026-Q3")
    assert response.status_code == 200
    assert 'filename="report-2026-Q3.xlsx"' in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Сводка", "Этапы", "Органы", "Исполнители"]
    summary = {row[0]: row[1:] for row in book["Сводка"].iter_rows(values_only=True) if row[0]}
    assert summary["Поступило сообщений"] == (2, 1)
    assert summary["Возвратов на доработку"][0] == 1
    stages = {row[0]: row for row in book["Этапы"].iter_rows(min_row=2, values_only=True)}
    assert stages["Направление исполнителю"][1:6] == (2, 1, "50 %", 30, 120)
    bodies = [row[0] for row in book["Органы"].iter_rows(min_row=2, values_only=True)]
    assert "Управление дорожного хозяйства" in bodies

    response = browser.client.get("/reports/report.docx?period=2026-Q3")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "III квартал 2026" in text and "Руководитель" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Направление исполнителю" in cells and "Управление дорожного хозяйства" in cells


HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script>'


def test_a_hostile_body_name_stays_text_on_the_page_the_chart_and_in_the_xlsx(browser, app, people):
    from incident_bridge.persistence.models import Stage
    from incident_bridge.state import bridge_state

    _seeded(app, people)
    with app.app_context():
        state = bridge_state(app)
        uow = SqlAlchemyUnitOfWork(state.db.session)
        with uow:
            body = directory.create_subdivision(uow, HOSTILE)
            found = uow.repeats.by_number("A-1")
            assert found is not None
            incident_id = found.id
            uow.add(Stage(incident_id=incident_id, clock="total", started_at=at(1, 9, 1),
                          due_at=at(1, 17), stopped_at=at(1, 10), met=True, spent_minutes=60,
                          subdivision_id=body.id))  # fmt: skip
        state.db.session.remove()
    browser.login("operator")
    page = browser.get("/reports/?period=2026-Q3").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    book = openpyxl.load_workbook(io.BytesIO(browser.client.get(
        "/reports/report.xlsx?period=2026-Q3").data))  # fmt: skip
    (cell,) = [
        row[0] for row in book["Органы"].iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value)
    ]
    assert cell.data_type == "s" and cell.value == HOSTILE
