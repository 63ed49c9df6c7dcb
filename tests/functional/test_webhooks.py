"""Webhooks end to end: a real HTTP receiver on loopback checks every signature; the admin
page makes, shows and ends subscriptions."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from adapters.webhooks import HttpWebhookPoster
from incident_bridge.domain import signing
from incident_bridge.domain.model import DraftKind, IncidentPage
from incident_bridge.persistence.models import Webhook, WebhookDelivery
from incident_bridge.services import ingest, webhooks, workflow
from incident_bridge.services.actors import actor_for
from tests.fakes import GOOD_ANSWER, make_card

NOW = datetime(2025, 10, 30, 9, 0, tzinfo=UTC)


class Receiver:
    """A host system's endpoint: records each request, answers the scripted statuses in turn
    (then 200), and checks the signature with the documented algorithm, not the bridge's code."""

    def __init__(self, secret: str = "", answers: list[int] | None = None) -> None:
        self.secret = secret
        self.answers = list(answers or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/bridge"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def signed(self, headers: dict[str, str], body: bytes, now: datetime) -> bool:
        """The README's verification, as a receiver would write it."""
        timestamp = headers["X-Incident-Bridge-Timestamp"]
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body,
                            hashlib.sha256).hexdigest()  # fmt: skip
        fresh = abs(now.timestamp() - int(timestamp)) <= 300
        ok = hmac.compare_digest(f"sha256={expected}", headers["X-Incident-Bridge-Signature"])
        # The helper the bridge ships agrees.
        assert ok == signing.verify(self.secret, timestamp, body,
                                    headers["X-Incident-Bridge-Signature"], now)  # fmt: skip
        return fresh and ok

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def _subscribe(uow: Any, people: dict[str, Any], receiver: Receiver, *events: str) -> Webhook:
    made = webhooks.subscribe(uow, receiver.url, events, "Тестовый получатель",
                              actor_for(people["admin"]), NOW)  # fmt: skip
    receiver.secret = made.secret
    return made.webhook


def _arrive(uow: Any, ctx: Any) -> int:
    with uow:
        result = ingest.ingest_page(uow, ctx, IncidentPage((make_card(),), (), None, False), NOW)
    return result.incident_ids[0]


def test_the_receiver_gets_signed_events_of_ingest_and_of_the_workflow(uow, ctx, people, receiver):
    _subscribe(uow, people, receiver, webhooks.INCIDENT_CREATED, webhooks.DRAFT_SUBMITTED)
    incident_id = _arrive(uow, ctx)
    workflow.route(uow, ctx, incident_id, actor_for(people["operator"]), people["roads"].id,
                   now=NOW, assignee_id=people["roads_executor"].id)  # fmt: skip
    draft = workflow.submit_draft(uow, ctx, incident_id, actor_for(people["roads_executor"]),
                                  DraftKind.ANSWER, GOOD_ANSWER, now=NOW)  # fmt: skip
    when = NOW + timedelta(seconds=30)
    result = webhooks.deliver_due(uow, HttpWebhookPoster(), when,
                                  public_url="https://bridge.example/")  # fmt: skip
    assert result.delivered == 2
    assert all(receiver.signed(h, body, when) for h, body in receiver.requests)
    created, submitted = receiver.events()
    assert (
        created["event"] == "incident.created"
        and created["id"] == f"incident.created:{incident_id}"
    )
    assert created["data"]["url"] == f"https://bridge.example/incidents/{incident_id}"
    assert created["data"]["status"] == "new" and created["occurred_at"] == NOW.isoformat()
    assert submitted["event"] == "draft.submitted" and submitted["data"]["draft_id"] == draft.id
    assert submitted["data"]["subdivision"] == people["roads"].name
    headers = receiver.requests[1][0]
    assert headers["X-Incident-Bridge-Event"] == "draft.submitted"
    assert headers["X-Incident-Bridge-Delivery"] == submitted["id"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "incident-bridge"
    assert headers["X-Incident-Bridge-Timestamp"] == str(int(when.timestamp()))


def test_a_receiver_answering_500_gets_the_same_delivery_on_the_retry(
    uow, ctx, people, receiver, db_session
):
    _subscribe(uow, people, receiver, webhooks.INCIDENT_CREATED)
    receiver.answers = [500]
    _arrive(uow, ctx)
    assert webhooks.deliver_due(uow, HttpWebhookPoster(), NOW).retried == 1
    row = db_session.scalars(select(WebhookDelivery)).one()
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    later = NOW + timedelta(minutes=1)
    assert webhooks.deliver_due(uow, HttpWebhookPoster(), later).delivered == 1
    db_session.expire_all()
    assert (row.state, row.attempts, row.last_status) == ("delivered", 2, 200)
    (first_headers, first), (again_headers, again) = receiver.requests
    assert json.loads(first) == json.loads(again)  # the same event, so the receiver de-duplicates
    assert (
        first_headers["X-Incident-Bridge-Delivery"] == again_headers["X-Incident-Bridge-Delivery"]
    )
    assert receiver.signed(first_headers, first, NOW) and receiver.signed(
        again_headers, again, later
    )


def test_a_redirect_is_not_followed(uow, ctx, people, receiver, db_session):
    _subscribe(uow, people, receiver, webhooks.INCIDENT_CREATED)
    receiver.answers = [302]
    _arrive(uow, ctx)
    assert webhooks.deliver_due(uow, HttpWebhookPoster(), NOW).failed == 1
    row = db_session.scalars(select(WebhookDelivery)).one()
    assert (row.state, row.last_status) == ("failed", 302) and len(receiver.requests) == 1


def test_the_job_delivers_through_the_cli(app, uow, ctx, people, receiver):
    _subscribe(uow, people, receiver, webhooks.INCIDENT_CREATED)
    incident_id = _arrive(uow, ctx)
    result = app.test_cli_runner().invoke(args=["bridge", "webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"delivered": 1, "retried": 0, "failed": 0}
    ((headers, body),) = receiver.requests
    assert receiver.signed(headers, body, datetime.now(UTC))
    assert json.loads(body)["data"]["url"] == f"http://127.0.0.1:5000/incidents/{incident_id}"


# --- the admin page ------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'


def test_an_admin_subscribes_sees_the_secret_once_and_ends_it(app, people, browser, db_session):
    browser.login("admin")
    assert 'href="/admin/webhooks/"' in browser.get("/admin/").get_data(as_text=True)
    response = browser.submit("/admin/webhooks/", "/admin/webhooks/", {
        "url": "https://dms.example/hook?x=1&y=2",
        "description": HOSTILE,
        "events": ["incident.created", "reply.delivered"],
    })  # fmt: skip
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    webhook = db_session.scalars(select(Webhook)).one()
    match = re.search(r'<code id="secret-value">([^<]+)</code>', page)
    assert match and match.group(1) == webhook.secret
    assert "только один раз" in page
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert webhook.events == ["incident.created", "reply.delivered"]
    again = browser.get("/admin/webhooks/").get_data(as_text=True)
    assert webhook.secret not in again and HOSTILE not in again
    assert "Поступило новое сообщение" in again and "https://dms.example/hook?x=1&amp;y=2" in again
    ended = browser.submit("/admin/webhooks/", f"/admin/webhooks/{webhook.id}/deactivate", {})
    assert "Подписка отключена." in ended.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Webhook, webhook.id).active is False


def test_a_bad_subscription_is_refused_in_russian(people, browser, db_session):
    browser.login("admin")
    response = browser.submit("/admin/webhooks/", "/admin/webhooks/", {
        "url": "ftp://dms.example/hook", "description": "", "events": ["incident.created"],
    })  # fmt: skip
    assert "http:// или https://" in response.get_data(as_text=True)
    assert db_session.scalars(select(Webhook)).all() == []


def test_only_an_admin_may_open_the_page(people, browser, db_session):
    browser.login("operator")
    assert browser.get("/admin/webhooks/").status_code == 403
    token = browser.token("/notifications/")  # a form the operator may see: a valid token
    response = browser.client.post("/admin/webhooks/", data={
        "csrf_token": token, "url": "https://x.example/", "events": ["incident.created"],
    })  # fmt: skip
    assert response.status_code == 403
    assert db_session.scalars(select(Webhook)).all() == []


def test_the_form_asks_for_one_event_not_every_one(people, browser, db_session):
    """No `required` on each box (a browser would demand them all); none ticked is refused."""
    browser.login("admin")
    page = browser.get("/admin/webhooks/").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    assert len(boxes) == 5 and not any("required" in box for box in boxes)
    refused = browser.submit("/admin/webhooks/", "/admin/webhooks/", {
        "url": "https://dms.example/hook", "description": ""})  # fmt: skip
    assert "Выберите хотя бы одно событие." in refused.get_data(as_text=True)
    port = browser.submit("/admin/webhooks/", "/admin/webhooks/", {
        "url": "http://localhost:99999/x", "description": "", "events": ["incident.created"]})  # fmt: skip
    assert "записан неверно" in port.get_data(as_text=True)
    assert db_session.scalars(select(Webhook)).all() == []
