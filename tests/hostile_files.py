"""Files an import must survive: real bytes of odd encodings, broken archives and a zip bomb.

Shared by the adapter's unit tests and the page/CLI tests, so both see the same files.
"""

from __future__ import annotations

import functools
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

TITLES = [
    "Номер",
    "Дата создания",
    "Текст инцидента",
    "Муниципалитет",
    "Группа тем",
    "Тема",
    "Урл блога",
    "Важность",
]
ROW = [
    "4812001",
    "02.03.2026 09:15",
    "Здравствуйте! Когда дадут воду на ул. Мира?",
    "Елец",
    "ЖКХ",
    "Водоснабжение",
    "https://vk.com/wall-1_2",
    "Высокая",
]


def xlsx(rows: list[list[Any]], *, title_row: bool = False) -> bytes:
    """A real workbook of these rows (the first is the header), as openpyxl writes it."""
    book = Workbook()
    sheet = book.active
    if title_row:
        sheet.append(["Выгрузка инцидентов за март"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_table(
    rows: list[list[str]], *, encoding: str, delimiter: str = ";", bom: bytes = b""
) -> bytes:
    """A CSV/text export: the rows joined by ``delimiter`` and CRLF, in ``encoding``."""
    lines = [delimiter.join(_quoted(c, delimiter) for c in row) for row in rows]
    return bom + "\r\n".join(lines).encode(encoding) + "\r\n".encode(encoding)


def _quoted(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def replace_parts(data: bytes, parts: dict[str, bytes | None]) -> bytes:
    """The same archive with some parts replaced (bytes) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in parts:
                continue
            target.writestr(info.filename, source.read(info))
        for name, content in parts.items():
            if content is not None:
                target.writestr(name, content)
    return buffer.getvalue()


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _inline_row(cells: list[str]) -> bytes:
    inner = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells)
    return f"<row>{inner}</row>".encode()


def bomb(path: Path, inflated_mb: int = 200) -> Path:
    """A workbook whose sheet inflates to ``inflated_mb`` MB of repeated rows, without a
    ``<dimension>``: the shape of the 206 KB file that took 3.3 GB (openpyxl keeps every row
    element it walks, and the old import listed every row and quarantined each)."""
    sheet = bytearray(_SHEET_HEAD + _inline_row(TITLES))
    junk = _inline_row(["x"]) * 10_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in _skeleton().items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(bytes(sheet))
            written = len(sheet)
            while written < inflated_mb * 1024 * 1024:
                stream.write(junk)
                written += len(junk)
            stream.write(_SHEET_TAIL)
    return path


@functools.cache
def rows_bomb(rows: int) -> bytes:
    """A small workbook (no size or ratio alarm) whose sheet has ``rows`` empty row elements
    with varied numbers: what openpyxl would keep in memory if nothing counted them."""
    rng = random.Random(7)
    body = b"".join(f'<row r="{n}" spans="1:{rng.randint(1, 9)}"/>'.encode() for n in range(rows))
    return _workbook(_SHEET_HEAD + _inline_row(TITLES) + body + _SHEET_TAIL)


def _workbook(sheet: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _skeleton().items():
            archive.writestr(name, content)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def _skeleton() -> dict[str, bytes]:
    """Every part of a one-sheet workbook but the sheet itself."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([TITLES])))
    return {
        name: source.read(name) for name in source.namelist() if name != "xl/worksheets/sheet1.xml"
    }


def no_sheets() -> bytes:
    """A workbook whose list of sheets is empty."""
    data = xlsx([TITLES, ROW])
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    start, end = workbook.index("<sheets>"), workbook.index("</sheets>") + len("</sheets>")
    return replace_parts(
        data,
        {"xl/workbook.xml": (workbook[:start] + "<sheets/>" + workbook[end:]).encode(),
         "xl/worksheets/sheet1.xml": None},
    )  # fmt: skip


def plain_zip() -> bytes:
    """A zip archive that holds no workbook: a text file and a picture."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "Это не книга Excel.")
        archive.writestr("photo.jpg", bytes(range(256)) * 4)
    return buffer.getvalue()


def unbalanced_quote() -> bytes:
    """A CSV whose «Муниципалитет» opens a quote that never closes (it swallows the rest)."""
    text = text_table([TITLES, ROW, ROW], encoding="utf-8").decode()
    return text.replace("Елец", '"Елец', 1).encode()


#: Files nothing can be imported from, by name, each with a word its Russian error must have.
UNREADABLE: dict[str, tuple[Callable[[], bytes], str]] = {
    "renamed.xlsx": (lambda: "Номер;Текст\r\n1;2\r\n".encode("cp1251"), "не книга Excel"),
    "old.xlsx": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ".xls"),
    "archive.xlsx": (plain_zip, "не книга Excel"),
    "nosheet.xlsx": (no_sheets, "нет ни одного листа"),
    "emptysheet.xlsx": (lambda: xlsx([]), "пуст"),
    "header.xlsx": (lambda: xlsx([TITLES]), "только заголовок"),
    "quote.csv": (lambda: unbalanced_quote(), "кавычка"),
    "garbage.csv": (lambda: random.Random(3).randbytes(4096), "двоичные данные"),
    "empty.csv": (lambda: b"", "пуст"),
    "blank.xlsx": (lambda: b"", "пуст"),
    "header.csv": (lambda: text_table([TITLES], encoding="utf-8"), "только заголовок"),
}
