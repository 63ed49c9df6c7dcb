"""The API's marshmallow schemas: what it reads (validated against what can be stored) and returns."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from incident_bridge.domain.model import DraftKind, Platform
from incident_bridge.domain.regulations import Combiner, PartsMode
from incident_bridge.domain.workflow import Role, Status
from incident_bridge.services import queries
from incident_bridge.services.webhooks import EVENTS as WEBHOOK_EVENTS

MAX_TEXT = 20_000  # the longest reply a platform takes is far shorter; the use cases check it
MAX_REASON = 2_000
_ID = validate.Range(min=1, max=2**31 - 1)


class Strict(ma.Schema):
    """Unknown fields are refused, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


# --- reading ---------------------------------------------------------------------------


class IncidentQuery(Strict):
    status = fields.String(
        load_default=queries.OPEN,
        validate=validate.OneOf([queries.OPEN, "all", *[s.value for s in Status]]),
        metadata={"description": "open (в работе, по умолчанию), all или состояние"},
    )
    subdivision = fields.Integer(validate=_ID, metadata={"description": "id подразделения"})
    platform = fields.String(validate=validate.OneOf([p.value for p in Platform]))
    q = fields.String(validate=validate.Length(max=queries.MAX_QUERY_LENGTH),
                      metadata={"description": "Поиск по тексту, автору и номеру"})  # fmt: skip
    mine = fields.Boolean(load_default=False, metadata={"description": "Только мои (исполнитель)"})
    sort = fields.String(load_default=queries.Sort.DUE.value,
                         validate=validate.OneOf([s.value for s in queries.Sort]))  # fmt: skip
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]))
    cursor = fields.String(validate=validate.Length(max=500),
                           metadata={"description": "next_cursor предыдущей страницы"})  # fmt: skip
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RouteBody(Strict):
    subdivision_id = fields.Integer(required=True, validate=_ID)
    assignee_id = fields.Integer(validate=_ID, allow_none=True,
                                 metadata={"description": "Исполнитель; по умолчанию — первый присутствующий"})  # fmt: skip
    comment = fields.String(validate=validate.Length(max=MAX_REASON), allow_none=True)


class ReasonBody(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))


class BodiesBody(Strict):
    bodies = fields.List(fields.Integer(validate=_ID), required=True,
                         validate=validate.Length(min=2, max=20),
                         metadata={"description": "Подразделения по порядку"})  # fmt: skip
    mode = fields.String(required=True, validate=validate.OneOf([m.value for m in PartsMode]))
    combiner = fields.String(validate=validate.OneOf([c.value for c in Combiner]), allow_none=True)
    comment = fields.String(validate=validate.Length(max=MAX_REASON), allow_none=True)


class DraftBody(Strict):
    kind = fields.String(load_default=DraftKind.ANSWER.value,
                         validate=validate.OneOf([k.value for k in DraftKind]))  # fmt: skip
    text = fields.String(required=True, validate=validate.Length(max=MAX_TEXT))


class ApproveBody(Strict):
    override_reason = fields.String(validate=validate.Length(max=MAX_REASON), allow_none=True,
                                    metadata={"description": "Почему одобрено вопреки проверкам"})  # fmt: skip


class ReportQuery(Strict):
    period = fields.String(validate=validate.Length(max=40),
                           metadata={"description": "2026-10, 2026-Q4 или 2026-10-01..2026-10-31"})  # fmt: skip


class CalendarQuery(Strict):
    year = fields.Integer(required=True, validate=validate.Range(min=2020, max=2035))


class NewSubdivision(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NewPerson(Strict):
    login = fields.String(required=True, validate=validate.Length(min=1, max=80))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    subdivision_id = fields.Integer(validate=_ID, allow_none=True)
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=200)
    )


class PersonChange(Strict):
    active = fields.Boolean(required=True)


# --- answers ---------------------------------------------------------------------------


class Ref(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class Clock(ma.Schema):
    name = fields.String()
    label = fields.String()
    who = fields.String()
    state = fields.String()
    started_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    stopped_at = fields.DateTime(allow_none=True)
    paused = fields.Boolean()
    left_minutes = fields.Integer(allow_none=True)
    clause = fields.String()


class DraftOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    text = fields.String()
    author = fields.String()
    subdivision_id = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    review_comment = fields.String(allow_none=True)
    checks_failed = fields.Integer(allow_none=True)
    check_report = fields.Dict(allow_none=True, metadata={"description": "Результаты проверок"})


class EventOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    at = fields.DateTime()
    actor = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)


class DeliveryOut(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    remote_id = fields.String(allow_none=True)


class PartOut(ma.Schema):
    id = fields.Integer()
    subdivision = fields.Nested(Ref)
    position = fields.Integer()
    state = fields.String()
    text = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    comment = fields.String(allow_none=True)


class IncidentOut(ma.Schema):
    id = fields.Integer()
    number = fields.String()
    external_id = fields.String()
    platform = fields.String()
    status = fields.String()
    status_label = fields.String()
    subdivision = fields.Nested(Ref, allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    text = fields.String()
    topic = fields.String()
    municipality = fields.String()
    created_at = fields.DateTime()
    detected_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True, metadata={"description": (
        "Ближайший срок из идущих часов (по нему сортирует очередь); у нового сообщения это "
        "и срок перенаправления с причиной (30 минут). Какой это срок — в clocks сообщения"
    )})  # fmt: skip
    version = fields.Integer(metadata={"description": "Версия: ETag и If-Match"})


class IncidentDetail(IncidentOut):
    post_url = fields.String(allow_none=True)
    author_url = fields.String(allow_none=True)
    allowed_actions = fields.List(fields.String())
    clocks = fields.List(fields.Nested(Clock))
    drafts = fields.List(fields.Nested(DraftOut))
    history = fields.List(fields.Nested(EventOut))
    deliveries = fields.List(fields.Nested(DeliveryOut))
    parts = fields.List(fields.Nested(PartOut))


class IncidentList(ma.Schema):
    items = fields.List(fields.Nested(IncidentOut))
    total = fields.Integer(metadata={"description": "Сколько сообщений под фильтром"})
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "null: страниц больше нет"}
    )


class ScaffoldOut(ma.Schema):
    text = fields.String()


class SimilarOut(ma.Schema):
    draft_id = fields.Integer()
    incident_id = fields.Integer()
    number = fields.String()
    message = fields.String()
    reply = fields.String()


class PersonOut(ma.Schema):
    id = fields.Integer()
    login = fields.String()
    full_name = fields.String()
    role = fields.String()
    subdivision_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    email = fields.String(allow_none=True)


class SubdivisionOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    active = fields.Boolean()


class DayOut(ma.Schema):
    date = fields.Date()
    working_minutes = fields.Integer()
    kind = fields.String(metadata={"description": "working, short, off или override"})


class MonthOut(ma.Schema):
    month = fields.Integer()
    name = fields.String()
    working_days = fields.Integer()
    working_hours = fields.Float()
    days = fields.List(fields.Nested(DayOut))


class CalendarOut(ma.Schema):
    year = fields.Integer()
    profile = fields.String()
    months = fields.List(fields.Nested(MonthOut))


class FigureOut(ma.Schema):
    clock = fields.String()
    label = fields.String()
    count = fields.Integer()
    on_time = fields.Integer()
    median_minutes = fields.Integer()
    p90_minutes = fields.Integer()


class BodyOut(ma.Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String()
    arrived = fields.Integer()
    answered = fields.Integer()
    returns = fields.Integer()
    checks_failed = fields.Integer()
    overrides = fields.Integer()


class ReportOut(ma.Schema):
    title = fields.String()
    period = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    generated_at = fields.DateTime()
    arrived = fields.Integer()
    overdue_now = fields.Integer()
    clocks = fields.List(fields.Nested(FigureOut))
    bodies = fields.List(fields.Nested(BodyOut))


class PhraseQuery(Strict):
    subdivision = fields.Integer(
        validate=_ID, metadata={"description": "Только этого подразделения и общие"}
    )


class PhraseBody(Strict):
    subdivision_id = fields.Integer(validate=_ID, allow_none=True, load_default=None,
                                    metadata={"description": "null: для всех подразделений"})  # fmt: skip
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class PhraseOut(ma.Schema):
    id = fields.Integer()
    subdivision_id = fields.Integer(allow_none=True)
    title = fields.String()
    text = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)
    archived_at = fields.DateTime(allow_none=True)


class WebhookBody(Strict):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(list(WEBHOOK_EVENTS))),
                         required=True, validate=validate.Length(min=1, max=len(WEBHOOK_EVENTS)))  # fmt: skip
    description = fields.String(load_default="", validate=validate.Length(max=500))


class WebhookOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    created_at = fields.DateTime()
    deactivated_at = fields.DateTime(allow_none=True)
    pending = fields.Integer()
    failed = fields.Integer()
    delivered = fields.Integer()


class NewWebhookOut(WebhookOut):
    secret = fields.String(metadata={"description": "Ключ подписи: показан один раз"})
