"""``GET /healthz``: database, queue and incident-system status as JSON."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify

from incident_bridge.services import status
from incident_bridge.state import bridge_state

PREFIX = ""
bp = Blueprint("incident_bridge_health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    """Report whether the database, the job queue and the incident system answer."""
    state = bridge_state(current_app)
    zone = ZoneInfo(state.context.profile.timezone)
    report = status.health(
        state.session(), state, job_failures=state.settings.job_alert_failures, zone=zone
    )
    code = 200 if report["status"] == "ok" else 503
    return jsonify(report), code
