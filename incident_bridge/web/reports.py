"""«Отчёты»: a period's figures per stage, body and executor, with charts and exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.workflow import Role
from incident_bridge.reports import exports, note, periods
from incident_bridge.reports.build import FEEDBACK_LABELS, Report, build, hours, share, zone_of
from incident_bridge.reports.charts import Bar, bars, stacked
from incident_bridge.reports.periods import Period
from incident_bridge.reports.rating import COMPONENT_LABELS, rating, staff_kpi
from incident_bridge.web.helpers import ctx, now, page_blueprint, roles_required, session, uow

PREFIX = "/reports"
bp = page_blueprint("incident_bridge_reports", __name__)
#: Who sees the reports: the department or the curator, and admins.
READERS = (Role.ADMIN, Role.OPERATOR, Role.CURATOR)


def _period() -> tuple[Period | None, str | None, str]:
    """The period the query names (the current quarter by default), or why it is refused."""
    zone = zone_of(ctx().profile)
    key = (request.args.get("period") or "").strip()
    try:
        period = periods.parse(key, zone) if key else periods.current_quarter(now(), zone)
    except InvalidInput as exc:
        return None, str(exc), key
    return period, None, period.key


def _report() -> tuple[Report | None, str | None, str]:
    """The report of the period the query names."""
    period, error, key = _period()
    if period is None:
        return None, error, key
    return _built(period), None, key


def _built(period: Period) -> Report:
    return build(session(), ctx().profile, period, now())


@bp.route("/")
@roles_required(*READERS)
def index() -> Any:
    """The report page: figures, dynamics and charts."""
    report, error, key = _report()
    charts = _charts(report) if report else {}
    return render_template(
        "incident_bridge/reports.html",
        report=report,
        error=error,
        period_key=key,
        charts=charts,
        share=share,
        hours=hours,
        feedback_labels=FEEDBACK_LABELS,
        summary=exports.summary_rows(report) if report else [],
        rule=ctx().profile.rating,
        rated=rating(report.bodies, ctx().profile.rating) if report else [],
        components=COMPONENT_LABELS,
        kpi=staff_kpi(report.executors) if report else [],
    ), (400 if error else 200)


@bp.route("/note.docx")
@roles_required(*READERS)
def note_docx() -> Any:
    """The monthly analytical note (Sobolevo 24) as a DOCX (any period may be asked for)."""
    # The note needs the period only: none of the report's figures are computed for it.
    return _download(
        "note", "docx", exports.DOCX_TYPE,
        lambda period: note.docx(note.note(session(), ctx().profile.title, period)),
    )  # fmt: skip


@bp.route("/kpi")
@login_required
def kpi() -> Any:
    """Staff timeliness (Sobolevo 22): all executors for the readers, a body's own for its
    responsible official."""
    body = None
    if current_user.role not in READERS:
        own = next((s for s in uow().people.subdivisions()
                    if s.responsible_user_id == current_user.id), None)  # fmt: skip
        if own is None:
            abort(403)
        body = own.name
    report, error, key = _report()
    return render_template(
        "incident_bridge/kpi.html",
        report=report,
        error=error,
        period_key=key,
        body=body,
        kpi=staff_kpi(report.executors, body) if report else [],
        share=share,
    ), (400 if error else 200)


@bp.route("/report.xlsx")
@roles_required(*READERS)
def as_xlsx() -> Any:
    """The report as an XLSX workbook."""
    return _download(
        "report", "xlsx", exports.XLSX_TYPE,
        lambda period: exports.xlsx(_built(period), ctx().profile.rating),
    )  # fmt: skip


@bp.route("/report.docx")
@roles_required(*READERS)
def as_docx() -> Any:
    """The report as a DOCX document to sign."""
    return _download(
        "report", "docx", exports.DOCX_TYPE, lambda period: exports.docx(_built(period))
    )


def _download(name: str, ext: str, mimetype: str, render: Callable[[Period], bytes]) -> Any:
    """A file of the period the query names, or the Russian 400 page if it names none."""
    period, error, key = _period()
    if period is None:
        page = render_template("incident_bridge/error.html", code=400, title="Период не распознан",
                               message=error)  # fmt: skip
        return page, 400
    response = Response(render(period), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{key}.{ext}"'
    return response


def _charts(report: Report) -> dict[str, Any]:
    legend = (report.period.label, report.previous.label)
    clock_bars = [
        Bar(
            c.label,
            c.now.on_time_share if c.now else 0.0,
            c.before.on_time_share if c.before else None,
            share(c.now.on_time, c.now.count) if c.now else "—",
        )  # fmt: skip
        for c in report.clocks
    ]
    body_bars = []
    for line in report.bodies:
        total = line.clocks.get("total")
        if total:
            body_bars.append(Bar(line.name, total.on_time_share, None,
                                 f"{share(total.on_time, total.count)} из {total.count}"))  # fmt: skip
    return {
        "clocks": bars("Доля этапов, завершённых в срок", clock_bars, legend=legend),
        "bodies": bars("Ответы в срок по органам", body_bars, legend=legend),
        "feedback": stacked(
            "Отзывы авторов по органам",
            [(line.name, line.tally.feedback) for line in report.bodies if line.tally.rated],
            FEEDBACK_LABELS,
        ),
    }
