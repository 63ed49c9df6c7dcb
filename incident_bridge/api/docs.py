"""The API's docs page (Swagger UI) served offline: its files come from the swagger-ui-bundle package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, abort, render_template, send_from_directory, url_for

from incident_bridge.web.assets import read_whole
from incident_bridge.web.security_headers import CONTENT_SECURITY_POLICY

bp = Blueprint("incident_bridge_api_docs", __name__, template_folder="templates")

ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
OWN = Path(__file__).parent / "static"
#: The files the page loads; nothing else of either folder is served.
SERVED = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}
#: Swagger UI sets inline styles as it renders; the rest of the policy stays as strict.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


@bp.route("/docs")
def page() -> Any:
    """The interactive reference of the API (a token is entered with «Authorize»)."""
    html = render_template("incident_bridge_api/docs.html",
                           spec_url=url_for("incident-bridge-api-docs.openapi_json"))  # fmt: skip
    return html, 200, {"Content-Security-Policy": DOCS_POLICY}


@bp.route("/docs/assets/<name>")
def asset(name: str) -> Any:
    """One of Swagger UI's files, or the page's own starter script."""
    if name == "api-docs.js":
        return read_whole(send_from_directory(OWN, name, max_age=3600))
    if name not in SERVED:
        abort(404)
    return read_whole(send_from_directory(ASSETS, name, max_age=86400))
