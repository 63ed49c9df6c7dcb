"""The operators' and executors' pages (Russian), one blueprint per module."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask, url_prefix: str = "") -> None:
    """Mount every page blueprint of the bridge under ``url_prefix``."""
    from incident_bridge.web import admin, auth, calendar, health, imports, incidents, queue

    for module in (auth, queue, incidents, admin, calendar, imports, health):
        app.register_blueprint(module.bp, url_prefix=url_prefix + module.PREFIX)
    from incident_bridge.web.filters import register_filters

    register_filters(app)
