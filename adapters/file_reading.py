"""Bytes of an export → rows of cells, within limits; every unreadable file is an ``InvalidInput``.

A ``.csv`` is decoded by its byte-order mark (UTF-8, UTF-16 LE/BE: Excel's «Юникод-текст»),
else as UTF-8, else as cp1251 (Excel on Russian Windows); its separator (``;``, tab or ``,``)
is the one that splits the header line into a cell «Номер». An ``.xlsx`` is read by
``adapters.xlsx_reading`` after ``adapters.xlsx_guard`` has judged the archive.

Reading stops ``HEADER_SEARCH + max_rows + 1`` rows in (``Table.truncated``), so a file of a
million rows costs what twenty thousand do; a row keeps at most ``MAX_COLUMNS`` cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from incident_bridge.domain.errors import InvalidInput

#: One row of a sheet: openpyxl gives str, int, float, datetime, a ``Link``… or None per cell.
SheetRow = tuple[object, ...]
#: Whether a row is the header (names the column «Номер»).
HeaderTest = Callable[[SheetRow], bool]

#: The header is looked for in this many rows from the top (a title may stand above it).
HEADER_SEARCH = 10
#: Cells read per row: the export has about thirty columns.
MAX_COLUMNS = 200
#: Longer cells make the whole file unreadable (csv's own field limit); Excel holds 32,767.
HARD_CELL_CHARS = 131_072
#: Separators tried on the header line, the Russian Excel's own first.
DELIMITERS = (";", "\t", ",")
#: A line with more separators than this is not a table of thirty columns.
MAX_DELIMITERS_PER_LINE = 10_000
#: How much of a cell an error message quotes.
FRAGMENT = 80

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """How much of a file an import reads (the ``INCIDENT_BRIDGE_IMPORT_*`` settings)."""

    max_bytes: int = 32 * 1024 * 1024
    max_rows: int = 20_000
    max_cell_chars: int = 32_767

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_rows, self.max_cell_chars) < 1:
            raise ValueError("import limits must be positive")


@dataclass(frozen=True, slots=True)
class Link:
    """A cell with a hyperlink: what it shows and where it points."""

    text: object
    target: str

    def __str__(self) -> str:
        return "" if self.text is None else str(self.text)


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of a file, top to bottom, and the time the file itself says it was saved."""

    rows: list[SheetRow]
    modified: datetime | None = None
    truncated: bool = False  # more rows than the limit allows were there


def fragment(value: object, limit: int = FRAGMENT) -> str:
    """At most ``limit`` characters of a value, on one line, for an error message."""
    text = " ".join(_CONTROL.sub(" ", str(value)[: limit * 4]).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def count(n: int) -> str:
    """A number as Russian text writes it: 20 000."""
    return f"{n:,}".replace(",", "\u00a0")


def read_table(data: bytes, suffix: str, limits: ImportLimits, is_header: HeaderTest) -> Table:
    """The rows of an ``.xlsx`` or ``.csv`` file, or an ``InvalidInput`` saying why not."""
    if not data.strip():
        raise InvalidInput("Файл пуст.")
    cap = HEADER_SEARCH + limits.max_rows + 1
    if suffix == ".xlsx":
        from adapters.xlsx_reading import read_xlsx  # openpyxl is heavy; only needed here

        return read_xlsx(data, limits, cap)
    return _read_csv(data, cap, is_header)


def _read_csv(data: bytes, cap: int, is_header: HeaderTest) -> Table:
    text = _decode(data)
    if not text.strip():
        raise InvalidInput("Файл пуст.")
    head = _LINE_BREAK.split(text[: 256 * 1024])[:HEADER_SEARCH]
    delimiter = _delimiter(head, is_header)
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if line.count(delimiter) > MAX_DELIMITERS_PER_LINE:
            raise InvalidInput(
                f"Строка {number}: больше {count(MAX_DELIMITERS_PER_LINE)} разделителей «"
                f"{_delimiter_name(delimiter)}» — это не таблица выгрузки."
            )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[SheetRow] = []
    line = 1
    try:
        for row in reader:
            if len(rows) == cap:
                return Table(rows, truncated=True)
            rows.append(tuple(row[:MAX_COLUMNS]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(_csv_problem(str(exc), line, reader.line_num)) from exc
    return Table(rows)


def _decode(data: bytes) -> str:
    """The file's text: by its byte-order mark, else UTF-8, else cp1251; refuse binary data."""
    if data.startswith(b"PK\x03\x04"):
        raise InvalidInput("Это книга Excel (zip-архив), а не CSV: дайте файлу расширение .xlsx.")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidInput(
            "Это файл старого формата Excel (.xls) или защищённый паролем, а не CSV: "
            "откройте его в Excel и сохраните как «CSV (разделители — точки с запятой)»."
        )
    if data.startswith(codecs.BOM_UTF8):
        encodings: Iterable[str] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)  # Excel's «Юникод-текст»: UTF-16 LE with a BOM, tab-separated
    elif b"\x00" in data:
        raise _binary()
    else:
        encodings = ("utf-8", "cp1251")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise _binary()
    sample = text[:100_000]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise _binary()
    return text


def _binary() -> InvalidInput:
    return InvalidInput(
        "Файл не читается как текст CSV (UTF-8, UTF-16 или Windows-1251): это двоичные данные "
        "или повреждённый файл. Сохраните выгрузку из Excel как CSV или .xlsx."
    )


def _delimiter(head: list[str], is_header: HeaderTest) -> str:
    """The separator that makes a header of the first line naming «Номер», else the commonest."""
    for line in head:
        found: list[tuple[int, int, str]] = []
        for rank, delimiter in enumerate(DELIMITERS):
            cells = tuple(next(csv.reader([line], delimiter=delimiter), []))
            if is_header(cells):
                found.append((len(cells), -rank, delimiter))  # more cells win, then the order
        if found:
            return max(found)[2]
    first = next((line for line in head if line.strip()), "")
    return max(DELIMITERS, key=first.count)


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "табуляция"}.get(delimiter, delimiter)


def _csv_problem(error: str, start: int, end: int) -> str:
    """A Russian explanation of what the csv module could not read."""
    if "unexpected end of data" in error:
        return (
            f"Строка {start}: кавычка открыта и не закрыта до конца файла — CSV повреждён. "
            'Проверьте кавычки в этой строке (кавычка внутри ячейки пишется дважды: "").'
        )
    if "expected after" in error:
        return (
            f"Строка {end}: после закрывающей кавычки в ячейке идёт текст — CSV повреждён. "
            'Кавычка внутри ячейки пишется дважды (""); исправьте строку или сохраните '
            "файл из Excel заново."
        )
    if "field larger than field limit" in error:
        limit = count(csv.field_size_limit())
        return f"Строка {start}: ячейка длиннее {limit} знаков — файл не читается."
    return f"Строка {start}: файл не читается как CSV ({fragment(error)})."
