"""Russian error pages (403, 404, 405, 500) for the bridge's pages and, by default, the whole app.

A 500 page never shows the exception: the exception goes to the log, the person reads
what to do. JSON endpoints (``/healthz``) answer errors in JSON.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from incident_bridge.state import bridge_state
from incident_bridge.web import security_headers

log = logging.getLogger(__name__)

#: What a person reads on each error page.
MESSAGES = {
    403: "Недостаточно прав для этого действия или сообщения.",
    404: "Страница или сообщение не найдены. Проверьте адрес или вернитесь к очереди сообщений.",
    405: "Этот адрес так не открывается: действие выполняется кнопкой на странице. "
    "Вернитесь на страницу и повторите действие.",
    500: "На сервере произошла ошибка, она записана в журнал. "
    "Повторите действие позже; если ошибка повторится, сообщите администратору.",
}
TITLES = {
    403: "Доступ запрещён",
    404: "Страница не найдена",
    405: "Действие недоступно по этому адресу",
    500: "Внутренняя ошибка сервера",
}
#: Codes the app-wide handlers cover (``INCIDENT_BRIDGE_ERROR_PAGES``).
APP_WIDE = (404, 405, 500)
#: Blueprints whose views answer JSON, so their errors are JSON too.
JSON_BLUEPRINTS = frozenset({"incident_bridge_health"})

# The page of last resort: no template, no database, no layout that could fail again.
_BARE_500 = (
    '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
    "<title>Ошибка 500 — incident-bridge</title></head><body>"
    f"<h1>Ошибка 500. {TITLES[500]}</h1><p>{MESSAGES[500]}</p></body></html>"
)


def register_blueprint_pages(bp: Blueprint) -> None:
    """Russian 403, 404, 405 and 500 pages for the views of one of the bridge's blueprints."""
    for code in (403, 404, 405):
        bp.register_error_handler(code, error_page)
    bp.register_error_handler(500, server_error)


def register_app_pages(app: Flask) -> None:
    """Russian 404, 405 and 500 pages for every URL of ``app`` (unknown ones included)."""
    for code in (404, 405):
        app.register_error_handler(code, error_page)
    app.register_error_handler(500, server_error)


def error_page(error: HTTPException) -> Any:
    """The Russian page (or JSON) for a 4xx error."""
    security_headers.claim()
    code = error.code or 500
    if _wants_json(error):
        return _json(code, error), code, _headers(error)
    page = render_template(
        "incident_bridge/error.html",
        code=code,
        title=TITLES.get(code, "Ошибка"),
        message=MESSAGES.get(code, "Запрос не выполнен."),
    )
    return page, code, _headers(error)


def server_error(error: HTTPException) -> Any:
    """Log the exception behind a 500; show a Russian page without any of its text."""
    security_headers.claim()
    original = getattr(error, "original_exception", None) or error
    log.error(
        "unhandled error in %s %s",
        request.method,
        request.path,
        exc_info=(type(original), original, original.__traceback__),
        extra={"method": request.method, "path": request.path, "endpoint": request.endpoint},
    )
    if _wants_json(error):
        return _json(500, error), 500
    try:
        # A failed statement leaves the transaction aborted; the page's own queries need a new one.
        bridge_state(current_app).session().rollback()
        page = render_template(
            "incident_bridge/error.html", code=500, title=TITLES[500], message=MESSAGES[500]
        )
    except Exception:  # the layout itself failed (the database is down…): still say it in Russian
        log.exception("the error page could not be rendered")
        return _BARE_500, 500
    return page, 500


def _json(code: int, error: HTTPException) -> Any:
    return jsonify({"status": "error", "code": code, "error": error.name,
                    "message": MESSAGES.get(code, "Запрос не выполнен.")})  # fmt: skip


def _headers(error: HTTPException) -> list[tuple[str, str]]:
    # A 405 must keep its Allow header.
    return [(k, v) for k, v in error.get_headers() if k.lower() == "allow"]


def _wants_json(error: HTTPException) -> bool:
    """Whether the request was for a JSON endpoint, or asks for JSON and not for a page."""
    if _blueprint(error) in JSON_BLUEPRINTS:
        return True
    accept = request.accept_mimetypes
    return accept.best == "application/json" and not accept.accept_html


def _blueprint(error: HTTPException) -> str | None:
    """The blueprint of the view the URL names (for a 405, the view behind another method)."""
    if request.blueprint is not None or not isinstance(error, MethodNotAllowed):
        return request.blueprint
    allowed = sorted(error.valid_methods or ())
    if not allowed:
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(method=allowed[0])
    except HTTPException:
        return None
    blueprint, _, _ = str(endpoint).rpartition(".")
    return blueprint or None
