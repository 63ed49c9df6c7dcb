"""Import of the system's .xlsx and .csv exports."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from adapters.file_import import RevisionSource, import_file
from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.model import Feedback, Importance, Platform

REQUIRED = [
    "Номер",
    "Дата создания",
    "Текст инцидента",
    "Муниципалитет",
    "Группа тем",
    "Тема",
    "Урл блога",
    "Важность",
]
FULL = [*REQUIRED, "Автор", "Ссылка на автора", "Площадка", "Дата обнаружения", "Вложения"]
EXPORTED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def good_row(number: Any = "4812001", **changes: Any) -> dict[str, Any]:
    row = {
        "Номер": number,
        "Дата создания": "02.03.2026 09:15",
        "Текст инцидента": "Здравствуйте! Когда дадут воду на ул. Мира?",
        "Муниципалитет": "Елец",
        "Группа тем": "ЖКХ",
        "Тема": "Водоснабжение",
        "Урл блога": "https://vk.com/wall-1_2?reply=3",
        "Важность": "Высокая",
        "Автор": "Анна Белова",
        "Ссылка на автора": "https://vk.com/id5",
        "Площадка": "",
        "Дата обнаружения": "2026-03-02T08:50:00+03:00",
        "Вложения": "https://a.example/1.jpg, https://a.example/2.jpg",
    }
    row.update(changes)
    return row


def write_xlsx(
    path: Path, titles: list[str], rows: list[dict[str, Any]], title_row: bool = False
) -> Path:
    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append(["Выгрузка инцидентов за март"])
    sheet.append(titles)
    for row in rows:
        sheet.append([row.get(t) for t in titles])
    book.save(path)
    return path


def write_csv(
    path: Path, titles: list[str], rows: list[dict[str, Any]], encoding: str = "cp1251"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(titles)
    for row in rows:
        writer.writerow([row.get(t, "") for t in titles])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_xlsx_rows_become_cards_in_utc_with_moscow_as_default_zone(tmp_path: Path) -> None:
    excel_date = datetime(2026, 3, 2, 9, 15)  # a real date cell, naive as Excel stores it
    path = write_xlsx(
        tmp_path / "export.xlsx",
        [*FULL, "Исполнитель"],
        [good_row(4812001.0, **{"Дата создания": excel_date, "Исполнитель": "МКУ «УГХ»"})],
        title_row=True,
    )
    (result,) = import_file(path, exported_at=EXPORTED)
    card = result.card
    assert result.row == 3 and result.error is None and card is not None
    assert card.external_id == card.number == "4812001"
    assert card.created_at == datetime(2026, 3, 2, 6, 15, tzinfo=UTC)
    assert card.detected_at == datetime(2026, 3, 2, 5, 50, tzinfo=UTC)
    assert card.importance is Importance.HIGH and card.platform is Platform.VK
    assert card.author.name == "Анна Белова" and card.author.profile_url == "https://vk.com/id5"
    assert card.attachments == ("https://a.example/1.jpg", "https://a.example/2.jpg")
    assert card.extra == {"Исполнитель": "МКУ «УГХ»"}
    assert card.revision == int(EXPORTED.timestamp() * 1_000_000)


def test_csv_with_missing_extra_and_malformed_rows(tmp_path: Path) -> None:
    titles = [*REQUIRED, "Оценка автора", "Источник"]
    rows = [
        good_row("1", **{"Оценка автора": "Автор доволен", "Источник": "мониторинг"}),
        good_row("2", **{"Дата создания": "вчера"}),
        good_row("3", **{"Важность": "Срочно"}),
        good_row("", **{"Текст инцидента": "без номера"}),
        {},  # an empty line in the middle of the file is skipped
        good_row("4", **{"Текст инцидента": ""}),
        good_row("5", **{"Важность": "ЛС", "Урл блога": "", "Дата создания": "2026-03-02 09:15"}),
    ]
    results = import_file(write_csv(tmp_path / "export.csv", titles, rows), exported_at=EXPORTED)
    by_row = {r.row: r for r in results}
    assert sorted(by_row) == [2, 3, 4, 5, 7, 8]
    assert by_row[2].card is not None and by_row[2].card.feedback is Feedback.SATISFIED
    assert by_row[2].card.extra == {"Источник": "мониторинг"}
    assert (
        by_row[2].card.author.name == "" and by_row[2].card.detected_at == by_row[2].card.created_at
    )
    assert "Дата создания" in (by_row[3].error or "")
    assert "Важность" in (by_row[4].error or "")
    assert "Номер" in (by_row[5].error or "")
    assert "Текст" in (by_row[7].error or "")
    private = by_row[8].card
    assert private is not None and private.importance is Importance.PRIVATE
    assert private.post_url is None and private.platform is Platform.OTHER


def test_the_zone_of_naive_dates_is_a_parameter(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", REQUIRED, [good_row()], encoding="utf-8-sig")
    (result,) = import_file(path, tz=ZoneInfo("Asia/Kamchatka"), exported_at=EXPORTED)
    assert result.card is not None
    assert result.card.created_at == datetime(2026, 3, 1, 21, 15, tzinfo=UTC)


def test_reimport_is_idempotent_and_a_later_export_of_an_edited_row_is_newer(
    tmp_path: Path,
) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", REQUIRED, [good_row()])
    first = import_file(path)[0].card
    again = import_file(path)[0].card
    assert first is not None and again is not None and first == again
    edited = write_xlsx(tmp_path / "e.xlsx", REQUIRED, [good_row(**{"Тема": "Отопление"})])
    later = datetime.now(UTC).replace(year=2099)
    newer = import_file(edited, exported_at=later)[0].card
    assert newer is not None and newer.revision > first.revision and newer.topic == "Отопление"


def test_a_change_date_column_gives_each_row_its_own_revision(tmp_path: Path) -> None:
    rows = [
        good_row("1", **{"Дата изменения": "03.03.2026 10:00"}),
        good_row("2", **{"Дата изменения": "04.03.2026 10:00"}),
    ]
    path = write_csv(tmp_path / "c.csv", [*REQUIRED, "Дата изменения"], rows)
    one, two = (r.card for r in import_file(path))
    assert one is not None and two is not None and one.revision < two.revision


def test_the_files_mtime_is_not_an_export_time(tmp_path: Path) -> None:
    # A copy's or a download's mtime is when it was copied: a stale export would look new.
    path = write_csv(tmp_path / "m.csv", REQUIRED, [good_row()])
    os.utime(path, (4_000_000_000, 4_000_000_000))
    (result,) = import_file(path)
    assert result.card is not None and result.card.revision == 0 and not result.dated


def test_a_stream_needs_a_filename_and_without_an_export_time_its_cards_are_undated(
    tmp_path: Path,
) -> None:
    data = write_csv(tmp_path / "s.csv", REQUIRED, [good_row()]).read_bytes()
    with pytest.raises(InvalidInput, match="формат"):
        import_file(io.BytesIO(data))
    (result,) = import_file(io.BytesIO(data), filename="s.csv")
    assert result.card is not None and result.error is None
    assert not result.dated and result.revision_from is None and result.card.revision == 0
    (given,) = import_file(io.BytesIO(data), filename="s.csv", exported_at=EXPORTED)
    assert given.revision_from is RevisionSource.GIVEN
    assert given.card is not None and given.card.revision == int(EXPORTED.timestamp() * 1e6)


def test_missing_required_columns_reject_the_whole_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", ["Номер", "Текст инцидента"], [good_row()])
    with pytest.raises(InvalidInput, match="Важность"):
        import_file(path, exported_at=EXPORTED)


def test_a_file_without_a_header_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="Номер"):
        import_file(path)


@pytest.mark.parametrize(
    ("label", "url", "platform"),
    [
        ("ВКонтакте", "", Platform.VK),
        ("Одноклассники", "", Platform.OK),
        ("", "https://t.me/elets_news/1", Platform.TELEGRAM),
        ("", "https://www.youtube.com/watch?v=x", Platform.YOUTUBE),
        ("Форум", "https://forum.elets.info/t/1", Platform.FORUM),
        ("", "https://otzovik.com/review_1.html", Platform.OTHER),
    ],
)
def test_platform_from_its_column_or_the_posts_host(
    tmp_path: Path, label: str, url: str, platform: Platform
) -> None:
    path = write_csv(tmp_path / "p.csv", FULL, [good_row(**{"Площадка": label, "Урл блога": url})])
    (result,) = import_file(path, exported_at=EXPORTED)
    assert result.card is not None and result.card.platform is platform
