"""The admin's import of Excel/CSV exports of the incident system, with a report per row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from adapters import ImportLimits, ImportRow, RevisionSource, import_file, size_text
from incident_bridge.domain.errors import BridgeError
from incident_bridge.services.imports import check_export_time, import_rows, summary
from incident_bridge.state import bridge_state
from incident_bridge.web.forms import ImportForm
from incident_bridge.web.helpers import COORDINATORS, ctx, now, page_blueprint, roles_required, uow

PREFIX = "/admin/import"
bp = page_blueprint("incident_bridge_import", __name__)
#: The zone of the time a person types on the page (the incident system shows Moscow time).
MOSCOW = ZoneInfo("Europe/Moscow")


def _limits() -> ImportLimits:
    settings = bridge_state(current_app).settings
    return ImportLimits(
        max_bytes=_upload_limit(),
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
    )


def _upload_limit() -> int:
    """The bridge's upload limit, or the host's own ``MAX_CONTENT_LENGTH`` if that is smaller."""
    own = bridge_state(current_app).settings.import_max_bytes
    host = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(own, host) if host else own


@bp.before_request
def _limit_upload() -> None:
    # Per request (Flask 3.1): a host allowing larger bodies elsewhere does not widen this one.
    request.max_content_length = _upload_limit()


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> Any:
    """A file over the limit: say so on the import page (not Werkzeug's English 413 page)."""
    message = f"Файл больше допустимых {size_text(_upload_limit())}: разделите выгрузку на части."
    if not current_user.is_authenticated or current_user.role not in COORDINATORS:
        page = render_template(
            "incident_bridge/error.html", code=413, title="Файл слишком большой", message=message
        )
        return page, 413
    # The body was not read, so the form must not look at it again.
    return _page(ImportForm(formdata=None), error=message), 413


@bp.route("/", methods=["GET", "POST"])
@roles_required(*COORDINATORS)
def index() -> Any:
    """Upload an export; show what was created, updated, unchanged or rejected and why."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form)
    upload = form.file.data
    typed: datetime | None = form.exported_at.data
    stamp = typed.replace(tzinfo=MOSCOW).astimezone(UTC) if typed is not None else None
    try:
        check_export_time(stamp, now())
        rows = import_file(
            upload.stream, filename=upload.filename, exported_at=stamp, limits=_limits()
        )
        outcomes = import_rows(uow(), ctx(), rows, now(), source=upload.filename or "upload")
    except BridgeError as exc:
        return _page(form, error=exc.user_message)
    return _page(form, rows=rows, outcomes=outcomes)


def _page(
    form: ImportForm,
    *,
    error: str | None = None,
    rows: list[ImportRow] | None = None,
    outcomes: list[Any] | None = None,
) -> str:
    rows = rows or []
    workbook = next((r for r in rows if r.revision_from is RevisionSource.WORKBOOK), None)
    return render_template(
        "incident_bridge/import.html",
        form=form,
        outcomes=outcomes,
        counts=summary(outcomes) if outcomes is not None else None,
        error=error,
        # No export time anywhere: existing incidents were left as they are; ask for the time.
        needs_time=any(r.card is not None and not r.dated for r in rows),
        workbook_time=(
            datetime.fromtimestamp(workbook.card.revision / 1_000_000, UTC)
            if workbook is not None and workbook.card is not None
            else None
        ),
        upload_limit=size_text(_upload_limit()),
        max_rows=f"{bridge_state(current_app).settings.import_max_rows:,}".replace(",", "\u00a0"),
    )
