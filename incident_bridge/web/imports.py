"""The admin's import of Excel/CSV exports of the incident system, with a report per row."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template

from adapters.file_import import import_file
from incident_bridge.domain.errors import BridgeError
from incident_bridge.services.imports import import_rows, summary
from incident_bridge.web.forms import ImportForm
from incident_bridge.web.helpers import COORDINATORS, ctx, now, page_blueprint, roles_required, uow

PREFIX = "/admin/import"
bp = page_blueprint("incident_bridge_import", __name__)
MOSCOW = ZoneInfo("Europe/Moscow")


@bp.route("/", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def index() -> Any:
    """Upload an export; show what was created, updated, unchanged or rejected and why."""
    form = ImportForm()
    outcomes, error = None, None
    if form.validate_on_submit():
        upload = form.file.data
        stamp: datetime | None = form.exported_at.data
        if stamp is not None:
            stamp = stamp.replace(tzinfo=MOSCOW)
        try:
            rows = import_file(upload.stream, filename=upload.filename, exported_at=stamp or now())
            outcomes = import_rows(uow(), ctx(), rows, now(), source=upload.filename or "upload")
        except BridgeError as exc:
            error = exc.user_message
    return render_template(
        "incident_bridge/import.html",
        form=form,
        outcomes=outcomes,
        counts=summary(outcomes) if outcomes is not None else None,
        error=error,
    )
