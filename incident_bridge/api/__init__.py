"""The public REST API v1 (flask-smorest): OpenAPI 3 at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from __future__ import annotations

from flask import Flask

from incident_bridge.config import Settings

__all__ = ["install"]

VERSION = "1.0.0"
PREFIX = "INCIDENT_BRIDGE_"

DESCRIPTION = """\
API incident-bridge: очередь сообщений, шаги обработки по регламенту, справочники и отчёты.

Каждый запрос несёт персональный токен: `Authorization: Bearer <токен>`
(`.venv/bin/flask --app wsgi bridge api-token create --login LOGIN`). Токен действует от имени
владельца и с его ролью: те же права, отказы и история, что и на страницах.

Изменение сообщения требует `If-Match` с его `ETag` (версия из последнего GET);
если сообщение изменили раньше — 412. Ошибки — RFC 9457 `application/problem+json`
с описанием на русском в `detail`. Лимит запросов — на токен (429 и `Retry-After`).
"""


def install(app: Flask, settings: Settings) -> None:
    """Mount the API under ``<URL prefix>/api/v1`` with its document and docs page."""
    from incident_bridge.api import core, directory, docs, incidents, library
    from incident_bridge.web.converters import MAX_ID, IdConverter

    base = settings.url_prefix.rstrip("/") + "/api/v1"
    config = {
        "API_TITLE": "incident-bridge API",
        "API_VERSION": VERSION,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": base,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": DESCRIPTION},
            "servers": [{"url": "/"}],
            "security": [{"token": []}],
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "Персональный API-токен",
                    }  # fmt: skip
                }
            },
        },
    }
    for key, value in config.items():
        app.config.setdefault(PREFIX + key, value)
    api = core.BridgeApi(app, config_prefix=PREFIX)
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    for module in (incidents, directory, library):
        api.register_blueprint(module.bp, url_prefix=base)
    app.register_blueprint(docs.bp, url_prefix=base)
    core.answer_unknown_paths(app, base)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # a token, not a cookie, signs an API request in: no CSRF to forge
        for module in (incidents, directory, library):
            csrf.exempt(module.bp)
