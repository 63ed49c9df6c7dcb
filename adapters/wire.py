"""The incident system's wire format (API v1) as marshmallow schemas, turned into domain types.

Each record of a page is validated on its own: a bad record becomes a
``RejectedRecord`` and the rest of the page goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypedDict

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from incident_bridge.domain.model import (
    CARD_LIMITS,
    MAX_REVISION,
    ApprovalDecision,
    ApprovalVerdict,
    Author,
    AuthorMessage,
    Delivery,
    Feedback,
    Importance,
    IncidentCard,
    IncidentPage,
    Platform,
    RejectedRecord,
)

_TEXT = validate.Length(min=1)
# What no column can hold or nobody should see: C0 controls but tab and line breaks, DEL, and
# lone surrogates (not valid Unicode; PostgreSQL refuses NUL and unpaired surrogates outright).
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Dates outside these years are a broken record, not a message to count deadlines from.
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


def _storable(value: str) -> None:
    found = _UNSTORABLE.search(value)
    if found is not None:
        raise ValidationError(
            f"недопустимый символ U+{ord(found.group()):04X} в позиции {found.start() + 1}"
        )


def _plausible(moment: datetime) -> None:
    if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise ValidationError(f"дата вне {_FIRST_YEAR}–{_LAST_YEAR} годов: {moment.isoformat()}")


class Text(fields.String):
    """A string the bridge can store: at most ``max_length`` characters, no control characters.

    Valid Unicode (emoji, right-to-left marks) passes unchanged.
    """

    def __init__(self, max_length: int, *, required_text: bool = False, **kwargs: Any) -> None:
        length = validate.Length(min=1 if required_text else 0, max=max_length)
        checks: list[Callable[[Any], Any]] = [length, _storable]
        super().__init__(validate=checks, **kwargs)


class Moment(fields.AwareDateTime):
    """An aware date-time within plausible years."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=_plausible, **kwargs)


class _Lenient(Schema):
    class Meta:
        # Fields the system adds later must not break the bridge (forward compatibility).
        unknown = EXCLUDE


class AuthorSchema(_Lenient):
    """``author``: the citizen's display name and profile link."""

    name = Text(CARD_LIMITS.author_name, required=True)
    profile_url = Text(CARD_LIMITS.url, allow_none=True, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Author:
        return Author(name=data["name"], profile_url=data["profile_url"] or None)


class FollowUpSchema(_Lenient):
    """One of ``follow_ups``: what the author wrote later in the thread."""

    id = Text(CARD_LIMITS.external_id, required_text=True, required=True)
    text = Text(CARD_LIMITS.text, required=True)
    created_at = Moment(required=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> AuthorMessage:
        return AuthorMessage(
            external_id=data["id"], text=data["text"], created_at=_utc(data["created_at"])
        )


class ApprovalSchema(_Lenient):
    """``approval``: the regional authority's latest decision on the draft sent up (Luga)."""

    decision = fields.Enum(ApprovalVerdict, by_value=True, required=True)
    decided_at = Moment(required=True)
    comment = Text(CARD_LIMITS.text, allow_none=True, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> ApprovalDecision:
        return ApprovalDecision(
            verdict=data["decision"],
            decided_at=_utc(data["decided_at"]),
            comment=data["comment"] or "",
        )


class PlatformField(fields.Field[Platform]):
    """A platform code; codes the bridge does not know yet become ``Platform.OTHER``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Platform:
        if not isinstance(value, str) or not value:
            raise ValidationError("Not a valid platform code.")
        try:
            return Platform(value)
        except ValueError:
            return Platform.OTHER


class IncidentSchema(_Lenient):
    """One incident card of ``GET /api/v1/incidents``."""

    id = Text(CARD_LIMITS.external_id, required_text=True, required=True)
    number = Text(CARD_LIMITS.number, required_text=True, required=True)
    revision = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_REVISION)
    )
    created_at = Moment(required=True)
    detected_at = Moment(required=True)
    text = Text(CARD_LIMITS.text, required=True)
    author = fields.Nested(AuthorSchema, required=True)
    platform = PlatformField(required=True)
    post_url = Text(CARD_LIMITS.url, allow_none=True, load_default=None)
    municipality = Text(CARD_LIMITS.municipality, required=True)
    topic_group = Text(CARD_LIMITS.topic, required=True)
    topic = Text(CARD_LIMITS.topic, required=True)
    importance = fields.Enum(Importance, by_value=True, required=True)
    attachments = fields.List(
        Text(CARD_LIMITS.url),
        load_default=list,
        validate=validate.Length(max=CARD_LIMITS.attachments),
    )
    step = Text(CARD_LIMITS.step, allow_none=True, load_default=None)
    follow_ups = fields.List(
        fields.Nested(FollowUpSchema),
        load_default=list,
        validate=validate.Length(max=CARD_LIMITS.follow_ups),
    )
    feedback = fields.Enum(Feedback, by_value=True, allow_none=True, load_default=None)
    approval = fields.Nested(ApprovalSchema, allow_none=True, load_default=None)
    extra = fields.Dict(
        keys=Text(CARD_LIMITS.extra_key),
        values=Text(CARD_LIMITS.extra_value),
        load_default=dict,
        validate=validate.Length(max=CARD_LIMITS.extra_entries),
    )

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> IncidentCard:
        return IncidentCard(
            external_id=data["id"],
            number=data["number"],
            created_at=_utc(data["created_at"]),
            detected_at=_utc(data["detected_at"]),
            text=data["text"],
            author=data["author"],
            platform=data["platform"],
            post_url=data["post_url"] or None,
            municipality=data["municipality"],
            topic_group=data["topic_group"],
            topic=data["topic"],
            importance=data["importance"],
            revision=data["revision"],
            attachments=tuple(data["attachments"]),
            step=data["step"],
            feedback=data["feedback"],
            follow_ups=tuple(data["follow_ups"]),
            extra=dict(data["extra"]),
            approval=data["approval"],
        )


class PageSchema(_Lenient):
    """The envelope of a page; its items are validated one by one afterwards."""

    items = fields.List(fields.Raw(allow_none=True), required=True)
    next_cursor = fields.String(allow_none=True, load_default=None)
    has_more = fields.Boolean(required=True)


class PageEnvelope(TypedDict):
    """What ``PageSchema`` loads: the raw items and the paging fields."""

    items: list[Any]  # raw JSON, validated record by record
    next_cursor: str | None
    has_more: bool


class DeliverySchema(_Lenient):
    """The answer to a reply or a redirect."""

    id = fields.String(required=True, validate=_TEXT)
    created_at = fields.AwareDateTime(allow_none=True, load_default=None)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Delivery:
        accepted = data["created_at"]
        return Delivery(remote_id=data["id"], accepted_at=_utc(accepted) if accepted else None)


class TokenSchema(_Lenient):
    """The answer of ``POST /api/v1/auth/token``."""

    access_token = fields.String(required=True, validate=_TEXT)
    token_type = fields.String(load_default="Bearer")
    expires_in = fields.Integer(allow_none=True, load_default=None)


class TokenAnswer(TypedDict):
    """What ``TokenSchema`` loads."""

    access_token: str
    token_type: str
    expires_in: int | None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# marshmallow's messages, as an admin reads them on the quarantine list.
_RUSSIAN = (
    (re.compile(r"^Missing data for required field\.$"), "обязательное поле отсутствует"),
    (re.compile(r"^Field may not be null\.$"), "не может быть пустым (null)"),
    (re.compile(r"^Not a valid string\.$"), "должно быть строкой"),
    (re.compile(r"^Not a valid integer\.$"), "должно быть целым числом"),
    (re.compile(r"^Not a valid boolean\.$"), "должно быть true или false"),
    (re.compile(r"^Not a valid list\.$"), "должно быть списком"),
    (re.compile(r"^Not a valid mapping type\.$"), "должно быть объектом"),
    (re.compile(r"^Invalid input type\.$"), "должно быть объектом"),
    (re.compile(r"^Not a valid datetime\.$"), "не дата и время ISO 8601"),
    (re.compile(r"^Not a valid aware datetime\.$"), "дата и время без часового пояса"),
    (re.compile(r"^Not a valid platform code\.$"), "не код площадки"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "длина от \\1 до \\2 знаков"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "короче \\1 знаков"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "длиннее \\1 знаков"),
    (re.compile(r"^Must be one of: (.*)\.$"), "одно из: \\1"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     "число от \\1 до \\2"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "не меньше \\1"),
)  # fmt: skip


def _in_russian(message: str) -> str:
    for pattern, russian in _RUSSIAN:
        if pattern.match(message):
            return pattern.sub(russian, message)
    return message


def describe_errors(messages: object, path: str = "") -> str:
    """Flatten marshmallow's nested error messages into ``author.name: сообщение; ...`` in Russian."""
    if isinstance(messages, dict):
        return "; ".join(
            describe_errors(v, f"{path}.{k}" if path else str(k)) for k, v in messages.items()
        )
    if isinstance(messages, list):
        return "; ".join(describe_errors(m, path) for m in messages)
    text = _in_russian(str(messages))
    return f"{path}: {text}" if path else text


#: One schema for every record: marshmallow's schemas keep no state between loads, and
#: building one (with its nested fields) costs more than loading a record with it.
_INCIDENT = IncidentSchema()


def parse_record(item: object) -> IncidentCard | RejectedRecord:
    """One record of a page: a card, or a rejection that keeps the raw JSON and the reason."""
    if not isinstance(item, dict):
        return RejectedRecord(external_id=None, raw=_raw(item), reason="record is not a JSON object")
    try:
        card: IncidentCard = _INCIDENT.load(item)  # its post_load makes the card
    except ValidationError as exc:
        ident = item.get("id")
        recovered = str(ident) if isinstance(ident, str | int) and str(ident) else None
        return RejectedRecord(
            external_id=recovered, raw=_raw(item), reason=describe_errors(exc.messages)
        )
    return card


def _raw(item: object) -> str:
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


def parse_page(payload: object) -> IncidentPage:
    """A page of changes; raises ``ValidationError`` only when the envelope itself is broken."""
    if not isinstance(payload, dict):
        raise ValidationError("page is not a JSON object")
    envelope: PageEnvelope = PageSchema().load(payload)
    cards: list[IncidentCard] = []
    rejected: list[RejectedRecord] = []
    seen: set[tuple[str, int]] = set()
    for item in envelope["items"]:
        record = parse_record(item)
        if isinstance(record, RejectedRecord):
            rejected.append(record)
        elif (record.external_id, record.revision) not in seen:
            # An exact repeat of a revision carries nothing new; other duplicates and
            # out-of-order revisions are left to the sync, which keeps the newest.
            seen.add((record.external_id, record.revision))
            cards.append(record)
    return IncidentPage(
        cards=tuple(cards),
        rejected=tuple(rejected),
        next_cursor=envelope["next_cursor"],
        has_more=envelope["has_more"],
    )


def parse_delivery(payload: Any) -> Delivery:
    """The answer to a reply or a redirect; raises ``ValidationError`` if it cannot be read."""
    delivery: Delivery = DeliverySchema().load(payload)  # its post_load makes the Delivery
    return delivery


def parse_token(payload: Any) -> str:
    """The access token of a token answer; raises ``ValidationError`` if there is none."""
    answer: TokenAnswer = TokenSchema().load(payload)
    return answer["access_token"]
