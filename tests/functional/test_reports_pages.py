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
    assert book.sheetnames == ["Сводка", "Этапы", "Органы", "Исполнители", "Рейтинг", "KPI"]
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


def test_the_rating_shows_its_method_and_the_kpi_its_executors(browser, app, people):
    _seeded(app, people)
    browser.login("operator")
    page = browser.get("/reports/?period=2026-Q3").get_data(as_text=True)
    rating = page[page.index('id="report-rating"') : page.index('id="report-kpi"')]
    assert "взвешенное среднее" in rating and "ответы в срок — вес 0.4" in rating
    assert 'data-rated="Управление дорожного хозяйства"' in rating and "мало ответов" in rating
    kpi = page[page.index('id="report-kpi"') :]
    assert 'data-kpi="Roads"' in kpi and "67 %" in kpi  # 2 of 3 of the executor's stages
    book = openpyxl.load_workbook(io.BytesIO(browser.client.get(
        "/reports/report.xlsx?period=2026-Q3").data))  # fmt: skip
    assert {"Рейтинг", "KPI"} <= set(book.sheetnames)


def test_a_bodys_responsible_official_sees_its_executors_kpi_and_no_one_elses(browser, app, people):
    _seeded(app, people)
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        from incident_bridge.persistence.models import Subdivision

        roads = session.get(Subdivision, people["roads"].id)
        roads.responsible_user_id = people["roads_executor"].id
        session.commit()
        session.remove()
    browser.login("roads")
    page = browser.get("/reports/kpi?period=2026-Q3")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Своевременность исполнителей: Управление дорожного хозяйства" in text
    assert 'data-kpi="Roads"' in text
    assert browser.get("/reports/").status_code == 403  # the full report is not theirs
    browser.login("housing")
    assert browser.get("/reports/kpi?period=2026-Q3").status_code == 403


def test_the_analytical_note_opens_and_a_person_marks_a_matter_resolved(browser, app, people):
    _seeded(app, people)
    with app.app_context():
        from incident_bridge.state import bridge_state

        found = SqlAlchemyUnitOfWork(bridge_state(app).db.session).repeats.by_number("B-1")
        assert found is not None
        b_id = found.id
        bridge_state(app).db.session.remove()
    browser.login("roads")
    assert 'id="form-resolved"' not in browser.get(f"/incidents/{b_id}").get_data(as_text=True)
    browser.login("operator")
    page = browser.get(f"/incidents/{b_id}").get_data(as_text=True)
    assert 'id="form-resolved"' in page
    done = browser.submit(f"/incidents/{b_id}", f"/incidents/{b_id}/resolved",
                          {"version": _version_of(page)}).get_data(as_text=True)  # fmt: skip
    assert "Вопрос решён положительно: Operator" in done
    assert "Отмечено: вопрос решён положительно" in done  # the history entry
    response = browser.client.get("/reports/note.docx?period=2026-09")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "сентябрь 2026" in text and "Решено положительно: 2" in text  # A satisfied, B marked
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Ямы на дорогах" in cells and "B-1" in cells


def _version_of(page: str) -> str:
    import re

    match = re.search(r'name="version" value="(\d+)"', page)
    assert match
    return match.group(1)
