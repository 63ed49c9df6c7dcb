"""Files that must not break the import: bombs, broken archives, odd encodings, huge cells."""

from __future__ import annotations

import codecs
import io
import json
import random
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from adapters import ImportLimits, ImportRow, RevisionSource, import_file
from incident_bridge.domain.errors import InvalidInput
from tests.hostile_files import (
    ROW,
    TITLES,
    UNREADABLE,
    bomb,
    replace_parts,
    rows_bomb,
    text_table,
    xlsx,
)

EXPORTED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


def read(data: bytes, name: str, **kw: Any) -> list[ImportRow]:
    kw.setdefault("exported_at", EXPORTED)
    return import_file(io.BytesIO(data), filename=name, **kw)


def refusal(data: bytes, name: str, **kw: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        read(data, name, **kw)
    return caught.value.user_message


def row(**changes: str) -> list[str]:
    values = dict(zip(TITLES, ROW, strict=True))
    values.update(changes)
    return [values[t] for t in TITLES]


# --- the zip bomb ---------------------------------------------------------------------------

_MEASURE = """
import json, resource, sys
from adapters import import_file
from incident_bridge.domain.errors import InvalidInput
import openpyxl  # loaded before the first figure: what is measured is the file's own cost
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    import_file(sys.argv[1])
    message = None
except InvalidInput as exc:
    message = exc.user_message
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after, "message": message}))
"""


def test_a_zip_bomb_is_refused_before_parsing_in_bounded_memory(tmp_path: Path) -> None:
    path = bomb(tmp_path / "bomb.xlsx", inflated_mb=200)
    assert path.stat().st_size < 1024 * 1024  # under a megabyte, 200 MB inflated
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(done.stdout)
    # The old import of this file: +690 MB, two minutes, 4.28 million rejected rows.
    assert figures["after_kb"] - figures["before_kb"] < 20 * 1024, figures
    message = figures["message"]
    assert message is not None and "zip-бомб" in message and len(message) < 300


def test_a_bomb_under_the_size_limit_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    message = refusal(bomb(tmp_path / "b.xlsx", inflated_mb=60).read_bytes(), "b.xlsx")
    assert "сжата в" in message and len(message) < 300


def test_a_small_sheet_of_millions_of_elements_is_refused(tmp_path: Path) -> None:
    # No size or ratio alarm, but openpyxl would keep every row element it walked.
    message = refusal(rows_bomb(60_000), "rows.xlsx", limits=ImportLimits(max_rows=100))
    assert "записей" in message and len(message) < 300


def test_an_xml_entity_bomb_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    small = replace_parts(xlsx([TITLES, ROW]), {"xl/worksheets/sheet1.xml": laughs})
    assert "поврежден" in refusal(small, "lol.xlsx")  # expat's own amplification limit
    noise = random.Random(5).randbytes(1024 * 1024).hex().encode()  # does not compress
    padded = laughs.replace(b"<sheetData>", b"<sheetData><!--" + noise + b"-->")
    large = replace_parts(xlsx([TITLES, ROW]), {"xl/worksheets/sheet1.xml": padded})
    assert "DTD" in refusal(large, "lol.xlsx")


def test_a_hostile_dimension_does_not_pad_every_row() -> None:
    data = xlsx([TITLES, ROW])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:H2"/>', b'<dimension ref="A1:XFD1048576"/>')
    (result,) = read(replace_parts(data, {"xl/worksheets/sheet1.xml": sheet}), "d.xlsx")
    assert result.card is not None and result.card.number == "4812001"


# --- files nothing can be imported from -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_gets_a_short_russian_reason(name: str) -> None:
    make, word = UNREADABLE[name]
    message = refusal(make(), name)
    assert word in message and len(message) < 300


def test_other_archives_are_named() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "Word" in refusal(buffer.getvalue(), "letter.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<document/>")
    assert ".ods" in refusal(buffer.getvalue(), "table.xlsx")
    assert "расширение .xlsx" in refusal(xlsx([TITLES, ROW]), "book.csv")


def test_a_broken_sheet_is_reported_not_raised() -> None:
    broken = replace_parts(
        xlsx([TITLES, ROW]), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"}
    )
    assert "повреждена" in refusal(broken, "broken.xlsx")


def test_text_after_a_closing_quote_names_the_line() -> None:
    data = text_table([TITLES, ROW], encoding="utf-8").decode().replace("Елец", '"Ел"ец').encode()
    assert "Строка 2" in refusal(data, "q.csv")


# --- limits ---------------------------------------------------------------------------------


def test_a_file_over_the_byte_limit_is_refused_without_reading_it_all() -> None:
    data = text_table([TITLES, ROW], encoding="utf-8")
    assert "больше допустимых 100 байт" in refusal(
        data, "e.csv", limits=ImportLimits(max_bytes=100)
    )


@pytest.mark.parametrize("name", ["many.csv", "many.xlsx"])
def test_more_rows_than_the_limit_refuse_the_file(name: str) -> None:
    rows = [TITLES] + [row(**{"Номер": str(n)}) for n in range(10)]
    data = xlsx(rows) if name.endswith("xlsx") else text_table(rows, encoding="utf-8")
    assert len(read(data, name, limits=ImportLimits(max_rows=10))) == 10
    assert "больше 9 строк" in refusal(data, name, limits=ImportLimits(max_rows=9))


def test_a_far_away_row_number_stops_at_the_row_limit() -> None:
    data = xlsx([TITLES, ROW])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    far = sheet.replace(
        b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
    )
    far = far.replace(b'<dimension ref="A1:H2"/>', b"")
    message = refusal(replace_parts(data, {"xl/worksheets/sheet1.xml": far}), "far.xlsx",
                      limits=ImportLimits(max_rows=50))  # fmt: skip
    assert "больше 50 строк" in message


@pytest.mark.parametrize("name", ["long.csv", "long.xlsx"])
def test_a_cell_over_the_limit_rejects_its_row_with_a_short_reason(name: str) -> None:
    rows = [TITLES, row(**{"Текст инцидента": "Ааа " * 10_000}), row(**{"Номер": "2"})]
    data = xlsx(rows) if name.endswith("xlsx") else text_table(rows, encoding="utf-8")
    bad, good = read(data, name, limits=ImportLimits(max_cell_chars=20_000))
    assert bad.card is None and good.card is not None
    assert bad.error is not None and "Текст инцидента" in bad.error and "20\u00a0000" in bad.error
    assert len(bad.error) < 200


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("Номер", "7" * 101, "Номер"),
        ("Муниципалитет", "Елец " * 50, "Муниципалитет"),
        ("Тема", "т" * 301, "Тема"),
        ("Урл блога", "https://vk.com/" + "a" * 1000, "Урл блога"),
        ("Текст инцидента", "Текст\x01с управляющим символом", "U+0001"),
        ("Дата создания", "01.01.1900 10:00", "1900"),
        ("Номер", "4,81E+06", "экспоненциальной"),
    ],
)
def test_a_value_the_card_cannot_hold_rejects_the_row(column: str, value: str, why: str) -> None:
    (result,) = read(text_table([TITLES, row(**{column: value})], encoding="utf-8"), "v.csv")
    assert result.card is None and why in (result.error or "")
    assert len(result.error or "") < 200


def test_an_error_quotes_at_most_eighty_characters_of_a_cell() -> None:
    garbage = "не дата " * 1000
    (result,) = read(
        text_table([TITLES, row(**{"Дата создания": garbage})], encoding="utf-8"), "g.csv"
    )
    assert result.error is not None
    quoted = result.error.split("«")[-1].rstrip("»")
    assert len(quoted) <= 80 and quoted.endswith("…")


def test_too_many_attachments_and_extra_columns_are_refused() -> None:
    links = " ".join(f"https://a.example/{n}.jpg" for n in range(51))
    (result,) = read(text_table([[*TITLES, "Вложения"], [*ROW, links]], encoding="utf-8"), "a.csv")
    assert "Вложения" in (result.error or "")
    wide = [*TITLES, *(f"Поле {n}" for n in range(101))]
    assert "дополнительных столбцов" in refusal(text_table([wide, ROW], encoding="utf-8"), "w.csv")


# --- encodings and separators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", b"", ";"),
        ("utf-8", codecs.BOM_UTF8, ";"),
        ("utf-8", b"", ","),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t"),  # Excel's «Юникод-текст»
        ("utf-16-be", codecs.BOM_UTF16_BE, "\t"),
        ("cp1251", b"", ";"),
        ("cp1251", b"", "\t"),
        ("cp1251", b"", ","),
    ],
)
def test_encodings_and_separators_are_detected(encoding: str, bom: bytes, delimiter: str) -> None:
    text = "Яма на ул. Ленина, когда заделают? «Ёлки»; ответьте"
    data = text_table(
        [["Выгрузка инцидентов, март; 2026"], TITLES, row(**{"Текст инцидента": text})],
        encoding=encoding,
        delimiter=delimiter,
        bom=bom,
    )
    (result,) = read(data, "enc.csv")
    assert result.card is not None, result.error
    assert result.card.text == text and result.card.municipality == "Елец"
    assert result.row == 3


# --- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["5005000.0", "5005000,0", "5 005 000", "5005000", 5005000.0])
def test_a_number_excel_made_a_float_is_the_same_number(number: str | float) -> None:
    rows = [TITLES, row(**{"Номер": "x"})]
    rows[1][0] = number  # type: ignore[call-overload]
    (from_xlsx,) = read(xlsx(rows), "n.xlsx")
    assert from_xlsx.card is not None and from_xlsx.card.external_id == "5005000"
    if isinstance(number, str):
        (from_csv,) = read(text_table(rows, encoding="utf-8"), "n.csv")
        assert from_csv.card is not None and from_csv.card.external_id == "5005000"


def test_hyperlink_targets_are_read_not_the_text_shown() -> None:
    book = Workbook()
    sheet = book.active
    titles = ["Номер", *TITLES[1:6], "Ссылка", "Важность", "Автор", "Ссылка на автора", "Вложения"]
    sheet.append(titles)
    sheet.append([*ROW[:6], "пост", "Высокая", "Анна", "профиль", "фото"])
    sheet.append([*row(**{"Номер": "2"})[:6], None, "Высокая", "Иван", None, None])
    sheet["A2"].hyperlink = "https://incident.example/4812001"  # the number stays the number
    sheet["G2"].hyperlink = "https://vk.com/wall-1_2"
    sheet["J2"].hyperlink = "https://vk.com/id5"
    sheet["K2"].hyperlink = "https://a.example/1.jpg"
    sheet["G3"] = '=HYPERLINK("https://ok.ru/group/1/topic/2","пост")'
    buffer = io.BytesIO()
    book.save(buffer)
    first, second = read(buffer.getvalue(), "links.xlsx")
    assert first.card is not None and second.card is not None
    assert first.card.number == "4812001" and first.card.post_url == "https://vk.com/wall-1_2"
    assert first.card.author.profile_url == "https://vk.com/id5"
    assert first.card.attachments == ("https://a.example/1.jpg",)
    assert first.card.platform.value == "vk"
    assert second.card.post_url == "https://ok.ru/group/1/topic/2"


# --- the export's time ----------------------------------------------------------------------


def test_the_export_time_comes_from_the_row_the_person_or_the_workbook() -> None:
    core = (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b'<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-04T09:30:00Z</dcterms:modified>'
        b"</cp:coreProperties>"
    )
    book = replace_parts(xlsx([TITLES, ROW]), {"docProps/core.xml": core})
    (saved,) = read(book, "b.xlsx", exported_at=None)
    assert saved.revision_from is RevisionSource.WORKBOOK and saved.dated
    assert saved.card is not None
    assert saved.card.revision == int(datetime(2026, 3, 4, 9, 30, tzinfo=UTC).timestamp() * 1e6)
    (given,) = read(book, "b.xlsx")
    assert given.revision_from is RevisionSource.GIVEN
    changed = [[*TITLES, "Дата изменения"], [*ROW, "03.03.2026 10:00"]]
    (own,) = read(text_table(changed, encoding="utf-8"), "c.csv")
    assert own.revision_from is RevisionSource.CHANGE_DATE


def test_a_workbook_that_does_not_say_when_it_was_saved_is_undated() -> None:
    # openpyxl would give the current time for a missing «modified»: a stale file would look new.
    book = replace_parts(xlsx([TITLES, ROW]), {"docProps/core.xml": None})
    (result,) = read(book, "b.xlsx", exported_at=None)
    assert result.card is not None and not result.dated and result.card.revision == 0
