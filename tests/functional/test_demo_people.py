"""The demo's people follow the profile: its coordinating roles, executors who stand in for each
other, and the coordinating person watching the escalations' bell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services.demo import seed
from tests.functional.regulation_apps import regulation_app


@pytest.mark.parametrize(
    ("profile", "coordinator", "also"),
    [("yelets", "operator", set()), ("leningrad", "curator", set()),
     ("luga", "operator", {"regional"})],
)  # fmt: skip
def test_each_profile_gets_demo_people_for_its_roles(tmp_path, profile, coordinator, also):
    with regulation_app(tmp_path, profile) as (app, _system), app.app_context():
        state = app.extensions["incident_bridge"]
        uow = SqlAlchemyUnitOfWork(state.db.session)
        logins = {login for login, *_ in seed(uow, state.context.profile, datetime.now(UTC))}
        assert {"admin", coordinator, "zhkh", "zhkh2"} | also <= logins
        assert ({"operator", "curator"} - {coordinator}).isdisjoint(logins)
        person = uow.people.user_by_login(coordinator)
        assert person is not None and person.duty == "deputy"
        # Seeding again changes nothing (make run starts with it every time).
        again = seed(uow, state.context.profile, datetime.now(UTC))
        assert {login for login, *_ in again} == logins
        state.db.session.remove()


def test_the_demo_seeds_a_few_phrases_once(app, db_session):
    """«Типовые формулировки» do not open empty on the demo; seeding again adds none."""
    from datetime import UTC, datetime

    from incident_bridge.persistence.models import Phrase
    from incident_bridge.services import demo

    state = app.extensions["incident_bridge"]
    for _ in range(2):
        demo.seed(state.unit_of_work(), state.context.profile, datetime.now(UTC))
    titles = {p.title for p in db_session.query(Phrase).all()}
    assert titles == {"Благодарность за обращение", "Ход рассмотрения", "Работы запланированы"}
