"""Importing the incident system's exports: missing, extra and malformed rows, imported twice."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from incident_bridge.persistence.models import Incident, QuarantinedRecord

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
    assert _count(app, QuarantinedRecord) == 4  # two rejected rows, each import


def test_admin_uploads_an_export_twice(browser, people, app, tmp_path):
    import io

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
