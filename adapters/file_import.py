"""Import of the incident system's exports (.xlsx or .csv) into incident cards, row by row.

Revision of an imported row: the time the data was exported, in microseconds
since the epoch (the same scale the API's revisions use). It is the row's
«Дата изменения» when the export has that column, else ``exported_at`` given
by the caller, else the workbook's "modified" property (.xlsx), else the
file's modification time. So re-importing the same file is idempotent (same
revisions), and a later export of an edited row carries a larger revision and
updates it. A content hash would be stable but not ordered, so it could not
tell the newer of two versions.
"""

from __future__ import annotations

import csv
import enum
import io
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.model import (
    FEEDBACK_LABELS,
    IMPORTANCE_LABELS,
    PLATFORM_LABELS,
    Author,
    Feedback,
    Importance,
    IncidentCard,
    Platform,
)

MOSCOW = ZoneInfo("Europe/Moscow")

#: One row of a sheet: openpyxl gives str, int, float, datetime… or None per cell, csv gives str.
SheetRow = tuple[object, ...]
EnumT = TypeVar("EnumT", bound=enum.StrEnum)

#: Column title (normalised) -> card field. The first eight are required.
COLUMNS = {
    "номер": "number",
    "дата создания": "created_at",
    "текст инцидента": "text",
    "муниципалитет": "municipality",
    "группа тем": "topic_group",
    "тема": "topic",
    "урл блога": "post_url",
    "важность": "importance",
    "автор": "author",
    "ссылка на автора": "author_url",
    "площадка": "platform",
    "дата обнаружения": "detected_at",
    "вложения": "attachments",
    "шаг": "step",
    "текущий шаг": "step",
    "оценка автора": "feedback",
    "реакция автора": "feedback",
    "дата изменения": "changed_at",
}
REQUIRED = (
    "number",
    "created_at",
    "text",
    "municipality",
    "topic_group",
    "topic",
    "post_url",
    "importance",
)
DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
HOSTS = {
    "vk.com": Platform.VK,
    "vk.ru": Platform.VK,
    "ok.ru": Platform.OK,
    "t.me": Platform.TELEGRAM,
    "instagram.com": Platform.INSTAGRAM,
    "facebook.com": Platform.FACEBOOK,
    "twitter.com": Platform.TWITTER,
    "x.com": Platform.TWITTER,
    "youtube.com": Platform.YOUTUBE,
    "youtu.be": Platform.YOUTUBE,
    "rutube.ru": Platform.YOUTUBE,
}


@dataclass(frozen=True, slots=True)
class ImportRow:
    """The result of one row: a card, or the reason it was rejected. ``row`` is as Excel shows it."""

    row: int
    card: IncidentCard | None = None
    error: str | None = None


def _norm(title: object) -> str:
    return re.sub(r"\s+", " ", str(title or "")).strip().lower().replace("ё", "е")


def _labels(labels: Mapping[EnumT, str], *aliases: tuple[str, EnumT]) -> dict[str, EnumT]:
    table = {_norm(label): value for value, label in labels.items()}
    table.update({_norm(value.value): value for value in labels})
    table.update({_norm(alias): value for alias, value in aliases})
    return table


IMPORTANCE = _labels(IMPORTANCE_LABELS, ("личное сообщение", Importance.PRIVATE))
FEEDBACK = _labels(
    FEEDBACK_LABELS,
    ("доволен", Feedback.SATISFIED),
    ("нейтрален", Feedback.NEUTRAL),
    ("недоволен", Feedback.DISSATISFIED),
)
PLATFORMS = _labels(
    PLATFORM_LABELS,
    ("вк", Platform.VK),
    ("вконтакте", Platform.VK),
    ("ок", Platform.OK),
    ("телеграм", Platform.TELEGRAM),
    ("youtube", Platform.YOUTUBE),
)


def import_file(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    filename: str | None = None,
    tz: tzinfo = MOSCOW,
    exported_at: datetime | None = None,
) -> list[ImportRow]:
    """Parse an export into one ``ImportRow`` per non-empty data row.

    ``tz`` is the zone of naive dates in the file (the system shows Moscow time);
    ``filename`` names the format when ``source`` is a stream.
    """
    name = filename or (os.fspath(source) if isinstance(source, str | os.PathLike) else "")
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(f"Неизвестный формат файла «{name}»: нужен .xlsx или .csv.")
    data = Path(source).read_bytes() if isinstance(source, str | os.PathLike) else source.read()
    if suffix == ".xlsx":
        rows, modified = _xlsx_rows(data)
    else:
        rows, modified = _csv_rows(data), None
    if exported_at is None:
        exported_at = modified
    if exported_at is None and isinstance(source, str | os.PathLike):
        exported_at = datetime.fromtimestamp(os.stat(source).st_mtime, UTC)
    return list(_parse(rows, tz, exported_at))


def _xlsx_rows(data: bytes) -> tuple[list[SheetRow], datetime | None]:
    from openpyxl import load_workbook  # heavy; only needed for .xlsx

    with warnings.catch_warnings():
        # Exports made by other tools often lack default styles; openpyxl warns, harmlessly.
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows: list[SheetRow] = [tuple(row) for row in book.active.iter_rows(values_only=True)]
        modified: datetime | None = book.properties.modified
    finally:
        book.close()
    if modified is not None and modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)  # core properties are stored in UTC
    return rows, modified


def _csv_rows(data: bytes) -> list[SheetRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251")  # Excel on Russian Windows saves CSV this way
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    return [tuple(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _parse(rows: list[SheetRow], tz: tzinfo, exported_at: datetime | None) -> Iterator[ImportRow]:
    # Some exports put a title above the table: the header is the first row naming «Номер».
    header_index = next(
        (i for i, row in enumerate(rows[:10]) if "номер" in {_norm(c) for c in row}), None
    )
    if header_index is None:
        raise InvalidInput("В файле не найдена строка заголовков со столбцом «Номер».")
    titles = [str(c or "").strip() for c in rows[header_index]]
    known = {COLUMNS[_norm(t)] for t in titles if _norm(t) in COLUMNS}
    missing = [t for t, f in zip(_required_titles(), REQUIRED, strict=True) if f not in known]
    if missing:
        raise InvalidInput(f"В файле нет обязательных столбцов: {', '.join(missing)}.")
    for offset, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        record = dict(zip(titles, values, strict=False))
        try:
            yield ImportRow(row=offset, card=_card(record, tz, exported_at))
        except ValueError as exc:
            yield ImportRow(row=offset, error=str(exc))


def _required_titles() -> Iterable[str]:
    titles = {v: k for k, v in reversed(COLUMNS.items())}
    return (titles[f].capitalize() for f in REQUIRED)


def _card(record: dict[str, object], tz: tzinfo, exported_at: datetime | None) -> IncidentCard:
    fields: dict[str, object] = {}
    extra: dict[str, str] = {}
    for title, value in record.items():
        field = COLUMNS.get(_norm(title))
        if field:
            fields.setdefault(field, value)
        elif title and _text(value):
            extra[title] = _text(value)
    number = _number(fields.get("number"))
    if not number:
        raise ValueError("пустой «Номер»")
    text = _text(fields.get("text"))
    if not text:
        raise ValueError("пустой «Текст инцидента»")
    created = _when(fields.get("created_at"), tz, "Дата создания")
    detected = (
        _when(fields.get("detected_at"), tz, "Дата обнаружения")
        if _text(fields.get("detected_at"))
        else created
    )
    importance = IMPORTANCE.get(_norm(fields.get("importance")))
    if importance is None:
        raise ValueError(f"неизвестная «Важность»: «{_text(fields.get('importance'))}»")
    post_url = _text(fields.get("post_url")) or None
    changed = fields.get("changed_at")
    stamp = _when(changed, tz, "Дата изменения") if _text(changed) else exported_at
    if stamp is None:
        raise ValueError("не из чего вывести ревизию: передайте exported_at")
    feedback_label = _norm(fields.get("feedback"))
    return IncidentCard(
        external_id=number,
        number=number,
        created_at=created,
        detected_at=detected,
        text=text,
        author=Author(
            name=_text(fields.get("author")), profile_url=_text(fields.get("author_url")) or None
        ),
        platform=_platform(_text(fields.get("platform")), post_url),
        post_url=post_url,
        municipality=_text(fields.get("municipality")),
        topic_group=_text(fields.get("topic_group")),
        topic=_text(fields.get("topic")),
        importance=importance,
        revision=int(stamp.timestamp() * 1_000_000),
        attachments=tuple(
            u
            for u in re.split(r"[\s,;]+", _text(fields.get("attachments")))
            if u.startswith("http")
        ),
        step=_text(fields.get("step")) or None,
        feedback=FEEDBACK.get(feedback_label) if feedback_label else None,
        extra=extra,
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> str:
    # Excel turns «4812001» into 4812001.0; the number is an identifier, keep it textual.
    return _text(value)


def _when(value: object, tz: tzinfo, column: str) -> datetime:
    """An aware UTC datetime from an Excel date, «dd.mm.yyyy HH:MM» or ISO text."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _text(value)
        parsed = _parse_text_date(text)
        if parsed is None:
            raise ValueError(f"«{column}»: не дата: «{text}»")
        moment = parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _parse_text_date(text: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _platform(label: str, post_url: str | None) -> Platform:
    """The platform from «Площадка», else guessed from the post's host."""
    if label and _norm(label) in PLATFORMS:
        return PLATFORMS[_norm(label)]
    host = (urlsplit(post_url).hostname or "") if post_url else ""
    host = host.removeprefix("www.").removeprefix("m.")
    return HOSTS.get(host, Platform.FORUM if label.lower() in ("форум", "блог") else Platform.OTHER)
