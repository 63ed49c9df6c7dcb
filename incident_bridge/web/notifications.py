"""«Уведомления»: what the signed-in person was told, newest first; marking them read."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from incident_bridge.services import notifications
from incident_bridge.web.helpers import now, page_blueprint, uow

PREFIX = "/notifications"
bp = page_blueprint("incident_bridge_notifications", __name__)


@bp.route("/")
@login_required
def index() -> Any:
    """The person's latest notifications (the unread ones marked)."""
    return render_template(
        "incident_bridge/notifications.html",
        rows=notifications.latest(uow(), current_user.id),
        form=FlaskForm(),
    )


@bp.route("/read", methods=["POST"])
@login_required
def read() -> Any:
    """Mark every notification of the person read."""
    if FlaskForm().validate_on_submit():
        notifications.mark_read(uow(), current_user.id, now())
    return redirect(url_for("incident_bridge_notifications.index"))
