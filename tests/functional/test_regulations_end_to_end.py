"""Each of the five regulations walked through its whole cycle, with its own roles.

Yelets: the appeals department routes, checks and publishes. Lipetsk and Sobolevo: a
curator routes (here to two bodies, the last one combining) and approves. Leningrad:
the curator routes and returns a draft once before approving. Luga: the department
assigns the executor, the draft goes up to the regional authority in the incident
system, which returns it once and then approves it; the municipality publishes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from incident_bridge.domain.model import ApprovalVerdict, OutboundKind
from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import Incident, IncidentEvent
from incident_bridge.services import outbox, polling
from tests.functional.regulation_apps import cast, regulation_app, signed_in
from tests.functional.test_pages import _incident, _status, _version

QUESTION = "Здравствуйте! На улице Ленина огромная яма у дома 12. Когда её заделают?"
ANSWER = "Здравствуйте, Иван! Яму на улице Ленина у дома 12 заделаем до 5 ноября."
TWO_QUESTIONS = (
    "Здравствуйте! На улице Ленина яма у дома 12, когда её заделают? "
    "И почему в доме 12 третий день нет горячей воды?"
)
COMBINED = (
    "Здравствуйте, Иван! Яму на улице Ленина у дома 12 заделаем до 5 ноября. "
    "Горячей воды в доме 12 нет из-за аварии на трубопроводе; её подадут 31 октября."
)


def _sync(app: Any, system: Any) -> None:
    """One run of the push and poll jobs, as the scheduler would."""
    with app.app_context():
        state = app.extensions["incident_bridge"]
        now = datetime.now(UTC)
        outbox.push(state.unit_of_work(), state.context, system, now)
        polling.poll(state.unit_of_work(), state.context, system, now)


def _step(browser: Any, url: str, step: str, data: dict[str, Any]) -> str:
    """Take a step with the version the page shows (or, if it offers no step, the stored one)."""
    page = browser.get(url).get_data(as_text=True)
    version = _version(page) if 'name="version"' in page else _stored_version(browser, url)
    done = browser.submit(url, f"{url}/{step}", {**data, "version": version})
    return done.get_data(as_text=True)


def _stored_version(browser: Any, url: str) -> int:
    app = browser.client.application
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        return session.get(Incident, int(url.rsplit("/", 1)[1])).version_id


def _history(app: Any, incident_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        session = app.extensions["incident_bridge"].db.session
        rows = session.scalars(
            select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        ).all()  # fmt: skip
        return [(e.kind, e.actor_label) for e in rows]


def _single_body_cycle(profile: str, router: str, reviewer: str, tmp_path: Any) -> None:
    with regulation_app(tmp_path, profile) as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=QUESTION)
        url = f"/incidents/{incident.id}"
        others = {"operator", "curator"} - {router}
        for login in others:  # the regulation gives routing to someone else: refused
            _step(signed_in(app, login), url, "route", {"subdivision": ids["roads_body"]})
            assert _status(app, incident.id) == Status.NEW
        _step(signed_in(app, router), url, "route", {"subdivision": ids["roads_body"]})
        assert _status(app, incident.id) == Status.ROUTED
        roads = signed_in(app, "roads")
        _step(roads, url, "draft", {"kind": "answer", "text": "Здравствуйте! Разберёмся.",
                                     "submit": "1"})  # fmt: skip
        assert _status(app, incident.id) == Status.ON_REVIEW
        _step(signed_in(app, reviewer), url, "return", {"reason": "Ответьте, когда заделают яму"})
        assert _status(app, incident.id) == Status.REWORK
        sent = _step(roads, url, "draft", {"kind": "answer", "text": ANSWER, "submit": "1"})
        # The executor is told where the draft went, in the regulation's words.
        to = "куратору" if reviewer == "curator" else "в отдел по обращениям граждан"
        assert f"Проект отправлен {to} на проверку." in sent
        _step(signed_in(app, reviewer), url, "approve", {})
        assert _status(app, incident.id) == Status.PUBLISHING
        _sync(app, system)
        assert _status(app, incident.id) == Status.CLOSED
        assert [o.text for o in system.delivered] == [ANSWER]
        kinds = [kind for kind, _ in _history(app, incident.id)]
        assert kinds.count("return") == 1 and kinds[-1] == "delivered"


def test_yelets_the_department_routes_checks_and_publishes(tmp_path):
    _single_body_cycle("yelets", "operator", "operator", tmp_path)


def test_leningrad_the_curator_routes_returns_once_and_approves(tmp_path):
    _single_body_cycle("leningrad", "curator", "curator", tmp_path)


def _parts_cycle(profile: str, tmp_path: Any) -> None:
    with regulation_app(tmp_path, profile) as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=TWO_QUESTIONS)
        url = f"/incidents/{incident.id}"
        curator = signed_in(app, "curator")
        _step(curator, url, "parts", {"bodies-0": ids["roads_body"],
                                      "bodies-1": ids["housing_body"], "mode": "in_order"})  # fmt: skip
        for login, text in (("roads", "Яму заделаем до 5 ноября."),
                            ("housing", "Горячей воды нет из-за аварии; подадут 31 октября.")):  # fmt: skip
            _step(signed_in(app, login), url, "part", {"text": text, "submit": "1"})
        housing = signed_in(app, "housing")  # the last body combines (Lipetsk 14, Sobolevo 17)
        _step(housing, url, "draft", {"kind": "answer", "text": COMBINED, "submit": "1"})
        assert _status(app, incident.id) == Status.ON_REVIEW
        _step(curator, url, "approve", {})
        _sync(app, system)
        assert _status(app, incident.id) == Status.CLOSED
        assert [o.text for o in system.delivered] == [COMBINED]
        who = dict(_history(app, incident.id))
        assert who["part_submitted"] == "Исполнитель Управление ЖКХ"
        assert who["approve"] == "Curator"


def test_lipetsk_the_curator_assigns_two_bodies_and_approves_the_combined_answer(tmp_path):
    _parts_cycle("lipetsk", tmp_path)


def test_sobolevo_the_curator_assigns_two_bodies_and_approves_the_combined_answer(tmp_path):
    _parts_cycle("sobolevo", tmp_path)


def test_luga_the_regional_authority_returns_then_approves_in_the_incident_system(tmp_path):
    with regulation_app(tmp_path, "luga") as (app, system):
        ids = cast(app)
        incident = _incident(app, system, text=QUESTION)
        url = f"/incidents/{incident.id}"
        _step(signed_in(app, "operator"), url, "route", {"subdivision": ids["roads_body"]})
        roads = signed_in(app, "roads")
        _step(roads, url, "draft", {"kind": "answer", "text": "Здравствуйте! Разберёмся.",
                                     "submit": "1"})  # fmt: skip
        assert _status(app, incident.id) == Status.ON_REVIEW
        # Nobody approves here: the regional authority decides in the incident system.
        regional = signed_in(app, "regional")
        page = _step(regional, url, "approve", {})
        assert "согласует региональный орган в системе Инцидент" in page
        assert _status(app, incident.id) == Status.ON_REVIEW
        _sync(app, system)
        assert [o.kind for o in system.delivered] == [OutboundKind.APPROVAL_REQUEST]
        system.decide(incident.external_id, ApprovalVerdict.RETURNED, "Укажите срок ремонта")
        _sync(app, system)
        assert _status(app, incident.id) == Status.REWORK
        assert "Укажите срок ремонта" in roads.get(url).get_data(as_text=True)
        _step(roads, url, "draft", {"kind": "answer", "text": ANSWER, "submit": "1"})
        _sync(app, system)  # the second round goes up; the old decision does not apply to it
        assert _status(app, incident.id) == Status.ON_REVIEW
        system.decide(incident.external_id, ApprovalVerdict.APPROVED)
        _sync(app, system)  # the decision arrives; the municipality publishes (cl.9)
        assert _status(app, incident.id) == Status.PUBLISHING
        _sync(app, system)
        assert _status(app, incident.id) == Status.CLOSED
        kinds = [o.kind for o in system.delivered]
        assert kinds == [OutboundKind.APPROVAL_REQUEST, OutboundKind.APPROVAL_REQUEST,
                         OutboundKind.ANSWER]  # fmt: skip
        assert system.delivered[-1].text == ANSWER
        history = _history(app, incident.id)
        assert ("returned_remotely", "Система (синхронизация)") in history
        assert [k for k, _ in history].count("approved_remotely") == 1
