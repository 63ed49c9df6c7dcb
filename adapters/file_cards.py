"""One row of an export → an ``IncidentCard``, or a ``ValueError`` with the reason in Russian.

Every value is held to the card's own limits (``CARD_LIMITS``) and to the import's
cell limit, and must be storable (no control characters), so a row the database could
not hold is rejected here with its reason instead of failing the whole import. A
reason quotes at most ``FRAGMENT`` characters of a cell.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import TypeVar
from urllib.parse import urlsplit

from adapters.file_reading import ImportLimits, Link, SheetRow, count, fragment
from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.model import (
    CARD_LIMITS,
    FEEDBACK_LABELS,
    IMPORTANCE_LABELS,
    PLATFORM_LABELS,
    Author,
    Feedback,
    Importance,
    IncidentCard,
    Platform,
)

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
    "ссылка": "post_url",
    "ссылка на публикацию": "post_url",
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
#: The longest value of each text field (the card's own limits).
FIELD_LIMITS = {
    "number": CARD_LIMITS.number,
    "text": CARD_LIMITS.text,
    "author": CARD_LIMITS.author_name,
    "author_url": CARD_LIMITS.url,
    "post_url": CARD_LIMITS.url,
    "municipality": CARD_LIMITS.municipality,
    "topic_group": CARD_LIMITS.topic,
    "topic": CARD_LIMITS.topic,
    "step": CARD_LIMITS.step,
}
DATE_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y")
#: Dates outside these years are a broken cell, not a message to count deadlines from.
FIRST_YEAR, LAST_YEAR = 2000, 2100
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

# What no column can hold or nobody should see: C0 controls but tab and line breaks, DEL.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Excel turns 4812001 into 4812001.0, a CSV may write «4812001,0» or «4 812 001».
_INTEGRAL = re.compile(r"^(\d+)[.,]0+$")
_GROUPED = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})+$")
_EXPONENT = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")


def norm(title: object) -> str:
    """A title or label as compared: one space between words, lower case, «ё» as «е»."""
    return re.sub(r"\s+", " ", str(title or "")[:200]).strip().lower().replace("ё", "е")


def is_header(row: SheetRow) -> bool:
    """Whether a row is the header: it names the column «Номер»."""
    return any(norm(cell) == "номер" for cell in row)


def _labels(labels: Mapping[EnumT, str], *aliases: tuple[str, EnumT]) -> dict[str, EnumT]:
    table = {norm(label): value for value, label in labels.items()}
    table.update({norm(value.value): value for value in labels})
    table.update({norm(alias): value for alias, value in aliases})
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


def header_titles(row: SheetRow) -> list[str]:
    """The titles of the header row; a file whose header cannot make cards is refused."""
    titles = [text(cell) for cell in row]
    known = {COLUMNS[norm(t)] for t in titles if norm(t) in COLUMNS}
    missing = [t for t, f in zip(_required_titles(), REQUIRED, strict=True) if f not in known]
    if missing:
        raise InvalidInput(f"В файле нет обязательных столбцов: {', '.join(missing)}.")
    extras = {t for t in titles if t and norm(t) not in COLUMNS}
    long = next((t for t in extras if len(t) > CARD_LIMITS.extra_key), None)
    if long is not None:
        raise InvalidInput(
            f"Название столбца длиннее {count(CARD_LIMITS.extra_key)} знаков: «{fragment(long)}» "
            "— проверьте строку заголовков."
        )
    if len(extras) > CARD_LIMITS.extra_entries:
        raise InvalidInput(
            f"В файле {count(len(extras))} дополнительных столбцов, допустимо не больше "
            f"{count(CARD_LIMITS.extra_entries)}."
        )
    return titles


def _required_titles() -> Iterable[str]:
    titles = {v: k for k, v in reversed(COLUMNS.items())}
    return (titles[f].capitalize() for f in REQUIRED)


def card(
    titles: list[str],
    values: SheetRow,
    *,
    tz: tzinfo,
    export_time: datetime | None,
    limits: ImportLimits,
) -> tuple[IncidentCard, bool]:
    """The card of one row, and whether its revision is the row's own «Дата изменения».

    Without a «Дата изменения», the revision is ``export_time``; without that, 0: a card
    that may be created but never overwrites anything (see ``adapters.file_import``).
    """
    fields: dict[str, object] = {}
    extra: dict[str, str] = {}
    for title, value in zip(titles, values, strict=False):
        shown = text(value)
        if len(shown) > limits.max_cell_chars:
            raise ValueError(
                f"«{fragment(title, 40)}»: в ячейке {count(len(shown))} знаков, допустимо не "
                f"больше {count(limits.max_cell_chars)}"
            )
        field = COLUMNS.get(norm(title))
        if field:
            fields.setdefault(field, value)
        elif title and (shown or isinstance(value, Link)):
            extra[title] = _checked(title, shown or _link_text(value), CARD_LIMITS.extra_value)
    number = _checked("Номер", _number(fields.get("number")), FIELD_LIMITS["number"])
    if not number:
        raise ValueError("пустой «Номер»")
    body = _field(fields, "text", "Текст инцидента")
    if not body:
        raise ValueError("пустой «Текст инцидента»")
    created = _when(fields.get("created_at"), tz, "Дата создания")
    detected = (
        _when(fields.get("detected_at"), tz, "Дата обнаружения")
        if text(fields.get("detected_at"))
        else created
    )
    importance = IMPORTANCE.get(norm(fields.get("importance")))
    if importance is None:
        raise ValueError(f"неизвестная «Важность»: «{fragment(text(fields.get('importance')))}»")
    post_url = _field(fields, "post_url", "Урл блога", link=True) or None
    changed = fields.get("changed_at")
    stamp = _when(changed, tz, "Дата изменения") if text(changed) else export_time
    feedback_label = norm(fields.get("feedback"))
    result = IncidentCard(
        external_id=number,
        number=number,
        created_at=created,
        detected_at=detected,
        text=body,
        author=Author(
            name=_field(fields, "author", "Автор"),
            profile_url=_field(fields, "author_url", "Ссылка на автора", link=True) or None,
        ),
        platform=_platform(text(fields.get("platform")), post_url),
        post_url=post_url,
        municipality=_field(fields, "municipality", "Муниципалитет"),
        topic_group=_field(fields, "topic_group", "Группа тем"),
        topic=_field(fields, "topic", "Тема"),
        importance=importance,
        revision=int(stamp.timestamp() * 1_000_000) if stamp is not None else 0,
        attachments=_attachments(fields.get("attachments")),
        step=_field(fields, "step", "Шаг") or None,
        feedback=FEEDBACK.get(feedback_label) if feedback_label else None,
        extra=extra,
    )
    return result, bool(text(changed))


def text(value: object) -> str:
    """A cell as text: what a linked cell shows, an integral float without «.0»."""
    if isinstance(value, Link):
        value = value.text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _link_text(value: object) -> str:
    return value.target if isinstance(value, Link) else ""


def _field(fields: dict[str, object], name: str, title: str, *, link: bool = False) -> str:
    """A text field held to its limit; a link column takes the hyperlink's target."""
    value = fields.get(name)
    shown = value.target if link and isinstance(value, Link) else text(value)
    return _checked(title, shown, FIELD_LIMITS[name])


def _checked(title: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(
            f"«{fragment(title, 40)}»: {count(len(value))} знаков, допустимо не больше {count(limit)}"
        )
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        raise ValueError(
            f"«{fragment(title, 40)}»: недопустимый символ U+{ord(bad.group()):04X} "
            f"в позиции {bad.start() + 1}"
        )
    return value


def _number(value: object) -> str:
    """The incident's number as text: «5005000.0», «5005000,0» and «5 005 000» are «5005000»."""
    shown = text(value)
    integral = _INTEGRAL.match(shown)
    if integral:
        return integral.group(1)
    if _GROUPED.match(shown):
        return re.sub(r"\D", "", shown)
    if _EXPONENT.match(shown):
        raise ValueError(
            f"«Номер» в экспоненциальной записи («{fragment(shown)}»): Excel потерял его цифры. "
            "Задайте столбцу «Номер» текстовый формат или выгрузите файл заново"
        )
    return shown


def _attachments(value: object) -> tuple[str, ...]:
    found = [value.target] if isinstance(value, Link) else []
    found += [u for u in re.split(r"[\s,;]+", text(value)) if u.startswith("http")]
    urls = tuple(dict.fromkeys(found))
    if len(urls) > CARD_LIMITS.attachments:
        raise ValueError(
            f"«Вложения»: {count(len(urls))} ссылок, допустимо не больше {count(CARD_LIMITS.attachments)}"
        )
    for url in urls:
        _checked("Вложения", url, CARD_LIMITS.url)
    return urls


def _when(value: object, tz: tzinfo, column: str) -> datetime:
    """An aware UTC datetime from an Excel date, «dd.mm.yyyy HH:MM» or ISO text."""
    if isinstance(value, Link):
        value = value.text
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        shown = text(value)
        parsed = _parse_text_date(shown)
        if parsed is None:
            raise ValueError(f"«{column}»: не дата: «{fragment(shown)}»")
        moment = parsed
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(
            f"«{column}»: дата вне {FIRST_YEAR}–{LAST_YEAR} годов: «{moment:%d.%m.%Y}»"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _parse_text_date(shown: str) -> datetime | None:
    if len(shown) > 40:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(shown, fmt)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(shown)
    except ValueError:
        return None


def _platform(label: str, post_url: str | None) -> Platform:
    """The platform from «Площадка», else guessed from the post's host."""
    if label and norm(label) in PLATFORMS:
        return PLATFORMS[norm(label)]
    try:
        host = (urlsplit(post_url).hostname or "") if post_url else ""
    except ValueError:  # «http://[broken» is not a URL
        host = ""
    host = host.removeprefix("www.").removeprefix("m.")
    return HOSTS.get(host, Platform.FORUM if label.lower() in ("форум", "блог") else Platform.OTHER)
