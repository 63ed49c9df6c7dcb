"""Working-time deadlines as people see them: the queue's order and the message's clocks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from incident_bridge.persistence.models import Incident
from incident_bridge.services import polling
from tests.fakes import make_card


def _arrive(app, fake_system, at: datetime, **card):
    """A message created in the incident system at ``at`` and synced at once."""
    fake_system.add(make_card(**{"created_at": at, "detected_at": at, **card}))
    with app.app_context():
        state = app.extensions["incident_bridge"]
        session = state.session()
        polling.poll(state.unit_of_work(), state.context, fake_system, at)
        incident = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
        session.expunge(incident)
        return incident


def test_friday_evening_message_clocks_cross_a_working_saturday_and_holidays(
    browser, people, app, fake_system
):
    # Friday 31 Oct 2025, 17:30 Moscow = 14:30 UTC; Yelets routing clock: 1 working hour.
    incident = _arrive(app, fake_system, datetime(2025, 10, 31, 14, 30, tzinfo=UTC))
    # The nearest clock is the redirect decision (30 wmin): Friday 18:00 Moscow.
    assert incident.due_at == datetime(2025, 10, 31, 15, 0, tzinfo=UTC)
    browser.login("operator")
    page = browser.get(f"/incidents/{incident.id}").get_data(as_text=True)
    clocks = page[page.index('id="clocks"') :]
    route = clocks[clocks.index('data-clock="route"') : clocks.index('data-clock="redirect"')]
    # Routing (1 wh): 30 min on Friday, the rest on Saturday 1 November, a working Saturday.
    assert "01.11.2025 09:30" in route
    # The whole cycle (8 wh): Friday 0.5 h + shortened Saturday 7 h; 3-4 November are days off
    # (Day of National Unity and its transfer), so the last 0.5 h runs on Wednesday.
    total = clocks[clocks.index('data-clock="total"') :]
    assert "05.11.2025 09:30" in total.split("</tr>")[0]


def test_queue_sorts_by_nearest_due_time_and_shows_working_time_left(
    browser, people, app, fake_system
):
    late = _arrive(app, fake_system, datetime(2025, 10, 30, 6, 0, tzinfo=UTC), number="LATE")
    early = _arrive(app, fake_system, datetime(2025, 10, 29, 6, 0, tzinfo=UTC), number="EARLY")
    assert early.due_at < late.due_at
    browser.login("operator")
    page = browser.get("/?status=").get_data(as_text=True)
    assert page.index("EARLY") < page.index("LATE")
    assert "просрочено на" in page  # both were due in 2025
