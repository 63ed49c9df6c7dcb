"""The operators' and executors' pages (Russian), one blueprint per module."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask, url_prefix: str = "", *, error_pages: bool = True) -> None:
    """Mount every page blueprint of the bridge under ``url_prefix``.

    ``error_pages`` also gives every other URL of ``app`` the bridge's Russian
    404, 405 and 500 pages (the bridge's own pages always have them).
    """
    from incident_bridge.web import (
        admin,
        assets,
        auth,
        calendar,
        health,
        imports,
        incidents,
        notifications,
        parts,
        phrases,
        queue,
        repeats,
        reports,
        topics,
        watch,
        webhooks,
    )
    from incident_bridge.web.converters import IdConverter

    app.url_map.converters["ib_id"] = IdConverter
    modules = (auth, queue, incidents, parts, repeats, admin, calendar, topics, imports, health,
               assets, watch, reports, notifications, webhooks, phrases)  # fmt: skip
    for module in modules:
        app.register_blueprint(module.bp, url_prefix=url_prefix + module.PREFIX)
    from incident_bridge.web import api_tokens, people  # «Сотрудники и замещения», «API-токены»

    for module in (people, api_tokens):
        app.register_blueprint(module.bp, url_prefix=url_prefix + module.PREFIX)
    from incident_bridge.web.filters import register_filters

    register_filters(app)
    if error_pages:
        from incident_bridge.web.errors import register_app_pages

        register_app_pages(app)
