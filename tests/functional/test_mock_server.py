"""The mock incident system's control API, its API edges and the testers' page."""

# Flask types ``TestResponse.json`` as optional; these tests index it freely.
# mypy: disable-error-code="index, union-attr, return-value, var-annotated"

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from mocks import create_app
from mocks.__main__ import main

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app() -> Flask:
    return create_app({"MOCK_COUNT": 10, "MOCK_SEED": 4, "MOCK_CLOCK": lambda: NOW})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def bearer(client: FlaskClient) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", json={"client_id": "bridge", "client_secret": "secret"}
    )
    return {"Authorization": f"Bearer {token.json['access_token']}"}


def test_seeding_is_deterministic_and_realistic() -> None:
    def cards(seed: int) -> list[dict[str, Any]]:
        app = create_app({"MOCK_COUNT": 0, "MOCK_CLOCK": lambda: NOW})
        app.test_client().post("/_control/seed", json={"count": 300, "seed": seed})
        return app.test_client().get("/_control/incidents").json

    first, again, other = cards(1), cards(1), cards(2)
    assert first == again and first != other
    kinds = Counter(c["_kind"] for c in first)
    assert kinds["normal"] > 200 and kinds["repeat"] and kinds["obscene"] and kinds["threat"]
    assert {c["platform"] for c in first} >= {"vk", "ok", "telegram"}
    assert {c["importance"] for c in first} == {"high", "normal", "private"}
    assert Counter(c["municipality"] for c in first).most_common(1)[0][0] == "Елец"
    assert any("?" in c["text"] for c in first) and any(c["attachments"] for c in first)
    assert all(c["detected_at"] <= c["created_at"] for c in first)
    repeat = next(c for c in first if c["_kind"] == "repeat" and c["extra"])
    assert repeat["extra"]["repeat_of"] in {c["number"] for c in first}


def test_control_api_injects_follow_ups_feedback_and_reports(client: FlaskClient) -> None:
    created = client.post(
        "/_control/incidents", json={"id": "X-1", "text": "Нет света?", "importance": "high"}
    )
    assert created.status_code == 201 and created.json["text"] == "Нет света?"
    assert created.json["author"]["name"]  # fields not given are generated
    revision = created.json["revision"]
    follow = client.post("/_control/incidents/X-1/follow-ups", json={"text": "Уже два дня."})
    assert follow.json["follow_ups"][0]["text"] == "Уже два дня."
    assert follow.json["revision"] > revision
    feedback = client.post("/_control/incidents/X-1/feedback", json={"value": "dissatisfied"})
    assert feedback.json["feedback"] == "dissatisfied"
    assert (
        client.post("/_control/incidents/X-1/feedback", json={"value": "так себе"}).status_code
        == 422
    )
    assert client.post("/_control/incidents/nope/follow-ups", json={}).status_code == 404
    assert client.post("/_control/incidents", json={"id": "X-1"}).status_code == 409
    stats = client.get("/_control/stats").json
    assert stats["incidents"] == 11 and stats["duplicate_effects"] == 0


def test_pushed_lists_replies_with_keys_and_reset_forgets_everything(client: FlaskClient) -> None:
    headers = {**bearer(client), "Idempotency-Key": "k1"}
    ident = client.get("/_control/incidents").json[0]["id"]
    body = {"kind": "interim", "text": "Здравствуйте! Проверяем.", "signed_by": None}
    assert (
        client.post(f"/api/v1/incidents/{ident}/replies", json=body, headers=headers).status_code
        == 201
    )
    assert (
        client.post(f"/api/v1/incidents/{ident}/replies", json=body, headers=headers).status_code
        == 200
    )
    (row,) = client.get("/_control/pushed").json["replies"]
    assert row["idempotency_key"] == "k1" and row["attempts"] == 2 and row["received_at"]
    assert client.get("/_control/stats").json["replies_received"] == 2
    client.post("/_control/reset")
    assert client.get("/_control/pushed").json == {"replies": [], "redirects": [], "approvals": []}
    assert client.get("/_control/stats").json["incidents"] == 0


def test_fault_settings_are_validated(client: FlaskClient) -> None:
    good = client.put("/_control/faults", json={"seed": 2, "fetch": {"error_rate": 0.5}})
    assert (
        good.status_code == 200
        and client.get("/_control/faults").json["fetch"]["error_rate"] == 0.5
    )
    for bad in ({"fetch": {"error_rate": 2}}, {"fetch": {"nonsense": 1}}, {"elsewhere": {}}):
        assert client.put("/_control/faults", json=bad).status_code == 422


def test_api_requires_a_valid_token(client: FlaskClient) -> None:
    missing = client.get("/api/v1/incidents")
    assert missing.status_code == 401 and missing.json["error"] == "missing_token"
    wrong = client.get("/api/v1/incidents", headers={"Authorization": "Bearer forged"})
    assert wrong.json["error"] == "invalid_token"
    assert client.post("/api/v1/auth/token", json={"client_id": "bridge"}).status_code == 401
    cyrillic = client.post("/api/v1/auth/token", json={"client_id": "мост", "client_secret": "ё"})
    assert cyrillic.json["error"] == "invalid_client"
    form = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "bridge", "client_secret": "secret"},
    )
    assert form.status_code == 200 and form.json["token_type"] == "Bearer"


def test_static_token_works(client: FlaskClient) -> None:
    app = create_app({"MOCK_COUNT": 1, "MOCK_TOKEN": "letmein"})
    answer = app.test_client().get("/api/v1/incidents", headers={"Authorization": "Bearer letmein"})
    assert answer.status_code == 200 and len(answer.json["items"]) == 1


def test_api_validates_requests(client: FlaskClient) -> None:
    headers = bearer(client)
    assert (
        client.get("/api/v1/incidents?cursor=zzz", headers=headers).json["error"]
        == "invalid_cursor"
    )
    assert client.get("/api/v1/incidents?limit=0", headers=headers).status_code == 400
    ident = client.get("/_control/incidents").json[0]["id"]
    url = f"/api/v1/incidents/{ident}/replies"
    no_key = client.post(url, json={"kind": "answer", "text": "x"}, headers=headers)
    assert no_key.json["error"] == "missing_idempotency_key"
    keyed = {**headers, "Idempotency-Key": "k"}
    bad = client.post(url, json={"kind": "poem", "text": "", "x": 1}, headers=keyed)
    assert bad.status_code == 422 and bad.json["error"] == "validation_failed"
    assert client.get("/api/v1/nowhere", headers=headers).json["error"] == "not_found"


def test_incident_page_walks_the_change_sequence(client: FlaskClient) -> None:
    headers = bearer(client)
    first = client.get("/api/v1/incidents?limit=6", headers=headers).json
    rest = client.get(
        f"/api/v1/incidents?limit=6&cursor={first['next_cursor']}", headers=headers
    ).json
    assert (first["has_more"], rest["has_more"]) == (True, False)
    assert len(first["items"]) + len(rest["items"]) == 10
    one = client.get(f"/api/v1/incidents/{first['items'][0]['id']}", headers=headers)
    assert one.json == first["items"][0]


def test_openapi_is_served_and_lists_the_endpoints(client: FlaskClient) -> None:
    spec = yaml.safe_load(client.get("/api/v1/openapi.yaml").get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert {
        "/auth/token",
        "/incidents",
        "/incidents/{id}",
        "/incidents/{id}/replies",
        "/incidents/{id}/redirects",
        "/ping",
    } <= set(spec["paths"])


def test_page_shows_state_and_escapes_citizen_text(client: FlaskClient) -> None:
    client.post(
        "/_control/incidents",
        json={"id": "XSS", "text": "<script>alert(1)</script>", "author": {"name": "<b>Вася</b>"}},
    )
    html = client.get("/_control/").get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "<b>Вася</b>" not in html and "&lt;b&gt;Вася&lt;/b&gt;" in html
    assert "Мок «Системы Инцидент»" in html


def test_page_forms_change_the_state(client: FlaskClient) -> None:
    page = client.post(
        "/_control/ui/inject",
        data={"text": "<img src=x onerror=alert(1)>", "author": "Пётр", "importance": "private"},
        follow_redirects=True,
    )
    assert "<img src=x" not in page.get_data(as_text=True)
    (injected,) = [i for i in client.get("/_control/incidents").json if i["_kind"] == "injected"]
    client.post("/_control/ui/follow-up", data={"id": injected["id"], "text": "Ещё"})
    client.post("/_control/ui/feedback", data={"id": injected["id"], "value": "neutral"})
    card = client.get("/_control/incidents").json[0]
    assert card["follow_ups"][-1]["text"] == "Ещё" and card["feedback"] == "neutral"
    client.post("/_control/ui/faults", data={"faults": '{"fetch": {"latency": 0.01}}'})
    assert client.get("/_control/faults").json["fetch"]["latency"] == 0.01
    broken = client.post("/_control/ui/faults", data={"faults": "{oops"}, follow_redirects=True)
    assert "Ошибка" in broken.get_data(as_text=True)
    client.post("/_control/ui/seed", data={"count": "3", "seed": "9"})
    assert client.get("/_control/stats").json["incidents"] == 3
    client.post("/_control/ui/reset")
    assert client.get("/_control/stats").json["incidents"] == 0


def test_command_line_rejects_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--port", "not-a-number"])
    assert "--port" in capsys.readouterr().err


def test_generated_messages_arrive_in_recent_working_hours() -> None:
    """The demo queue shows on-time, due-soon and overdue messages alike, never from the future."""
    from datetime import timedelta, timezone

    from mocks.generator import Generator

    moscow = timezone(timedelta(hours=3))
    now = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # Wednesday 14:30 Moscow
    generator = Generator(seed=3)
    created = [generator.created_at(now) for _ in range(400)]
    local = [c.astimezone(moscow) for c in created]
    assert all(c <= now for c in created)
    assert all(c.weekday() < 5 and 9 <= c.hour < 18 for c in local)
    ages = [(now - c).total_seconds() / 60 for c in created]
    assert sum(a <= 40 for a in ages) > 80  # fresh ones
    assert sum(a > 24 * 60 for a in ages) > 80  # days old: overdue
    assert max(ages) < 8 * 24 * 60


def test_seeding_reads_one_earlier_card_per_repeat() -> None:
    """Seeding 20,000 incidents stays linear: no incident copies or scans the ones before it."""
    from collections.abc import Iterator, Sequence

    from mocks.state import MockState

    class CountingView(Sequence[Any]):
        """The earlier cards the generator is handed, counting every card it reads."""

        reads = 0

        def __init__(self, cards: Sequence[Any]) -> None:
            self.cards = cards

        def __len__(self) -> int:
            return len(self.cards)

        def __getitem__(self, index: Any) -> Any:
            CountingView.reads += 1
            return self.cards[index]

        def __iter__(self) -> Iterator[Any]:
            for card in self.cards:
                CountingView.reads += 1
                yield card

    handed: list[Sequence[Any]] = []
    state = MockState(seed=11, clock=lambda: NOW)
    generator = state.generator
    make = generator.incident

    def spy(number: int, now: datetime, earlier: Sequence[Any] = ()) -> tuple[dict[str, Any], str]:
        handed.append(earlier)
        return make(number, now, CountingView(earlier))

    generator.incident = spy  # type: ignore[method-assign]
    for _ in range(20_000):
        state.add_incident()

    repeats = sum(i.kind == "repeat" for i in state.incidents.values())
    assert repeats > 1_000 and CountingView.reads == repeats  # one card read per repeat, no scans
    # The state hands over one growing list instead of building a list of every earlier card.
    assert all(cards is handed[0] for cards in handed) and len(handed[0]) == 20_000
