"""The API's machinery: the flask-smorest ``Api``, token sign-in, the rate limit, problems, ETags.

Every request of ``/api/v1`` but the document and its docs page carries
``Authorization: Bearer <token>``; the token acts as its owner (``g._login_user``,
so ``current_user`` is the owner), never through the session cookie, so the API
needs no CSRF token and a browser's cookie opens nothing here. Errors are RFC 9457
``application/problem+json`` with a Russian ``detail``.
"""

from __future__ import annotations

import http
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import marshmallow as ma
from flask import Flask, Response, current_app, g, json, request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from limits import parse
from werkzeug.exceptions import HTTPException, default_exceptions

from incident_bridge.domain.errors import (
    BridgeError,
    ConcurrentUpdate,
    IllegalTransition,
    IncidentSystemError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StorageError,
)
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services import api_tokens
from incident_bridge.services.actors import Actor, actor_for
from incident_bridge.services.context import Context
from incident_bridge.state import bridge_state

PROBLEM = "application/problem+json"
F = TypeVar("F", bound=Callable[..., Any])

#: The Russian words for the statuses the API answers with (the problem's ``title``).
TITLES = {
    400: "Неверный запрос",
    401: "Нужен API-токен",
    403: "Недостаточно прав",
    404: "Не найдено",
    405: "Метод не поддерживается",
    409: "Действие невозможно в текущем состоянии",
    412: "Версия устарела",
    413: "Слишком большой запрос",
    415: "Неподдерживаемый тип содержимого",
    422: "Данные не прошли проверку",
    428: "Нужен заголовок If-Match",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
    502: "Система Инцидент не ответила",
}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: what went wrong, in Russian, and (on validation) which fields."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String(metadata={"description": "The status in Russian"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status"})
    detail = ma.fields.String(metadata={"description": "What happened, in Russian"})
    instance = ma.fields.String(metadata={"description": "The request's path"})
    errors = ma.fields.Dict(metadata={"description": "Field → messages (validation)"})


class BridgeApi(Api):
    """flask-smorest's ``Api`` answering problems, and only on the API's own blueprints."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Not app-wide: the pages keep their Russian HTML error pages (see ``problem_handlers``)."""

    def _register_responses(self) -> None:
        """The error responses of the document, as ``application/problem+json``."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": TITLES.get(status.value, status.phrase)}
            if status >= 400:
                response["content"] = {PROBLEM: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Ошибка", "content": {PROBLEM: {"schema": self.ERROR_SCHEMA}}}
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def problem(status: int, detail: str, *, errors: Any = None, headers: Any = None) -> Response:
    """An RFC 9457 response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, http.HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM)  # fmt: skip
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


STALE = (
    "Сообщение уже изменил другой сотрудник: получите его заново (GET) и повторите с новым ETag."
)

#: Our errors → HTTP statuses (the first base class that matches wins).
STATUS_OF: list[tuple[type[BridgeError], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (ConcurrentUpdate, 412),
    (IllegalTransition, 409),
    (InvalidInput, 422),
    (IncidentSystemError, 502),
]


def bridge_problem(error: BridgeError) -> Response:
    """A use case's refusal as a problem, in the words the pages show."""
    if isinstance(error, StorageError):
        return problem(409 if error.conflict else 422, error.user_message)
    if isinstance(error, ConcurrentUpdate) and error.user_message == ConcurrentUpdate.user_message:
        return problem(412, STALE)  # the pages' words say «обновите страницу»
    status = next((code for kind, code in STATUS_OF if isinstance(error, kind)), 409)
    return problem(status, error.user_message)


def http_problem(error: HTTPException) -> Response:
    """Flask's and webargs' errors (a bad query, a missing body) as problems."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if status == 422:
        return problem(422, "Поля запроса не прошли проверку: см. errors.", errors=russian(errors))
    if status == 400 and errors:
        return problem(400, "Тело запроса — не JSON: проверьте синтаксис.", errors=russian(errors))
    detail = (
        {
            404: "Такого адреса в API нет.",
            405: "Этот метод для этого адреса не поддерживается.",
            413: "Запрос слишком большой.",
            415: "Тело запроса должно быть JSON (Content-Type: application/json).",
        }.get(status)
        or _own_description(error)
        or TITLES.get(status, "Ошибка.")
    )
    headers = data.get("headers") or {}
    if status == 405 and error.get_headers():
        headers = {**headers, **dict(error.get_headers())}
        headers.pop("Content-Type", None)
    return problem(status, detail, errors=errors, headers=headers)


#: marshmallow's and webargs' messages in Russian (the rest are ours already).
MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r) for p, r in (
        (r"^Missing data for required field\.$", "Обязательное поле."),
        (r"^Unknown field\.$", "Неизвестное поле."),
        (r"^Field may not be null\.$", "Поле не может быть null."),
        (r"^Not a valid integer\.$", "Нужно целое число."),
        (r"^Not a valid string\.$", "Нужна строка."),
        (r"^Not a valid boolean\.$", "Нужно true или false."),
        (r"^Not a valid list\.$", "Нужен список."),
        (r"^Invalid input type\.$", "Неверный тип значения."),
        (r"^Invalid JSON body\.$", "Тело запроса — не JSON."),
        (r"^Must be one of: (.*)\.$", r"Допустимые значения: \1."),
        (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
         r"Число от \1 до \2."),
        (r"^Must be greater than or equal to (\S+)\.$", r"Число не меньше \1."),
        (r"^Length must be between (\S+) and (\S+)\.$", r"Длина от \1 до \2."),
        (r"^Shorter than minimum length (\S+)\.$", r"Короче \1."),
        (r"^Longer than maximum length (\S+)\.$", r"Длиннее \1."),
    )
]  # fmt: skip


def russian(errors: Any) -> Any:
    """The same errors, each known message in Russian (field names stay as sent)."""
    if isinstance(errors, dict):
        return {key: russian(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [russian(value) for value in errors]
    if isinstance(errors, str):
        for pattern, replacement in MESSAGES:
            if pattern.match(errors):
                return pattern.sub(replacement, errors)
    return errors


def _own_description(error: HTTPException) -> str | None:
    """Our own exceptions' Russian description (werkzeug's are English)."""
    return error.description if isinstance(error, PreconditionRequired) else None


def internal_problem(error: Exception) -> Response:
    current_app.logger.exception("API request failed", exc_info=error)
    return problem(500, "Внутренняя ошибка сервера; она записана в журнал.")


def answer_unknown_paths(app: Flask, base: str) -> None:
    """A URL under the API that no route takes (``/api/v1/nothing``, a negative id) gets a
    problem, not the pages' HTML; every other URL keeps the app's own handler."""
    for code in (404, 405):
        previous = app.error_handler_spec[None][code].get(HTTPException) or next(
            iter(app.error_handler_spec[None][code].values()), None
        )

        def handle(error: HTTPException, previous: Any = previous) -> Any:
            if request.path == base or request.path.startswith(base + "/"):
                return http_problem(error)
            return previous(error) if previous is not None else error

        app.register_error_handler(code, handle)


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A resource's blueprint: token sign-in first, problems for every error."""
    bp = Blueprint(name, import_name, description=description)
    bp.before_request(sign_in)
    bp.register_error_handler(BridgeError, bridge_problem)
    bp.register_error_handler(HTTPException, http_problem)
    # By code too: Flask prefers the app's handler of a code (its HTML pages) to ours by class.
    for code in default_exceptions:
        bp.register_error_handler(code, http_problem)
    bp.register_error_handler(Exception, internal_problem)
    return bp


def problems(bp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the problems an operation of ``bp`` may answer with."""

    def decorator(view: F) -> F:
        for code in codes:
            view = bp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorator


def sign_in() -> Response | None:
    """Take the request's token: unknown, expired or revoked → 401; over its limit → 429."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    unauthorized = {"WWW-Authenticate": 'Bearer realm="incident-bridge"'}
    if scheme.lower() != "bearer" or not token.strip():
        return problem(401, "Передайте API-токен в заголовке Authorization: Bearer <токен>.",
                       headers=unauthorized)  # fmt: skip
    state = bridge_state(current_app)
    found = api_tokens.authenticate(state.unit_of_work(), token.strip(), now())
    if found is None:
        return problem(401, "Токен неизвестен, истёк или отозван, или доступ владельца отключён.",
                       headers={**unauthorized, "WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
    row, user = found
    wait = _over_limit(row.id)
    if wait is not None:
        return problem(429, f"Превышен лимит запросов токена; повторите через {wait} с.",
                       headers={"Retry-After": str(wait)})  # fmt: skip
    g._login_user = user  # Flask-Login's current_user, for this request only
    g.incident_bridge_api_token = row.id
    return None


def _over_limit(token_id: int) -> int | None:
    """Count one request of the token; seconds to wait if it is over the limit."""
    state = bridge_state(current_app)
    strategy = state.throttle.limiter.limiter
    limit = parse(state.settings.api_rate_limit)
    key = f"api-token:{token_id}"
    if strategy.hit(limit, key):
        return None
    reset = strategy.get_window_stats(limit, key).reset_time
    return max(1, int(reset - datetime.now(UTC).timestamp()) + 1)


def roles(*allowed: str) -> Callable[[F], F]:
    """Refuse (403, in Russian) a token whose owner's role is not in ``allowed``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                return problem(403, "Это действие недоступно для вашей роли.")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def if_match() -> int:
    """The version the client last saw (``If-Match``): required for every change of a message."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or len(tag) > 9:
        raise ConcurrentUpdate("If-Match не совпадает с версией сообщения: получите его заново.")
    return int(tag)


class PreconditionRequired(HTTPException):
    code = 428
    description = "Укажите заголовок If-Match с ETag сообщения из его последнего GET."


def etag(version: int) -> str:
    return f'"{version}"'


def now() -> datetime:
    """The current instant (UTC); the one place the API reads the clock."""
    return datetime.now(UTC)


def uow() -> SqlAlchemyUnitOfWork:
    return bridge_state(current_app).unit_of_work()


def ctx() -> Context:
    return bridge_state(current_app).context


def session() -> Any:
    return bridge_state(current_app).session()


def actor() -> Actor:
    return actor_for(current_user)


def kick() -> None:
    """Ask the jobs to push the outbox now (a step that sends something)."""
    bridge_state(current_app).kick()
