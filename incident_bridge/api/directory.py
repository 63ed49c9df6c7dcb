"""``/api/v1``: subdivisions and people (admin), the working calendar, and the reports."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort as abort_with

from incident_bridge.api import core, schemas
from incident_bridge.api.core import actor, api_blueprint, ctx, now, roles, session, uow
from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.workflow import Role
from incident_bridge.reports import periods
from incident_bridge.reports.build import build, zone_of
from incident_bridge.services import calendar_admin, directory

bp = api_blueprint(
    "incident_bridge_api_directory", __name__, "Подразделения, сотрудники, календарь и отчёты"
)

ADMIN = Role.ADMIN.value
#: Who reads the reports: as on the pages.
READERS = (Role.ADMIN.value, Role.OPERATOR.value, Role.CURATOR.value)


def problems(*codes: int) -> Any:
    return core.problems(bp, *codes)


@bp.route("/subdivisions")
class Subdivisions(MethodView):
    @bp.response(200, schemas.SubdivisionOut(many=True))
    @problems(401, 429)
    def get(self) -> Any:
        """Every subdivision (the ones a message may be routed to are ``active``)."""
        return uow().people.subdivisions(active_only=False)

    @bp.arguments(schemas.NewSubdivision, error_status_code=422)
    @bp.response(201, schemas.SubdivisionOut)
    @problems(401, 403, 422, 429)
    @roles(ADMIN)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a subdivision (admin)."""
        return directory.create_subdivision(uow(), body["name"])


@bp.route("/people")
class People(MethodView):
    @bp.response(200, schemas.PersonOut(many=True))
    @problems(401, 403, 429)
    @roles(ADMIN)
    def get(self) -> Any:
        """Everyone who signs in (admin)."""
        return uow().people.users()

    @bp.arguments(schemas.NewPerson, error_status_code=422)
    @bp.response(201, schemas.PersonOut)
    @problems(401, 403, 422, 429)
    @roles(ADMIN)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a person (admin); the password follows the same rules as on the page."""
        return directory.create_user(
            uow(), login=body["login"], full_name=body["full_name"], password=body["password"],
            role=body["role"], subdivision_id=body.get("subdivision_id"), now=now(), by=actor(),
        )  # fmt: skip


@bp.route("/people/<ib_id:user_id>", methods=["PATCH"])
@bp.arguments(schemas.PersonChange, error_status_code=422)
@bp.response(200, schemas.PersonOut)
@problems(401, 403, 404, 422, 429)
@roles(ADMIN)
def change_person(body: dict[str, Any], user_id: int) -> Any:
    """Switch a person's access off or on (admin): their sessions and API tokens stop with it."""
    return directory.set_active(uow(), user_id, body["active"], by=actor(), now=now())


@bp.route("/calendar")
@bp.arguments(schemas.CalendarQuery, location="query", error_status_code=422)
@bp.response(200, schemas.CalendarOut)
@problems(401, 429)
def calendar(args: dict[str, Any]) -> Any:
    """The year's working days and minutes as the deadlines count them, local overrides included."""
    months = calendar_admin.year_view(uow(), ctx(), args["year"])
    return {
        "year": args["year"],
        "profile": ctx().profile.title,
        "months": [
            {"month": m.month, "name": m.name, "working_days": m.days, "working_hours": m.hours,
             "days": [{"date": c.day, "working_minutes": c.minutes, "kind": c.kind}
                      for week in m.weeks for c in week if c is not None]}
            for m in months
        ],
    }  # fmt: skip


@bp.route("/reports")
@bp.arguments(schemas.ReportQuery, location="query", error_status_code=422)
@bp.response(200, schemas.ReportOut)
@problems(401, 403, 422, 429)
@roles(*READERS)
def report(args: dict[str, Any]) -> Any:
    """A period's figures: every clock's runs on time, median and 90th percentile, per body."""
    zone = zone_of(ctx().profile)
    key = (args.get("period") or "").strip()
    try:
        period = periods.parse(key, zone) if key else periods.current_quarter(now(), zone)
    except InvalidInput as exc:
        abort_with(422, errors={"query": {"period": [str(exc)]}})
        raise  # not reached: abort raises
    built = build(session(), ctx().profile, period, now())
    return {
        "title": built.title,
        "period": period.key,
        "first_day": period.first,
        "last_day": period.last,
        "generated_at": built.generated_at,
        "arrived": built.totals.arrived,
        "overdue_now": built.overdue_now,
        "clocks": [
            {"clock": line.clock, "label": line.label, "count": line.now.count,
             "on_time": line.now.on_time, "median_minutes": line.now.median,
             "p90_minutes": line.now.p90}
            for line in built.clocks if line.now is not None
        ],
        "bodies": [
            {"id": b.key, "name": b.name, "arrived": b.tally.arrived, "answered": b.answered,
             "returns": b.tally.returns, "checks_failed": b.tally.checks_failed,
             "overrides": b.tally.overrides}
            for b in built.bodies
        ],
    }  # fmt: skip
