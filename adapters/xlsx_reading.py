"""The rows of an ``.xlsx`` export: guarded, streamed with openpyxl ``read_only``, with hyperlinks.

``read_only`` mode has no hyperlinks, and loading the sheet normally would build every
cell in memory; so the hyperlinks of the sheet read are taken from its XML by a streaming
expat pass of their own (after ``xlsx_guard`` has bounded that XML): ``<hyperlink ref r:id>``
resolved through the sheet's relationships, and ``=HYPERLINK("url"; "text")`` formulas. A
linked cell comes as a ``Link``: the card takes its target for the link columns («Урл
блога», «Ссылка на автора», «Вложения») and what it shows for the others.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from adapters.file_reading import MAX_COLUMNS, ImportLimits, Link, SheetRow, Table, fragment
from adapters.xlsx_guard import MIB, check_workbook, open_workbook, rels_of
from incident_bridge.domain.errors import InvalidInput

#: What openpyxl raises on a broken workbook (it has no exception of its own for most of it).
OPENPYXL_ERRORS: tuple[type[BaseException], ...] = (
    ArithmeticError, AttributeError, EOFError, LookupError, NotImplementedError, OSError,
    RuntimeError, SyntaxError, TypeError, ValueError, zipfile.BadZipFile, zlib.error,
)  # fmt: skip
#: A hyperlink's target is kept up to this length (a longer one is refused by the card's limit).
MAX_TARGET = 4096
#: A hyperlink over a range links each of its cells, up to this many.
MAX_RANGE_CELLS = 1000

#: The core properties part (openpyxl reads the same path) and its «modified» element.
CORE = "docProps/core.xml"
MODIFIED = "{http://purl.org/dc/terms/}modified"

_FORMULA = re.compile(r'^\s*=?\s*(?:_xlfn\.)?HYPERLINK\(\s*"((?:[^"]|"")*)"', re.IGNORECASE)
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_WEB = re.compile(r"^https?://", re.IGNORECASE)


def read_xlsx(data: bytes, limits: ImportLimits, cap: int) -> Table:
    """The active sheet's rows (at most ``cap``), the workbook's «modified» time and its links."""
    from openpyxl.utils.exceptions import InvalidFileException

    with open_workbook(data) as archive:
        linkless = check_workbook(archive, limits)
        try:
            rows, truncated, path = _read(data, cap)
        except InvalidInput:
            raise
        except (InvalidFileException, *OPENPYXL_ERRORS) as exc:
            raise InvalidInput(
                "Книга Excel повреждена и не читается. Откройте её в Excel и сохраните заново "
                "как «Книга Excel (.xlsx)»."
            ) from exc
        links = _links(archive, path, cap * 8) if path and path not in linkless else {}
        modified = _modified(archive)
    return Table(_linked(rows, links), modified=modified, truncated=truncated)


def _read(data: bytes, cap: int) -> tuple[list[SheetRow], bool, str | None]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Exports made by other tools often lack default styles and the like; openpyxl warns.
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = _sheet(book)
            rows, truncated = _rows(sheet, cap)
            if not rows:
                raise InvalidInput(f"Лист «{fragment(sheet.title)}» пуст.")
            # openpyxl keeps the sheet's part name privately; without it the links are not read.
            path = getattr(sheet, "_worksheet_path", None)
        finally:
            book.close()
    return rows, truncated, path if isinstance(path, str) else None


def _modified(archive: zipfile.ZipFile) -> datetime | None:
    """When the workbook says it was last saved (its core properties), if it says so.

    Read here rather than from openpyxl, which gives the current time when the
    property is missing: that would make any file look like a fresh export.
    """
    try:
        root = ElementTree.fromstring(archive.read(CORE))
        moment = datetime.fromisoformat((root.findtext(MODIFIED) or "").strip())
    except (KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error, OSError):
        return None  # no core properties, no «modified», or not a date
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # stored in UTC


def _sheet(book: Any) -> Any:
    """The sheet a person sees on opening the book, if it is a table; else the first table."""
    if not book.worksheets:
        raise InvalidInput("В книге Excel нет ни одного листа с таблицей.")
    active = book.active
    return active if active in book.worksheets else book.worksheets[0]


def _rows(sheet: Any, cap: int) -> tuple[list[SheetRow], bool]:
    # A hostile <dimension> would pad every row to 16,384 cells: read what is there, 200 at most.
    sheet.reset_dimensions()
    rows: list[SheetRow] = []
    for values in sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True):
        if len(rows) == cap:
            return rows, True
        end = len(values)
        while end and values[end - 1] is None:
            end -= 1
        rows.append(tuple(values[:end]))
    return rows, False


def _linked(rows: list[SheetRow], links: dict[tuple[int, int], str]) -> list[SheetRow]:
    """The rows with each linked cell (row, column: 1-based) as a ``Link``."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, column), target in links.items():
        if row <= len(rows) and column <= MAX_COLUMNS:
            by_row.setdefault(row, []).append((column, target))
    for row, cells in by_row.items():
        values = list(rows[row - 1])
        for column, target in cells:
            values.extend([None] * (column - len(values)))
            values[column - 1] = Link(values[column - 1], target)
        rows[row - 1] = tuple(values)
    return rows


def _links(archive: zipfile.ZipFile, sheet: str, limit: int) -> dict[tuple[int, int], str]:
    """The web links of a sheet's cells, by (row, column); none if its XML will not say."""
    rels = rels_of(sheet)
    targets: dict[str, str] = {}
    try:
        if rels in archive.NameToInfo:
            _parse(archive, rels, _Relationships(targets))
        walker = _LinkWalker(targets, limit)
        _parse(archive, sheet, walker)
    except (expat.ExpatError, KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return {}  # openpyxl has read the rows; a link it cannot find is only a link
    return walker.links


class _Handler:
    def start(self, name: str, attrs: dict[str, str]) -> None: ...

    def end(self, name: str) -> None: ...

    def text(self, data: str) -> None: ...


def _parse(archive: zipfile.ZipFile, part: str, handler: _Handler) -> None:
    parser = expat.ParserCreate()  # names as written («x:row» or «row»): the local part counts
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    with archive.open(part) as stream:
        while chunk := stream.read(MIB):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Relationships(_Handler):
    """A part's relationships of the hyperlink type: id -> target."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("Type", "").endswith("/hyperlink"):
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")[:MAX_TARGET]


class _LinkWalker(_Handler):
    """Collects ``<hyperlink>`` elements and ``HYPERLINK(…)`` formulas of a sheet."""

    def __init__(self, targets: dict[str, str], limit: int) -> None:
        self.targets = targets
        self.limit = limit
        self.links: dict[tuple[int, int], str] = {}
        self.row = self.column = 0
        self.formula: list[str] | None = None
        self.formula_size = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            self.row = _int(attrs.get("r"), self.row + 1)
            self.column = 0
        elif local == "c":
            cell = _cell(attrs.get("r", ""))
            self.row, self.column = cell if cell else (self.row, self.column + 1)
        elif local == "f":
            self.formula, self.formula_size = [], 0
        elif local == "hyperlink":
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
            target = self.targets.get(rid, "")
            if _WEB.match(target):
                for cell in _cells(attrs.get("ref", "")):
                    self._add(cell, target)

    def end(self, name: str) -> None:
        if self.formula is not None and _local(name) == "f":
            found = _FORMULA.match("".join(self.formula))
            if found and _WEB.match(url := found.group(1).replace('""', '"')):
                self._add((self.row, self.column), url[:MAX_TARGET])
            self.formula = None

    def text(self, data: str) -> None:
        if self.formula is not None and self.formula_size < 2 * MAX_TARGET:
            self.formula.append(data)
            self.formula_size += len(data)

    def _add(self, cell: tuple[int, int], target: str) -> None:
        if len(self.links) < self.limit:
            self.links.setdefault(cell, target)


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and len(text) < 8 else default


def _cell(ref: str) -> tuple[int, int] | None:
    from openpyxl.utils.cell import column_index_from_string

    found = _CELL.match(ref)
    if found is None:
        return None
    try:
        return int(found.group(2)), column_index_from_string(found.group(1).upper())
    except (ValueError, KeyError):  # beyond column XFD
        return None


def _cells(ref: str) -> Iterable[tuple[int, int]]:
    """The cells of «A2» or «A2:C4» (a range no larger than ``MAX_RANGE_CELLS``)."""
    first, _, last = ref.partition(":")
    start, end = _cell(first), _cell(last or first)
    if start is None or end is None:
        return []
    (r1, c1), (r2, c2) = start, end
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE_CELLS or r2 < r1 or c2 < c1:
        return [start]
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
