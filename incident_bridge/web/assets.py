"""The bridge's static files (the favicon), namespaced like its templates."""

from __future__ import annotations

from flask import Blueprint

PREFIX = ""
# Served at ``<prefix>/bridge-static/incident_bridge/…``, clear of the host's own ``/static``.
bp = Blueprint(
    "incident_bridge_assets", __name__, static_folder="static", static_url_path="/bridge-static"
)
