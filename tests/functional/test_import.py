"""Importing the incident system's exports: missing, extra and malformed rows, imported twice."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from incident_bridge.persistence.models import Incident, QuarantinedRecord
from tests.conftest import make_app
from tests.functional.conftest import Browser
from tests.hostile_files import UNREADABLE, rows_bomb

HEADER = "Номер;Дата создания;Текст инцидента;Муниципалитет;Группа тем;Тема;Урл блога;Важность;Автор;Доп. поле"
ROWS = [
    "1001;30.10.2025 10:15;Яма на ул. Ленина, когда заделают?;Елец;Дороги;Ямы;https://vk.com/wall-1_1;Высокая;Иван Петров;x",
    "1002;30.10.2025 11:00;Не вывозят мусор третий день.;Елец;ЖКХ;Вывоз ТКО;https://ok.ru/group/1/topic/2;Обычная;;y",
    "1003;не дата;Текст;Елец;ЖКХ;Тема;;Обычная;;",  # malformed date
    ";30.10.2025 12:00;Без номера;Елец;ЖКХ;Тема;;Обычная;;",  # missing number
]


def _write(tmp_path: Path, rows: list[str], name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _count(app, model) -> int:
    with app.app_context():
        return (
            app.extensions["incident_bridge"]
            .session()
            .scalar(select(func.count()).select_from(model))
        )


def test_import_twice_changes_nothing_and_reports_every_row(app, tmp_path):
    path = _write(tmp_path, ROWS)
    runner = app.test_cli_runner()
    first = runner.invoke(
        args=["bridge", "import", str(path), "--json", "--exported-at", "2025-10-30T13:00:00+03:00"]
    )
    assert first.exit_code == 0, first.output
    lines = [json.loads(x) for x in first.output.splitlines()]
    by_row = {x["row"]: x for x in lines if "row" in x}
    assert [by_row[r]["status"] for r in (2, 3, 4, 5)] == [
        "created",
        "created",
        "rejected",
        "rejected",
    ]
    assert "дат" in by_row[4]["reason"].lower()
    assert lines[-1] == {"summary": {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}}
    with app.app_context():
        incident = (
            app.extensions["incident_bridge"]
            .session()
            .scalar(select(Incident).where(Incident.external_id == "1001"))
        )
        assert incident.extra.get("Доп. поле") == "x" and incident.importance == "high"

    second = runner.invoke(
        args=["bridge", "import", str(path), "--json", "--exported-at", "2025-10-30T14:00:00+03:00"]
    )
    assert json.loads(second.output.splitlines()[-1])["summary"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 2,
    }
    assert _count(app, Incident) == 2

    edited = _write(
        tmp_path, [ROWS[0].replace("когда заделают?", "когда же заделают?")], "later.csv"
    )
    third = runner.invoke(
        args=[
            "bridge",
            "import",
            str(edited),
            "--json",
            "--exported-at",
            "2025-10-31T09:00:00+03:00",
        ]
    )
    assert json.loads(third.output.splitlines()[0])["status"] == "updated"
    assert _count(app, Incident) == 2
    assert _count(app, QuarantinedRecord) == 2  # two rejected rows, kept once however often imported


def test_admin_uploads_an_export_twice(browser, people, app, tmp_path):
    browser.login("admin")
    content = "\n".join([HEADER, *ROWS]).encode("utf-8")
    for expected in (
        "Создано 2, обновлено 0, без изменений 0, отклонено 2",
        "Создано 0, обновлено 0, без изменений 2, отклонено 2",
    ):
        token = browser.token("/admin/import/")
        response = browser.client.post(
            "/admin/import/",
            data={"csrf_token": token, "file": (io.BytesIO(content), "export.csv")},
            content_type="multipart/form-data",
        )
        page = response.get_data(as_text=True)
        assert expected in page, page[page.find("import-report") :][:400]
    assert _count(app, Incident) == 2
    browser2 = browser.__class__(app.test_client())
    browser2.login("roads")
    assert browser2.get("/admin/import/").status_code == 403


# --- files that must not break the page or the command ------------------------------------


HOSTILE = {**UNREADABLE, "rows.xlsx": (lambda: rows_bomb(1_100_000), "zip-бомб")}


def _upload(browser, content: bytes, name: str, exported_at: str = "") -> tuple[int, str]:
    token = browser.token("/admin/import/")
    data = {"csrf_token": token, "file": FileStorage(io.BytesIO(content), filename=name)}
    if exported_at:
        data["exported_at"] = exported_at
    # Encoded here, in memory: the test client spools a body over 500 KB to a temporary file
    # it never closes (a ResourceWarning, an error under filterwarnings=error).
    boundary, body = encode_multipart(data)
    response = browser.client.post(
        "/admin/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_command_refuses_an_unreadable_file_in_one_russian_line(app, tmp_path, name):
    make, word = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    result = app.test_cli_runner().invoke(args=["bridge", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Ошибка: ") and word in line and "Traceback" not in line
    assert _count(app, Incident) == 0 and _count(app, QuarantinedRecord) == 0


def test_the_command_says_what_is_wrong_with_its_arguments(app, tmp_path):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["bridge", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and missing.output.startswith("Ошибка: нет такого файла")
    path = _write(tmp_path, ROWS)
    for stamp, word in (("вчера", "ISO 8601"), ("2999-01-01T00:00:00+03:00", "позже текущего")):
        bad = runner.invoke(args=["bridge", "import", str(path), "--exported-at", stamp])
        assert bad.exit_code == 1 and word in bad.output and len(bad.output.splitlines()) == 1
    assert _count(app, Incident) == 0


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_page_refuses_an_unreadable_file_with_a_russian_message(browser, people, app, name):
    make, word = HOSTILE[name]
    browser.login("admin")
    status, page = _upload(browser, make(), name)
    assert status == 200
    error = page[page.index('id="import-error"') :][:600]
    assert word in error and "Traceback" not in page
    assert _count(app, Incident) == 0 and _count(app, QuarantinedRecord) == 0


def test_a_too_large_upload_is_refused_on_the_import_page(backend, app, people, tmp_path):
    small = make_app(backend, tmp_path, INCIDENT_BRIDGE_IMPORT_MAX_BYTES=4096)
    try:
        assert small.config["MAX_CONTENT_LENGTH"] == 4096  # the host set none: the bridge's
        browser = Browser(small.test_client())
        browser.login("admin")
        status, page = _upload(browser, b"x" * 10_000, "big.csv")
        assert status == 413
        assert "Файл больше допустимых 4 КБ" in page and 'name="exported_at"' in page
        assert "Request Entity Too Large" not in page
    finally:
        with small.app_context():
            small.extensions["incident_bridge"].db.engine.dispose()
    host = make_app(backend, tmp_path, MAX_CONTENT_LENGTH=1024 * 1024 * 1024)
    assert host.config["MAX_CONTENT_LENGTH"] == 1024 * 1024 * 1024  # the host's own stays
    with host.app_context():
        host.extensions["incident_bridge"].db.engine.dispose()


# --- an export never overwrites a newer state ---------------------------------------------


def _text_of(app, external_id: str) -> str:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        return session.scalar(select(Incident.text).where(Incident.external_id == external_id))


def test_a_stale_export_uploaded_without_its_time_changes_nothing(browser, people, app, tmp_path):
    runner = app.test_cli_runner()
    newer = _write(tmp_path, [ROWS[0].replace("когда заделают?", "заделали, спасибо")], "new.csv")
    done = runner.invoke(
        args=["bridge", "import", str(newer), "--exported-at", "2025-10-31T09:00:00+03:00"]
    )
    assert done.exit_code == 0, done.output
    browser.login("admin")
    stale = "\n".join([HEADER, *ROWS]).encode("utf-8")

    status, page = _upload(browser, stale, "old.csv")  # no time: the upload time is not one
    assert status == 200 and 'id="import-needs-time"' in page
    assert "Создано 1, обновлено 0, без изменений 1, отклонено 2" in page
    assert "укажите, когда сделана выгрузка" in page
    assert _text_of(app, "1001").endswith("заделали, спасибо")

    _, page = _upload(browser, stale, "old.csv", exported_at="2025-10-30T13:00")
    assert "в системе уже более новая версия" in page and 'id="import-needs-time"' not in page
    assert _text_of(app, "1001").endswith("заделали, спасибо")

    _, page = _upload(browser, stale, "old.csv", exported_at="2025-11-01T10:00")
    assert "Создано 0, обновлено 1, без изменений 1, отклонено 2" in page
    assert _text_of(app, "1001").endswith("когда заделают?")

    _, page = _upload(browser, stale, "old.csv", exported_at="2999-01-01T10:00")
    assert "Время выгрузки позже текущего" in page


def test_the_command_without_a_time_creates_but_does_not_update(app, tmp_path):
    runner = app.test_cli_runner()
    path = _write(tmp_path, ROWS[:1])
    first = runner.invoke(args=["bridge", "import", str(path)])
    assert first.exit_code == 0 and "создано" in first.output
    edited = _write(tmp_path, [ROWS[0].replace("когда заделают?", "когда?")], "e.csv")
    second = runner.invoke(args=["bridge", "import", str(edited), "--json"])
    (line, summary_line) = second.output.splitlines()
    assert json.loads(line)["status"] == "unchanged"
    assert "укажите, когда сделана выгрузка" in json.loads(line)["reason"]
    assert json.loads(summary_line)["summary"]["unchanged"] == 1
    third = runner.invoke(args=["bridge", "import", str(edited)])
    assert "--exported-at" in third.output  # the hint, on stderr
    assert _text_of(app, "1001").endswith("когда заделают?")


# --- the quarantine: rejected rows can be set aside ---------------------------------------


def _records(app) -> list[QuarantinedRecord]:
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        records = list(session.scalars(select(QuarantinedRecord).order_by(QuarantinedRecord.id)))
        session.expunge_all()
        return records


def test_an_admin_dismisses_a_rejected_row_attributed(browser, browser2, people, app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["bridge", "import", str(_write(tmp_path, ROWS)), "--exported-at",
                        "2025-10-30T13:00:00+03:00"])  # fmt: skip
    first, second = _records(app)
    browser.login("admin")
    page = browser.get("/admin/").get_data(as_text=True)
    assert page.count('value="Убрать"') == 2 and f"/admin/quarantine/{first.id}/dismiss" in page

    forged = browser.client.post(f"/admin/quarantine/{first.id}/dismiss")  # no CSRF token
    assert forged.status_code == 400 and _records(app)[0].resolved_at is None  # CSRF first
    browser2.login("roads")
    refused = browser2.submit("/", f"/admin/quarantine/{first.id}/dismiss", {}, follow=False)
    assert refused.status_code == 403

    page = browser.submit("/admin/", f"/admin/quarantine/{first.id}/dismiss", {}).get_data(
        as_text=True
    )
    assert "Запись убрана из карантина" in page and page.count('value="Убрать"') == 1
    dismissed = _records(app)[0]
    assert dismissed.resolution == "dismissed" and dismissed.resolved_by == "Admin"
    assert dismissed.resolved_at is not None
    again = browser.submit("/admin/", f"/admin/quarantine/{first.id}/dismiss", {})
    assert "уже убрана" in again.get_data(as_text=True)
    assert browser.submit("/admin/", "/admin/quarantine/999999/dismiss", {}).status_code == 404


def test_an_operator_may_dismiss_too(browser, people, app, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["bridge", "import", str(_write(tmp_path, ROWS[2:3]))])
    (record,) = _records(app)
    browser.login("operator")
    response = browser.submit("/admin/import/", f"/admin/quarantine/{record.id}/dismiss", {})
    assert "Запись убрана из карантина" in response.get_data(as_text=True)
    assert _records(app)[0].resolved_by == "Operator"


def test_the_admin_page_shows_a_bounded_part_of_a_huge_record(browser, people, app):
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        session.add(QuarantinedRecord(source="import", raw="я" * 1_000_000,
                                      reason="п" * 100_000, page_span=0, attempts=0,
                                      created_at=datetime.now(UTC)))  # fmt: skip
        session.commit()
    browser.login("admin")
    page = browser.get("/admin/").get_data(as_text=True)
    assert len(page) < 60_000 and "показаны первые 2000 знаков" in page
