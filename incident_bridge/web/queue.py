"""The queue of messages: everything for operators, the own subdivision for executors."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from incident_bridge.domain.model import Platform
from incident_bridge.domain.workflow import Role, Status
from incident_bridge.services import queries
from incident_bridge.services import status as health
from incident_bridge.state import bridge_state
from incident_bridge.web.helpers import actor, ctx, now, page_blueprint, session, uow

PREFIX = ""
bp = page_blueprint("incident_bridge_queue", __name__)


@bp.route("/")
@login_required
def index() -> Any:
    """Show the queue, filtered by status, subdivision and platform, nearest deadline first."""
    status = request.args.get("status", queries.OPEN) or None
    if status not in (None, queries.OPEN) and status not in Status._value2member_map_:
        status = queries.OPEN
    platform = request.args.get("platform") or None
    if platform not in Platform._value2member_map_:
        platform = None
    subdivision_id = request.args.get("subdivision", type=int)
    flt = queries.QueueFilter(status=status, subdivision_id=subdivision_id, platform=platform)
    incidents = queries.queue(session(), actor(), flt)
    return render_template(
        "incident_bridge/queue.html",
        rows=queries.with_headline_clock(session(), ctx(), incidents, now()),
        flt=flt,
        statuses=list(Status),
        platforms=list(Platform),
        subdivisions=uow().people.subdivisions(),
        now=now(),
        is_executor=current_user.role == Role.EXECUTOR,
        alert=health.current_alert(
            session(), now(), bridge_state(current_app).settings.unreachable_alert_minutes
        ),
    )
