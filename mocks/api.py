"""The public API of the mock incident system, ``/api/v1`` (see docs/incident-api.md)."""

from __future__ import annotations

import base64
import binascii
import hmac
import time
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from mocks.faults import FaultInjector, FaultPlan
from mocks.state import MockError, MockState

bp = Blueprint("mock_api", __name__, url_prefix="/api/v1")

MAX_LIMIT = 500
MAX_TEXT = 4096
# The contract's limit of a reply per platform (docs/incident-api.md): shorter on these.
PLATFORM_TEXT_LIMITS = {"instagram": 2200, "twitter": 280}
REPLY_KINDS = ("answer", "interim", "clarification")


def _state() -> MockState:
    return current_app.extensions["incident_mock"]["state"]


def _faults() -> FaultInjector:
    return current_app.extensions["incident_mock"]["faults"]


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The one error body of the API: ``{"error": code, "message": text}``."""
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(MockError)
def _mock_error(exc: MockError) -> Response:
    return error_response(exc.status, exc.code, exc.message)


def encode_cursor(seq: int) -> str:
    """An opaque cursor over the global change sequence."""
    return base64.urlsafe_b64encode(f"c1:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The change sequence a cursor stands for; ``MockError`` 400 when it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, seq = raw.split(":")
        if prefix != "c1" or int(seq) < 0:
            raise ValueError(raw)
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise MockError(400, "invalid_cursor", "Курсор не распознан.") from None


def _guard(endpoint: str, *, authenticated: bool = True) -> FaultPlan:
    """Apply latency, authentication and the faults that strike before the effect."""
    plan = _faults().plan(endpoint)
    if plan.latency:
        time.sleep(plan.latency)
    if authenticated:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        problem = _state().check_token(token)
        if problem is None and plan.token_expired:
            _state().expire_tokens(token)
            problem = "token_expired"
        if problem is not None:
            raise _Unauthorized(problem)
    if plan.retry_after is not None:
        raise _RateLimited(plan.retry_after)
    if plan.fails_before_effect:
        _fail(plan)
    return plan


def _fail(plan: FaultPlan) -> None:
    if plan.timeout is not None:
        time.sleep(plan.timeout)  # longer than the client waits: it sees a read timeout
        raise MockError(504, "timeout", "Система не ответила вовремя.")
    status = plan.error_status or 500
    raise MockError(status, "internal_error" if status == 500 else "unavailable", "Сбой системы.")


class _Unauthorized(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@bp.errorhandler(_Unauthorized)
def _unauthorized(exc: _Unauthorized) -> Response:
    messages = {
        "missing_token": "Нужен заголовок Authorization: Bearer <token>.",
        "invalid_token": "Токен не распознан.",
        "token_expired": "Срок действия токена истёк, получите новый.",
    }
    challenge = f'Bearer error="{exc.code}"'
    return error_response(401, exc.code, messages[exc.code], {"WWW-Authenticate": challenge})


@bp.errorhandler(_RateLimited)
def _rate_limited(exc: _RateLimited) -> Response:
    return error_response(
        429, "rate_limited", "Слишком много запросов.", {"Retry-After": str(exc.retry_after)}
    )


@bp.get("/ping")
def ping() -> Response:
    """Liveness check; needs no token."""
    return jsonify({"status": "ok"})


@bp.get("/openapi.yaml")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    text = resources.files("mocks").joinpath("openapi.yaml").read_text(encoding="utf-8")
    return Response(text, mimetype="application/yaml")


@bp.post("/auth/token")
def token() -> Response:
    """Exchange client credentials for a bearer token (JSON or form body)."""
    _guard("token", authenticated=False)
    body: Any = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(body, "get"):
        body = {}
    config = current_app.config
    client_id = str(body.get("client_id") or "")
    secret = str(body.get("client_secret") or "")
    if not (
        hmac.compare_digest(client_id.encode(), config["MOCK_CLIENT_ID"].encode())
        and hmac.compare_digest(secret.encode(), config["MOCK_CLIENT_SECRET"].encode())
    ):
        return error_response(401, "invalid_client", "Неверный client_id или client_secret.")
    return jsonify(
        {
            "access_token": _state().issue_token(),
            "token_type": "Bearer",
            "expires_in": int(_state().token_ttl),
        }
    )


@bp.get("/incidents")
def incidents() -> Response:
    """Incidents changed after the cursor, in change order."""
    _guard("fetch")
    raw_limit = request.args.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise MockError(400, "invalid_limit", f"limit: целое число от 1 до {MAX_LIMIT}.")
    cursor = request.args.get("cursor")
    after = decode_cursor(cursor) if cursor else 0
    items, last, has_more = _state().page(after, int(raw_limit))
    records = _faults().distort_page(items, _state().older_revision)
    if items and _faults().repeat_page():
        last, has_more = after, True
    return jsonify({"items": records, "next_cursor": encode_cursor(last), "has_more": has_more})


@bp.get("/incidents/<ident>")
def incident(ident: str) -> Response:
    """One incident's current revision."""
    _guard("fetch")
    return jsonify(_state().get(ident))


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise MockError(400, "invalid_json", "Тело запроса должно быть JSON-объектом.")
    return body


def _check_platform_limit(ident: str, text: str) -> None:
    """A reply longer than the incident's platform accepts is refused (the contract's table)."""
    platform = str(_state().get(ident).get("platform", ""))
    limit = PLATFORM_TEXT_LIMITS.get(platform, MAX_TEXT)
    if len(text) > limit:
        raise MockError(
            422, "validation_failed", f"text: не длиннее {limit} символов для площадки {platform}"
        )


def _check_fields(body: dict[str, Any], required: dict[str, tuple[str, ...] | None]) -> None:
    """Required non-empty strings (optionally from a set); ``signed_by`` may be null."""
    allowed = set(required) | {"signed_by"}
    problems = [f"{key}: неизвестное поле" for key in sorted(set(body) - allowed)]
    for key, choices in required.items():
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key}: обязательная непустая строка")
        elif len(value) > MAX_TEXT:
            problems.append(f"{key}: не длиннее {MAX_TEXT} символов")
        elif choices and value not in choices:
            problems.append(f"{key}: одно из {', '.join(choices)}")
    signed_by = body.get("signed_by")
    if signed_by is not None and not isinstance(signed_by, str):
        problems.append("signed_by: строка или null")
    if problems:
        raise MockError(422, "validation_failed", "; ".join(problems))


def _push(
    endpoint: str,
    ident: str,
    required: dict[str, tuple[str, ...] | None],
    *,
    platform_limit: bool = False,
) -> Response:
    plan = _guard(endpoint)
    _state().count(f"{endpoint}_received")
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 255:
        raise MockError(400, "missing_idempotency_key", "Нужен заголовок Idempotency-Key.")
    body = _json_object()
    _check_fields(body, required)
    if platform_limit:
        _check_platform_limit(ident, str(body["text"]))
    body.setdefault("signed_by", None)
    status, result = _state().apply(endpoint, ident, key, body)
    if plan.after_effect and (plan.error_status is not None or plan.timeout is not None):
        # The nasty real-world case: the effect is stored, yet the client sees a failure.
        if plan.timeout is not None:
            time.sleep(plan.timeout)
        else:
            _fail(plan)
    response = jsonify(result)
    response.status_code = status
    return response


@bp.post("/incidents/<ident>/replies")
def replies(ident: str) -> Response:
    """Publish an answer, interim answer or clarification request; idempotent by key."""
    return _push("replies", ident, {"kind": REPLY_KINDS, "text": None}, platform_limit=True)


@bp.post("/incidents/<ident>/approvals")
def approvals(ident: str) -> Response:
    """Send a draft up for the regional authority's approval; idempotent by key."""
    return _push("approvals", ident, {"text": None})


@bp.post("/incidents/<ident>/redirects")
def redirects(ident: str) -> Response:
    """Send the incident back as out of competence, with the reason; idempotent by key."""
    return _push("redirects", ident, {"reason": None})
