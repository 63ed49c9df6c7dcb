"""Security headers on the bridge's responses: a strict Content-Security-Policy and the rest.

The policy allows no inline script or style (every one is a file of the static blueprint),
no framing (the one-button approve form cannot be clickjacked) and no foreign origin at all.
The headers go on every response of the bridge's blueprints and on the error pages the bridge
renders for the whole app (``INCIDENT_BRIDGE_ERROR_PAGES``); a header the host already set on a
response is kept. ``INCIDENT_BRIDGE_SECURITY_HEADERS = False`` leaves them all to the host.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.serving import WSGIRequestHandler

from incident_bridge.config import Settings

#: What a page of the bridge may load: only its own files, nothing inline, never in a frame.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
#: The ``Server`` header: which software answers, never its version.
SERVER = "incident-bridge"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Server": SERVER,
}
_PACKAGE = "incident_bridge."
_CLAIMED = "_incident_bridge_response"


def install(app: Flask, settings: Settings) -> None:
    """Send ``HEADERS`` on the bridge's responses of ``app``, unless the settings turn them off."""
    if settings.security_headers:
        app.after_request(_add_headers)


def claim() -> None:
    """Mark the response of this request as the bridge's (an app-wide error page it renders)."""
    setattr(g, _CLAIMED, True)


def _add_headers(response: Response) -> Response:
    if _is_bridge_response():
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def _is_bridge_response() -> bool:
    if g.get(_CLAIMED, False):
        return True
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return blueprint is not None and blueprint.import_name.startswith(_PACKAGE)


class UnversionedRequestHandler(WSGIRequestHandler):
    """Werkzeug's development request handler without its own ``Server: Werkzeug/… Python/…``.

    ``http.server`` writes that header before the application's headers are known, so an
    application's ``Server`` header is sent as a second one and cannot hide the versions; this
    handler leaves the header to the application. For ``app.run(request_handler=…)`` and
    ``werkzeug.serving.make_server(…, request_handler=…)``; a production server has its own.
    """

    def send_response(self, code: int, message: Any = None) -> None:
        """The status line and ``Date``, as ``http.server`` sends them, without ``Server``."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())
