"""The admin's calendar page: the year's norms, and local overrides that never move old deadlines."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from incident_bridge.persistence.models import CalendarOverrideRow, Incident
from incident_bridge.services import deadlines, polling
from tests.fakes import make_card


def test_year_view_shows_official_norms(browser, people):
    browser.login("admin")
    page = browser.get("/admin/calendar/?year=2025").get_data(as_text=True)
    assert "За год: 247 рабочих дней, 1972 рабочих часов." in page
    assert browser.__class__(browser.client).get("/admin/calendar/").status_code == 200


def test_operator_cannot_open_the_calendar(browser, people):
    browser.login("operator")
    assert browser.get("/admin/calendar/").status_code == 403


def test_local_holiday_applies_to_new_messages_only(browser, people, app, fake_system):
    # A message that arrives on Monday 10 Nov 2025 at 17:30 Moscow, before the override is recorded.
    fake_system.add(make_card(number="OLD"))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        polling.poll(uow, ctx, fake_system, datetime(2025, 11, 10, 14, 30, tzinfo=UTC))
        old = session.scalar(select(Incident).where(Incident.number == "OLD"))
        at = datetime(2025, 11, 10, 15, tzinfo=UTC)
        old_clocks = {
            c.name: c.due_at for c in deadlines.clocks(ctx, old, at, uow.calendar.overrides())
        }
        session.remove()

    browser.login("admin")
    page = browser.submit(
        "/admin/calendar/?year=2025",
        "/admin/calendar/overrides",
        {"day": "2025-11-11", "kind": "holiday", "reason": "Распоряжение главы № 1-р"},
    )
    assert "Изменение календаря записано" in page.get_data(as_text=True)
    page = browser.get("/admin/calendar/?year=2025").get_data(as_text=True)
    assert "Распоряжение главы № 1-р" in page and "За год: 246 рабочих дней" in page

    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        old = session.scalar(select(Incident).where(Incident.number == "OLD"))
        again = {c.name: c.due_at for c in deadlines.clocks(ctx, old, at, uow.calendar.overrides())}
        assert again == old_clocks  # recorded after the message arrived: its deadlines stay
        row = session.scalar(select(CalendarOverrideRow))
        recorded = row.recorded_at
        session.remove()

    fake_system.add(make_card(number="NEW"))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session, uow, ctx = state.session(), state.unit_of_work(), state.context
        polling.poll(uow, ctx, fake_system, recorded)
        new = session.scalar(select(Incident).where(Incident.number == "NEW"))
        # Arrived (as far as the calendar knows) after the override: 11 November is a day off.
        calendar = ctx.calendars.known_at(uow.calendar.overrides(), new.arrived_at)
        assert not calendar.is_working_day(datetime(2025, 11, 11).date())
        session.remove()

    browser.submit("/admin/calendar/?year=2025", f"/admin/calendar/overrides/{row.id}/revoke", {})
    page = browser.get("/admin/calendar/?year=2025").get_data(as_text=True)
    assert "За год: 247 рабочих дней" in page
    assert "Распоряжение главы № 1-р" in page  # the history stays


def test_overrides_from_the_cli(app, people):
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "bridge",
            "calendar",
            "override",
            "add",
            "--day",
            "2026-06-15",
            "--kind",
            "hours",
            "--hours",
            "09:00-13:00",
            "--reason",
            "Субботник",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "Изменённые часы работы: 09:00-13:00" in added.output
    bad = runner.invoke(
        args=[
            "bridge",
            "calendar",
            "override",
            "add",
            "--day",
            "2026-06-16",
            "--kind",
            "hours",
            "--reason",
            "без часов",
        ]
    )
    assert bad.exit_code == 2 and "intervals" in bad.output
    listed = runner.invoke(args=["bridge", "calendar", "override", "list"])
    assert "Субботник" in listed.output
    row_id = listed.output.split()[0].lstrip("#")
    revoked = runner.invoke(args=["bridge", "calendar", "override", "revoke", row_id])
    assert revoked.exit_code == 0
    assert "отменено" in runner.invoke(args=["bridge", "calendar", "override", "list"]).output
