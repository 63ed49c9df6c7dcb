"""Several bodies on one message (Leningrad 8.9, Lipetsk 14, Sobolevo 17): parts, order, combining."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from incident_bridge.domain.parts import PartState
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, IncidentEvent, Part
from tests.functional.regulation_apps import cast, regulation_app, signed_in
from tests.functional.test_pages import _incident, _status, _version

TWO_QUESTIONS = (
    "Здравствуйте! На улице Ленина яма у дома 12, когда её заделают? "
    "И почему в доме 12 третий день нет горячей воды?"
)
ROADS_PART = "Яма на улице Ленина у дома 12 будет заделана до 5 ноября."
HOUSING_PART = (
    "Горячей воды в доме 12 нет из-за аварии на трубопроводе; "
    "её подадут 31 октября после замены участка трубы."
)
COMBINED = (
    "Здравствуйте, Иван! Яма на улице Ленина у дома 12 будет заделана до 5 ноября. "
    "Горячей воды в доме 12 нет из-за аварии на трубопроводе; "
    "её подадут 31 октября после замены участка трубы."
)


def _parts(app: Any, incident_id: int) -> dict[str, Part]:
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        session.expire_all()
        rows = session.scalars(select(Part).where(Part.incident_id == incident_id)).all()
        return {p.subdivision.name: p for p in rows}


def _assign(curator: Any, url: str, bodies: list[int], mode: str = "in_order",
            combiner: str = "last") -> Any:  # fmt: skip
    page = curator.get(url).get_data(as_text=True)
    data = {f"bodies-{i}": b for i, b in enumerate(bodies)}
    return curator.submit(url, f"{url}/parts", {**data, "mode": mode, "combiner": combiner,
                                                "version": _version(page)})  # fmt: skip


def _send_part(browser: Any, url: str, text: str) -> Any:
    page = browser.get(url).get_data(as_text=True)
    return browser.submit(url, f"{url}/part", {"text": text, "submit": "1",
                                               "version": _version(page)})  # fmt: skip


def test_leningrad_two_bodies_in_order_then_the_last_one_combines(tmp_path):
    with regulation_app(tmp_path, "leningrad") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        assert 'id="form-parts"' in curator.get(url).get_data(as_text=True)
        _assign(curator, url, [ids["roads_body"], ids["housing_body"]])
        assert _status(app, incident.id) == Status.ROUTED
        parts = _parts(app, incident.id)
        roads_name, housing_name = "Управление дорожного хозяйства", "Управление ЖКХ"
        assert parts[roads_name].state is PartState.OPEN
        assert parts[housing_name].state is PartState.WAITING

        roads, housing, schools = (signed_in(app, n) for n in ("roads", "housing", "schools"))
        assert housing.get(url).status_code == 403  # not its turn yet
        assert schools.get(url).status_code == 403
        page = roads.get(url).get_data(as_text=True)
        assert 'id="form-part"' in page and 'id="form-draft"' not in page
        # A body declines its part, never the whole message («не наша компетенция»).
        assert "не наша компетенция" not in page and 'id="form-part-decline"' in page
        # The part's own clock: 5 working hours (8.9).
        assert "8.9" in page and "Часть ответа соисполнителя" in page

        _send_part(roads, url, ROADS_PART)
        parts = _parts(app, incident.id)
        assert parts[roads_name].state is PartState.SUBMITTED
        assert parts[housing_name].state is PartState.OPEN
        page = housing.get(url).get_data(as_text=True)
        assert 'id="form-part"' in page
        assert ROADS_PART not in page  # each body sees its own part only
        assert roads.get("/").status_code == 200 and f"/incidents/{incident.id}" in roads.get(
            "/"
        ).get_data(as_text=True)

        _send_part(housing, url, HOUSING_PART)
        with app.app_context():
            session = app.extensions["incident_bridge"].db.session
            session.expire_all()
            stored = session.get(Incident, incident.id)
            assert stored.subdivision_id == ids["housing_body"]
        # The last body writes the combined answer from every part.
        page = housing.get(url).get_data(as_text=True)
        assert ROADS_PART in page and HOUSING_PART in page and 'id="form-draft"' in page
        assert 'id="form-draft"' not in roads.get(url).get_data(as_text=True)
        housing.submit(url, f"{url}/draft", {"kind": "answer", "text": COMBINED, "submit": "1",
                                             "version": _version(page)})  # fmt: skip
        assert _status(app, incident.id) == Status.ON_REVIEW

        review = curator.get(url).get_data(as_text=True)
        assert ROADS_PART in review and HOUSING_PART in review  # review shows every part
        done = curator.submit(url, f"{url}/approve", {"version": _version(review)})
        assert _status(app, incident.id) == Status.PUBLISHING, done.get_data(as_text=True)[:3000]
        with app.app_context():
            session = app.extensions["incident_bridge"].db.session
            events = session.scalars(
                select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
            ).all()
            written = [(e.actor_label, e.data.get("text")) for e in events
                       if e.kind == "part_submitted"]  # fmt: skip
        assert written == [
            (f"Исполнитель {roads_name}", ROADS_PART),
            (f"Исполнитель {housing_name}", HOUSING_PART),
        ]


def test_the_combined_answer_waits_for_every_part_and_a_returned_part_reopens(tmp_path):
    with regulation_app(tmp_path, "leningrad") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        _assign(curator, url, [ids["roads_body"], ids["housing_body"]], mode="at_once",
                combiner="curator")  # fmt: skip
        parts = _parts(app, incident.id)
        assert {p.state for p in parts.values()} == {PartState.OPEN}
        roads, housing = signed_in(app, "roads"), signed_in(app, "housing")
        _send_part(roads, url, ROADS_PART)
        # The curator writes the combined answer, but not before every part is in.
        page = curator.get(url).get_data(as_text=True)
        assert 'id="form-draft"' not in page
        refused = curator.submit(url, f"{url}/draft", {"kind": "answer", "text": COMBINED,
                                                       "submit": "1", "version": _version(page)})  # fmt: skip
        assert "ждём — Управление ЖКХ" in refused.get_data(as_text=True)
        assert _status(app, incident.id) == Status.ROUTED
        # A returned part opens again, with the curator's words.
        roads_part = _parts(app, incident.id)["Управление дорожного хозяйства"]
        page = curator.get(url).get_data(as_text=True)
        curator.submit(url, f"{url}/parts/{roads_part.id}/return",
                       {"reason": "Укажите точную дату", "version": _version(page)})  # fmt: skip
        assert _parts(app, incident.id)["Управление дорожного хозяйства"].state is PartState.OPEN
        assert "Укажите точную дату" in roads.get(url).get_data(as_text=True)
        _send_part(roads, url, ROADS_PART)
        _send_part(housing, url, HOUSING_PART)
        page = curator.get(url).get_data(as_text=True)
        assert 'id="form-draft"' in page
        curator.submit(url, f"{url}/draft", {"kind": "answer", "text": COMBINED, "submit": "1",
                                             "version": _version(page)})  # fmt: skip
        assert _status(app, incident.id) == Status.ON_REVIEW
        # An executor cannot assign parts; a body of another message cannot write one.
        refused = roads.submit(url, f"{url}/part", {"text": "x", "submit": "1", "version": "1"})
        assert _status(app, incident.id) == Status.ON_REVIEW


def test_every_body_declining_returns_the_message_to_the_curator(tmp_path):
    with regulation_app(tmp_path, "sobolevo") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        refused = _assign(curator, url, [ids["roads_body"], ids["housing_body"]],
                          combiner="curator")  # fmt: skip
        assert "п. 17" in refused.get_data(as_text=True)  # Sobolevo: the last body combines
        assert _status(app, incident.id) == Status.NEW
        _assign(curator, url, [ids["roads_body"], ids["housing_body"]])
        for login in ("roads", "housing"):
            browser = signed_in(app, login)
            page = browser.get(url).get_data(as_text=True)
            browser.submit(url, f"{url}/part/decline", {"reason": "Не наш вопрос",
                                                        "version": _version(page)})  # fmt: skip
        assert _status(app, incident.id) == Status.NEW
        # Assigned anew to another body.
        _assign(curator, url, [ids["schools_body"], ids["roads_body"]])
        assert set(_parts(app, incident.id)) == {"Комитет по образованию",
                                                 "Управление дорожного хозяйства"}  # fmt: skip


def test_yelets_has_no_parts_and_says_why(tmp_path):
    with regulation_app(tmp_path, "yelets") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        operator = signed_in(app, "operator")
        page = operator.get(url).get_data(as_text=True)
        assert 'id="form-parts"' not in page
        refused = operator.submit(url, f"{url}/parts", {"bodies-0": ids["roads_body"],
                                  "bodies-1": ids["housing_body"], "mode": "in_order",
                                  "combiner": "last", "version": _version(page)})  # fmt: skip
        assert "не предусматривает нескольких исполнителей" in refused.get_data(as_text=True)
        assert _status(app, incident.id) == Status.NEW


def test_a_repeat_of_a_two_body_message_is_offered_the_same_bodies(tmp_path):
    with regulation_app(tmp_path, "leningrad") as (app, system):
        ids = cast(app)
        earlier = _incident(app, system, text=TWO_QUESTIONS)
        curator = signed_in(app, "curator")
        _assign(curator, f"/incidents/{earlier.id}", [ids["housing_body"], ids["roads_body"]])
        repeat = _incident(app, system, text=f"Повторно по сообщению № {earlier.number}: "
                                             "яму так и не заделали, воды по-прежнему нет!")  # fmt: skip
        page = curator.get(f"/incidents/{repeat.id}").get_data(as_text=True)
        assert 'id="parts-from-repeat"' in page and "8.10" in page
        first = page.split('id="part-body-1"', 1)[1].split("</select>", 1)[0]
        second = page.split('id="part-body-2"', 1)[1].split("</select>", 1)[0]
        assert f'selected value="{ids["housing_body"]}"' in first
        assert f'selected value="{ids["roads_body"]}"' in second


ROADS_ANSWER = "Здравствуйте, Иван! Яма на улице Ленина у дома 12 будет заделана до 5 ноября."
HOUSING_ANSWER = (
    "Здравствуйте, Иван! Горячей воды в доме 12 нет из-за аварии на трубопроводе; "
    "её подадут 31 октября после замены участка трубы."
)


def _push(app: Any, system: Any) -> None:
    from datetime import UTC, datetime

    from incident_bridge.services import outbox

    with app.app_context():
        state = app.extensions["incident_bridge"]
        outbox.push(state.unit_of_work(), state.context, system, datetime.now(UTC))


def _publish(curator: Any, url: str, part: Part, reason: str = "") -> str:
    page = curator.get(url).get_data(as_text=True)
    done = curator.submit(url, f"{url}/parts/{part.id}/publish",
                          {"override_reason": reason, "version": _version(page)})  # fmt: skip
    return done.get_data(as_text=True)


def test_leningrad_parts_published_in_turn_with_the_curators_consent(tmp_path):
    """8.9: «допускается последовательная публикация ответов ..., согласованная куратором»."""
    with regulation_app(tmp_path, "leningrad") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        assert "публикуются по очереди" in curator.get(url).get_data(as_text=True)
        _assign(curator, url, [ids["roads_body"], ids["housing_body"]], combiner="in_turn")
        roads, housing = signed_in(app, "roads"), signed_in(app, "housing")
        roads_name, housing_name = "Управление дорожного хозяйства", "Управление ЖКХ"
        assert "отдельным ответом автору" in roads.get(url).get_data(as_text=True)

        _send_part(roads, url, ROADS_ANSWER)
        assert _parts(app, incident.id)[housing_name].state is PartState.OPEN
        # The body cannot publish; the curator consents to publish the roads part at once.
        version = _version(curator.get(url).get_data(as_text=True))
        refused = roads.submit(url, f"{url}/parts/{_parts(app, incident.id)[roads_name].id}/publish",
                               {"version": version}).get_data(as_text=True)  # fmt: skip
        assert "Согласовать публикацию части ответа может" in refused
        assert _parts(app, incident.id)[roads_name].state is PartState.SUBMITTED
        _publish(curator, url, _parts(app, incident.id)[roads_name])
        assert _parts(app, incident.id)[roads_name].state is PartState.PUBLISHED
        _push(app, system)
        assert [o.text for o in system.delivered] == [ROADS_ANSWER]
        assert _status(app, incident.id) == Status.ROUTED  # the housing part is still to come
        # No combined answer is written in turn.
        assert 'id="form-draft"' not in curator.get(url).get_data(as_text=True)

        _send_part(housing, url, HOUSING_ANSWER)
        assert 'id="form-draft"' not in housing.get(url).get_data(as_text=True)
        _publish(curator, url, _parts(app, incident.id)[housing_name])
        assert _status(app, incident.id) == Status.PUBLISHING
        _push(app, system)
        assert [o.text for o in system.delivered] == [ROADS_ANSWER, HOUSING_ANSWER]
        assert _status(app, incident.id) == Status.CLOSED
        with app.app_context():
            session = app.extensions["incident_bridge"].db.session
            events = session.scalars(
                select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
            ).all()
            consents = [(e.actor_label, e.data.get("subdivision")) for e in events
                        if e.kind == "part_published"]  # fmt: skip
            kinds = [e.kind for e in events]
        assert consents == [("Curator", roads_name), ("Curator", housing_name)]
        assert kinds[-1] == "delivered" and "approve" in kinds


def test_in_turn_a_part_that_fails_the_checks_needs_a_reason_and_a_decline_is_finished(tmp_path):
    with regulation_app(tmp_path, "leningrad") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        _assign(curator, url, [ids["roads_body"], ids["housing_body"]], mode="at_once",
                combiner="in_turn")  # fmt: skip
        roads, housing = signed_in(app, "roads"), signed_in(app, "housing")
        roads_name, housing_name = "Управление дорожного хозяйства", "Управление ЖКХ"
        _send_part(roads, url, ROADS_PART)  # no greeting: the blocking check fails
        refused = _publish(curator, url, _parts(app, incident.id)[roads_name])
        assert "не прошла обязательные проверки" in refused
        assert _parts(app, incident.id)[roads_name].state is PartState.SUBMITTED
        assert system.delivered == [] and _status(app, incident.id) == Status.ROUTED
        _publish(curator, url, _parts(app, incident.id)[roads_name], "Автор просил кратко")
        assert _parts(app, incident.id)[roads_name].state is PartState.PUBLISHED

        page = housing.get(url).get_data(as_text=True)
        housing.submit(url, f"{url}/part/decline",
                       {"reason": "Не наш дом", "version": _version(page)})  # fmt: skip
        assert _status(app, incident.id) == Status.ROUTED
        page = curator.get(url).get_data(as_text=True)
        assert 'id="form-parts-finish"' in page
        _push(app, system)
        curator.submit(url, f"{url}/parts/finish", {"version": _version(page)})
        # Every publication was delivered already: the message closes at once.
        assert _status(app, incident.id) == Status.CLOSED
        assert [o.text for o in system.delivered] == [ROADS_PART]
        assert _parts(app, incident.id)[housing_name].state is PartState.DECLINED


def test_lipetsk_does_not_offer_publishing_in_turn(tmp_path):
    with regulation_app(tmp_path, "lipetsk") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        assert "публикуются по очереди" not in curator.get(url).get_data(as_text=True)
        done = _assign(curator, url, [ids["roads_body"], ids["housing_body"]], combiner="in_turn")
        assert "По регламенту" in done.get_data(as_text=True)
        assert _status(app, incident.id) == Status.NEW
