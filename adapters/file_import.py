"""Import of the incident system's exports (.xlsx or .csv) into incident cards, row by row.

Revision of an imported row: the time the data was exported, in microseconds
since the epoch (the same scale the API's revisions use). It is the row's
«Дата изменения» when the export has that column, else ``exported_at`` given by
the person (the import page, ``--exported-at``), else the workbook's own
"modified" property (.xlsx). So re-importing the same file is idempotent (same
revisions), and a later export of an edited row carries a larger revision and
updates it. A content hash would be stable but not ordered, so it could not
tell the newer of two versions; the upload time or the file's mtime (a copy's
time) would let a stale export overwrite newer text. A row with none of these
times gets revision 0 and ``ImportRow.dated`` false: it may create an incident,
never update one.

Reading is bounded by ``ImportLimits`` (bytes, rows, characters per cell), and
an ``.xlsx`` is judged by ``adapters.xlsx_guard`` before openpyxl opens it.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from adapters.file_cards import card, header_titles, is_header
from adapters.file_reading import HEADER_SEARCH, ImportLimits, Table, count, fragment, read_table
from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.model import IncidentCard

__all__ = ["MOSCOW", "ImportLimits", "ImportRow", "RevisionSource", "import_file", "size_text"]

MOSCOW = ZoneInfo("Europe/Moscow")
SUFFIXES = (".xlsx", ".csv")


class RevisionSource(enum.StrEnum):
    """Where a row's revision (its export time) came from."""

    CHANGE_DATE = "change_date"  # the row's «Дата изменения»
    GIVEN = "given"  # the time the person gave on the page or the command line
    WORKBOOK = "workbook"  # the workbook's own "modified" property


@dataclass(frozen=True, slots=True)
class ImportRow:
    """The result of one row: a card, or the reason it was rejected. ``row`` is as Excel shows it.

    ``revision_from`` is None for a card whose export time nobody knows (revision 0).
    """

    row: int
    card: IncidentCard | None = None
    error: str | None = None
    revision_from: RevisionSource | None = None

    @property
    def dated(self) -> bool:
        """Whether the card carries its export's time, so it may update a stored incident."""
        return self.revision_from is not None


def import_file(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    filename: str | None = None,
    tz: tzinfo = MOSCOW,
    exported_at: datetime | None = None,
    limits: ImportLimits | None = None,
) -> list[ImportRow]:
    """Parse an export into one ``ImportRow`` per non-empty data row.

    ``tz`` is the zone of naive dates in the file (the system shows Moscow time);
    ``filename`` names the format when ``source`` is a stream. A file that cannot be
    read at all raises ``InvalidInput`` with the reason in Russian.
    """
    limits = limits or ImportLimits()
    name = filename or (os.fspath(source) if isinstance(source, str | os.PathLike) else "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"Неизвестный формат файла «{fragment(name)}»: нужен .xlsx или .csv.")
    table = read_table(_bytes(source, limits.max_bytes), suffix, limits, is_header)
    if exported_at is not None:
        if exported_at.tzinfo is None:
            exported_at = exported_at.replace(tzinfo=tz)
        stamp, origin = exported_at, RevisionSource.GIVEN
    elif table.modified is not None:
        stamp, origin = table.modified, RevisionSource.WORKBOOK
    else:
        stamp, origin = None, None
    return list(_parse(table, tz, stamp, origin, limits))


def _bytes(source: str | os.PathLike[str] | IO[bytes], limit: int) -> bytes:
    """The file's bytes, refused past ``limit`` without reading more than one byte beyond it."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            data = stream.read(limit + 1)
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(
            f"Файл больше допустимых {size_text(limit)}: разделите выгрузку на части."
        )
    return data


def size_text(size: int) -> str:
    """A size limit as a person reads it: «32 МБ», «500 КБ»."""
    for unit, name in ((1024 * 1024, "МБ"), (1024, "КБ")):
        if size >= unit:
            return f"{count(size // unit)} {name}"
    return f"{count(size)} байт"


def _parse(
    table: Table,
    tz: tzinfo,
    stamp: datetime | None,
    origin: RevisionSource | None,
    limits: ImportLimits,
) -> Iterator[ImportRow]:
    rows = table.rows
    # Some exports put a title above the table: the header is the first row naming «Номер».
    header_index = next((i for i, row in enumerate(rows[:HEADER_SEARCH]) if is_header(row)), None)
    if header_index is None:
        raise InvalidInput("В файле не найдена строка заголовков со столбцом «Номер».")
    titles = header_titles(rows[header_index])
    data = [
        (number, values)
        for number, values in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if not all(v is None or str(v).strip() == "" for v in values)
    ]
    # Rows up to the last one with data count, empty ones among them too (reading stopped
    # a little past the limit, so a truncated table is over it).
    if table.truncated or (data and data[-1][0] - header_index - 1 > limits.max_rows):
        raise InvalidInput(
            f"В файле больше {count(limits.max_rows)} строк: разделите выгрузку на части."
        )
    if not data:
        raise InvalidInput("В файле только заголовок: нет ни одной строки с данными.")
    for number, values in data:
        try:
            result, own_date = card(titles, values, tz=tz, export_time=stamp, limits=limits)
        except ValueError as exc:
            yield ImportRow(row=number, error=str(exc))
            continue
        source = RevisionSource.CHANGE_DATE if own_date else origin
        yield ImportRow(row=number, card=result, revision_from=source)
