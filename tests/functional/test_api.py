"""The REST API v1: its document, tokens, the Yelets cycle through the API alone, ETags, problems."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from openapi_spec_validator import validate

from incident_bridge.domain.workflow import Status
from incident_bridge.persistence.models import ApiToken
from incident_bridge.services import api_tokens, directory, outbox
from incident_bridge.services.actors import actor_for
from tests.conftest import make_app, make_people, migrate
from tests.fakes import GOOD_ANSWER
from tests.functional.api_client import ApiClient, issue
from tests.functional.test_pages import _incident

PROBLEM = "application/problem+json"


@pytest.fixture
def clients(app: Any, people: dict[str, Any]) -> dict[str, ApiClient]:
    return {
        name: ApiClient(app, issue(app, people[name].id))
        for name in ("operator", "admin", "roads_executor", "housing_executor")
    }


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["detail"] and body["title"]
    assert any("а" <= ch <= "я" for ch in body["detail"].lower()), body["detail"]  # Russian
    return body


def test_the_openapi_document_is_valid_and_names_every_resource(app: Any) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    for path in ("/api/v1/incidents", "/api/v1/incidents/{incident_id}/route",
                 "/api/v1/incidents/{incident_id}/draft/submit", "/api/v1/subdivisions",
                 "/api/v1/people", "/api/v1/calendar", "/api/v1/reports"):  # fmt: skip
        assert path in paths
    assert spec["security"] == [{"token": []}]
    error = spec["components"]["responses"]["PRECONDITION_FAILED"]
    assert PROBLEM in error["content"]


def test_the_docs_page_loads_nothing_from_elsewhere(app: Any) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "https://" not in page and "//cdn" not in page
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/assets/api-docs.js").status_code == 200
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_without_a_good_token_nothing_is_answered(app: Any, people: dict[str, Any]) -> None:
    client = app.test_client()
    body = _problem(client.get("/api/v1/incidents"), 401)
    assert "Bearer" in body["detail"]
    forged = client.get("/api/v1/incidents", headers={"Authorization": "Bearer ib_forged"})
    assert forged.headers["WWW-Authenticate"].startswith("Bearer")
    _problem(forged, 401)
    # A signed-in browser's cookie opens nothing in the API.
    client.post("/login", data={"login": "operator", "password": "Proverka-Elets-2026"})
    _problem(client.get("/api/v1/incidents"), 401)


def test_a_token_stops_when_revoked_expired_or_its_owner_is_deactivated(
    app: Any, people: dict[str, Any]
) -> None:
    operator = ApiClient(app, issue(app, people["operator"].id, expires_days=1))
    assert operator.get("/api/v1/incidents").status_code == 200
    later = datetime.now(UTC) + timedelta(days=2)
    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        assert api_tokens.authenticate(uow, operator.token, later) is None
        stored = uow.api_tokens.by_digest(api_tokens.digest(operator.token))
        assert stored is not None and stored.digest != operator.token  # only the digest is kept
        assert operator.token not in {t.prefix for t in uow.api_tokens.all()}
    executor = ApiClient(app, issue(app, people["roads_executor"].id))
    assert executor.get("/api/v1/incidents").status_code == 200
    admin = ApiClient(app, issue(app, people["admin"].id))
    changed = admin.call("PATCH", f"/api/v1/people/{people['roads_executor'].id}",
                         json={"active": False})  # fmt: skip
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    _problem(executor.get("/api/v1/incidents"), 401)
    with app.app_context():
        uow = app.extensions["incident_bridge"].unit_of_work()
        (row,) = [t for t in uow.api_tokens.all() if t.user_id == people["operator"].id]
        api_tokens.revoke(uow, row.id, by=actor_for(people["admin"]), now=datetime.now(UTC))
    _problem(operator.get("/api/v1/incidents"), 401)


def test_the_yelets_cycle_through_the_api_alone(
    app: Any, people: dict[str, Any], clients: dict[str, ApiClient], fake_system: Any
) -> None:
    incident = _incident(app, fake_system)
    operator, executor = clients["operator"], clients["roads_executor"]
    listed = operator.get("/api/v1/incidents?status=new").get_json()
    assert [i["id"] for i in listed["items"]] == [incident.id] and listed["total"] == 1

    routed = operator.step(incident.id, "route", {"subdivision_id": people["roads"].id})
    assert routed.status_code == 200, routed.get_json()
    assert routed.get_json()["status"] == Status.ROUTED
    assert routed.headers["ETag"] == f'"{routed.get_json()["version"]}"'
    clocks = {c["name"]: c for c in routed.get_json()["clocks"]}
    assert clocks["route"]["state"] in ("met", "missed") and clocks["draft"]["due_at"]

    assert executor.get("/api/v1/incidents").get_json()["total"] == 1
    scaffold = executor.get(f"/api/v1/incidents/{incident.id}/scaffold").get_json()["text"]
    assert "здравствуйте" in scaffold.lower() and "[[ответ:" in scaffold
    saved = executor.step(incident.id, "draft", {"text": "Сделаем."}, method="PUT")
    assert saved.status_code == 200 and saved.get_json()["drafts"][-1]["state"] == "editing"
    submitted = executor.step(incident.id, "draft/submit", {"text": "Сделаем."})
    assert submitted.get_json()["status"] == Status.ON_REVIEW
    report = submitted.get_json()["drafts"][-1]["check_report"]
    assert report  # the checks' findings travel with the draft

    returned = operator.step(incident.id, "return", {"reason": "Нет приветствия."})
    assert returned.get_json()["status"] == Status.REWORK
    resubmitted = executor.step(incident.id, "draft/submit", {"text": GOOD_ANSWER})
    assert resubmitted.get_json()["status"] == Status.ON_REVIEW
    approved = operator.step(incident.id, "approve", {})
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == Status.PUBLISHING

    with app.app_context():
        state = app.extensions["incident_bridge"]
        outbox.push(state.unit_of_work(), state.context, fake_system, datetime.now(UTC))
    done = operator.get(f"/api/v1/incidents/{incident.id}").get_json()
    assert done["status"] == Status.CLOSED
    assert [d["state"] for d in done["deliveries"]] == ["sent"]
    assert [o.text for o in fake_system.delivered] == [GOOD_ANSWER]
    actors = {e["actor"] for e in done["history"]}
    assert {"Operator", "Roads"} <= actors  # every step attributed, as on the pages


def test_a_change_needs_the_current_version(
    app: Any, people: dict[str, Any], clients: dict[str, ApiClient], fake_system: Any
) -> None:
    incident = _incident(app, fake_system)
    operator = clients["operator"]
    url = f"/api/v1/incidents/{incident.id}/route"
    body = {"subdivision_id": people["roads"].id}
    _problem(operator.call("POST", url, json=body), 428)
    tag = operator.get(f"/api/v1/incidents/{incident.id}").headers["ETag"]
    assert operator.call("POST", url, json=body, headers={"If-Match": tag}).status_code == 200
    stale = operator.call("POST", f"/api/v1/incidents/{incident.id}/exclude",
                          json={"reason": "Спам"}, headers={"If-Match": tag})  # fmt: skip
    assert "изменил" in _problem(stale, 412)["detail"]


def test_refusals_are_the_pages_refusals(
    app: Any, people: dict[str, Any], clients: dict[str, ApiClient], fake_system: Any
) -> None:
    incident = _incident(app, fake_system)
    executor, other = clients["roads_executor"], clients["housing_executor"]
    # An executor may not route; another body's executor does not see the message at all.
    url = f"/api/v1/incidents/{incident.id}"
    route = {"subdivision_id": people["roads"].id}
    _problem(executor.call("POST", f"{url}/route", json=route, headers={"If-Match": '"1"'}), 403)
    _problem(executor.get(url), 404)
    clients["operator"].step(incident.id, "route", {"subdivision_id": people["roads"].id})
    _problem(other.get(url), 404)
    _problem(executor.step(incident.id, "approve", {}), 403)
    # Approving nothing on review: the workflow's own refusal.
    _problem(clients["operator"].step(incident.id, "approve", {}), 409)
    bad = clients["operator"].step(incident.id, "exclude", {"reason": "x", "extra": 1})
    assert "extra" in str(_problem(bad, 422).get("errors"))
    _problem(clients["admin"].get("/api/v1/incidents/999999"), 404)
    _problem(executor.get("/api/v1/people"), 403)


def test_the_cursor_walks_the_whole_queue_once(
    app: Any, clients: dict[str, ApiClient], fake_system: Any
) -> None:
    ids = {_incident(app, fake_system).id for _ in range(7)}
    with app.app_context():  # two without a deadline: the order's second stretch
        uow = app.extensions["incident_bridge"].unit_of_work()
        with uow:
            uow.incidents.set_due(dict.fromkeys(sorted(ids)[:2]))
    for sort in ("due", "created", "number"):
        for direction in ("asc", "desc"):
            seen: list[int] = []
            url = f"/api/v1/incidents?limit=3&sort={sort}&dir={direction}"
            while url:
                page = clients["operator"].get(url).get_json()
                assert page["total"] == 7
                seen += [i["id"] for i in page["items"]]
                cursor = page["next_cursor"]
                url = (
                    f"/api/v1/incidents?limit=3&sort={sort}&dir={direction}&cursor={cursor}"
                    if cursor
                    else ""
                )
            assert sorted(seen) == sorted(ids) and len(seen) == 7, (sort, direction)
    _problem(clients["operator"].get("/api/v1/incidents?cursor=garbage"), 422)


def test_the_directory_calendar_and_reports(
    app: Any, people: dict[str, Any], clients: dict[str, ApiClient]
) -> None:
    admin = clients["admin"]
    names = {s["name"] for s in admin.get("/api/v1/subdivisions").get_json()}
    assert "Управление ЖКХ" in names
    created = admin.call("POST", "/api/v1/subdivisions", json={"name": "Управление культуры"})
    assert created.status_code == 201
    _problem(admin.call("POST", "/api/v1/subdivisions", json={"name": "управление культуры"}), 422)
    _problem(clients["operator"].call("POST", "/api/v1/subdivisions", json={"name": "X"}), 403)
    logins = {p["login"] for p in admin.get("/api/v1/people").get_json()}
    assert {"operator", "roads"} <= logins
    assert all("password" not in p for p in admin.get("/api/v1/people").get_json())
    year = admin.get("/api/v1/calendar?year=2026").get_json()
    january = year["months"][0]
    assert january["days"][0]["kind"] == "off"  # New Year holidays
    assert sum(m["working_days"] for m in year["months"]) == 247
    report = clients["operator"].get("/api/v1/reports?period=2026-Q4").get_json()
    assert report["period"] == "2026-Q4" and report["first_day"] == "2026-10-01"
    _problem(clients["operator"].get("/api/v1/reports?period=никогда"), 422)
    _problem(clients["roads_executor"].get("/api/v1/reports"), 403)


def test_a_token_over_its_limit_waits(tmp_path: Any, postgres_or_sqlite: str = "") -> None:
    app = make_app(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path,
                   INCIDENT_BRIDGE_API_RATE_LIMIT="3 per minute")  # fmt: skip
    migrate(app)
    people = make_people(app, datetime.now(UTC))
    client = ApiClient(app, issue(app, people["operator"].id))
    assert [client.get("/api/v1/subdivisions").status_code for _ in range(3)] == [200] * 3
    limited = client.get("/api/v1/subdivisions")
    _problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    other = ApiClient(app, issue(app, people["admin"].id))
    assert other.get("/api/v1/subdivisions").status_code == 200  # per token, not per address


def test_the_cli_prints_the_token_on_its_last_line(app: Any, people: dict[str, Any]) -> None:
    runner = CliRunner()
    result = app.test_cli_runner().invoke(
        args=["bridge", "api-token", "create", "--login", "operator", "--expires-days", "30"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("ib_")
    assert ApiClient(app, token).get("/api/v1/incidents").status_code == 200
    listed = app.test_cli_runner().invoke(args=["bridge", "api-token", "list"])
    assert "operator" in listed.output and token not in listed.output
    missing = app.test_cli_runner().invoke(
        args=["bridge", "api-token", "create", "--login", "nobody"]
    )
    assert missing.exit_code != 0 and "nobody" in missing.output
    assert runner is not None
    with app.app_context():
        session = app.extensions["incident_bridge"].session()
        assert session.query(ApiToken).count() == 1
        assert directory.CONSOLE.name in session.query(ApiToken).one().created_by


def test_the_admin_page_issues_once_lists_and_revokes(
    browser: Any, app: Any, people: dict[str, Any]
) -> None:
    browser.login("admin")
    hostile = '<script>alert("x")</script>'
    issued = browser.submit("/admin/tokens/", "/admin/tokens/", {
        "user": people["operator"].id, "name": hostile, "expires_days": "30"})  # fmt: skip
    assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
    page = browser.last_page
    token = page.split('id="issued-token-value">')[1].split("<")[0]
    assert token.startswith("ib_") and hostile not in page and "&lt;script&gt;" in page
    assert ApiClient(app, token).get("/api/v1/incidents").status_code == 200
    listed = browser.get("/admin/tokens/").get_data(as_text=True)
    assert token not in listed and token[:10] in listed and "действует" in listed
    with app.app_context():
        (row,) = app.extensions["incident_bridge"].unit_of_work().api_tokens.all()
        token_id = row.id
    browser.submit("/admin/tokens/", f"/admin/tokens/{token_id}/revoke", {})
    assert "отозван" in browser.last_page
    _problem(ApiClient(app, token).get("/api/v1/incidents"), 401)
    security = browser.get("/admin/security/").get_data(as_text=True)
    assert "Выдан API-токен" in security and "API-токен отозван" in security
    other = browser.__class__(app.test_client())
    other.login("operator")
    assert other.get("/admin/tokens/").status_code == 403


def test_phrases_through_the_api(
    app: Any, people: dict[str, Any], clients: dict[str, ApiClient]
) -> None:
    operator, roads, housing = (
        clients["operator"],
        clients["roads_executor"],
        clients["housing_executor"],
    )
    body = {"subdivision_id": people["roads"].id, "title": "Сроки ремонта",
            "text": "Работы запланированы на май."}  # fmt: skip
    made = operator.call("POST", "/api/v1/phrases", json=body)
    assert made.status_code == 201, made.get_json()
    phrase_id = made.get_json()["id"]
    common = operator.call("POST", "/api/v1/phrases", json={**body, "subdivision_id": None,
                                                            "title": "Приветствие"})  # fmt: skip
    assert common.status_code == 201
    assert {p["title"] for p in roads.get("/api/v1/phrases").get_json()} == {
        "Сроки ремонта",
        "Приветствие",
    }
    assert {p["title"] for p in housing.get("/api/v1/phrases").get_json()} == {"Приветствие"}
    _problem(roads.call("POST", "/api/v1/phrases", json=body), 403)
    _problem(operator.call("POST", "/api/v1/phrases", json=body), 422)  # the same title again
    edited = operator.call("PUT", f"/api/v1/phrases/{phrase_id}", json={**body, "text": "В июне."})
    assert edited.get_json()["text"] == "В июне."
    assert operator.call("DELETE", f"/api/v1/phrases/{phrase_id}").get_json()["archived_at"]
    assert {p["title"] for p in roads.get("/api/v1/phrases").get_json()} == {"Приветствие"}


def test_webhooks_through_the_api(app: Any, clients: dict[str, ApiClient]) -> None:
    admin = clients["admin"]
    body = {"url": "https://dms.example/hook", "events": ["incident.created", "draft.submitted"],
            "description": "СЭД"}  # fmt: skip
    made = admin.call("POST", "/api/v1/webhooks", json=body)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    assert len(made.get_json()["secret"]) >= 32
    listed = admin.get("/api/v1/webhooks").get_json()
    assert [h["url"] for h in listed] == ["https://dms.example/hook"] and "secret" not in listed[0]
    _problem(admin.call("POST", "/api/v1/webhooks", json={**body, "url": "ftp://x"}), 422)
    _problem(admin.call("POST", "/api/v1/webhooks", json={**body, "events": ["nothing"]}), 422)
    _problem(clients["operator"].call("POST", "/api/v1/webhooks", json=body), 403)
    _problem(clients["operator"].get("/api/v1/webhooks"), 403)
    gone = admin.call("DELETE", f"/api/v1/webhooks/{made.get_json()['id']}")
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    _problem(admin.call("DELETE", "/api/v1/webhooks/999999"), 404)


def test_reloading_the_issued_page_issues_no_second_token(
    browser: Any, app: Any, people: dict[str, Any]
) -> None:
    browser.login("admin")
    page = browser.get("/admin/tokens/").get_data(as_text=True)
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="nonce"', page)  # fmt: skip
    assert nonce
    form = {
        "user": people["operator"].id,
        "name": "СЭД",
        "expires_days": "30",
        "nonce": nonce.group(1),
    }
    assert browser.submit("/admin/tokens/", "/admin/tokens/", form).status_code == 201
    assert 'value="СЭД"' not in browser.last_page  # the form after issuing is empty
    again = browser.submit("/admin/tokens/", "/admin/tokens/", form)  # the browser's «resend»
    assert "уже выдан" in again.get_data(as_text=True)
    with app.app_context():
        assert len(app.extensions["incident_bridge"].unit_of_work().api_tokens.all()) == 1


def test_problems_speak_russian_to_the_integrator(app: Any, clients: dict[str, ApiClient]) -> None:
    operator = clients["operator"]
    missing = _problem(operator.get("/api/v1/incidents/999999"), 404)
    assert "999999" in missing["detail"]
    bad = _problem(operator.get("/api/v1/incidents?limit=0&sort=x"), 422)
    flat = json.dumps(bad["errors"], ensure_ascii=False)
    assert "Число от 1 до 200." in flat and "Допустимые значения" in flat
    extra = operator.call("POST", "/api/v1/subdivisions", json={"name": "X", "extra": 1})
    assert "Неизвестное поле." in json.dumps(_problem(extra, 422)["errors"], ensure_ascii=False)
    broken = operator.client.post("/api/v1/subdivisions", data="{not json",
                                  headers={"Authorization": f"Bearer {operator.token}",
                                           "Content-Type": "application/json"})  # fmt: skip
    assert "не JSON" in _problem(broken, 400)["detail"]
