"""HttpIncidentSystem against canned HTTP answers (``responses``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import requests
import responses
from responses import matchers

from adapters.http import HttpIncidentSystem, retry_after
from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.model import (
    Importance,
    Outbound,
    OutboundKind,
    Platform,
)

BASE = "https://incident.example"
API = f"{BASE}/api/v1"


def card(ident: str = "4812001", revision: Any = 1, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": ident,
        "number": ident,
        "revision": revision,
        "created_at": "2026-03-02T09:15:00+03:00",
        "detected_at": "2026-03-02T09:01:00Z",
        "text": "Здравствуйте! Когда отремонтируют дорогу на ул. Мира?",
        "author": {"name": "Ольга Орлова", "profile_url": "https://vk.com/id1"},
        "platform": "vk",
        "post_url": "https://vk.com/wall-1_2?reply=3",
        "municipality": "Елец",
        "topic_group": "Дороги",
        "topic": "Ремонт дорог",
        "importance": "high",
        "attachments": ["https://sun9-1.userapi.com/impg/a.jpg"],
        "step": "new",
        "follow_ups": [{"id": "f1", "text": "Ну что?", "created_at": "2026-03-03T10:00:00Z"}],
        "feedback": None,
        "extra": {"repeat_of": "4811000"},
    }
    data.update(changes)
    return data


def page(*items: Any, has_more: bool = False, cursor: str = "c2") -> dict[str, Any]:
    return {"items": list(items), "next_cursor": cursor, "has_more": has_more}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{API}/auth/token", json={"access_token": "t1", "token_type": "Bearer"})
        yield mock


@pytest.fixture
def system() -> Iterator[HttpIncidentSystem]:
    client = HttpIncidentSystem(BASE, "bridge", "secret")
    yield client
    client.close()


def reply(kind: OutboundKind = OutboundKind.ANSWER, ident: str = "4812001") -> Outbound:
    return Outbound(ident, kind, "key-1", "Здравствуйте, Ольга! Ремонт в мае.", "Петров П. П.")


def test_fetch_returns_domain_cards_with_bearer_token_and_timeout(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(
        f"{API}/incidents",
        json=page(card()),
        match=[
            matchers.query_param_matcher({"limit": "50", "cursor": "c1"}),
            matchers.header_matcher({"Authorization": "Bearer t1"}),
            matchers.request_kwargs_matcher({"timeout": (3.05, 10)}),
        ],
    )
    result = system.fetch_changes("c1", limit=50)
    (got,) = result.cards
    assert (result.next_cursor, result.has_more, result.rejected) == ("c2", False, ())
    assert got.external_id == "4812001" and got.importance is Importance.HIGH
    assert got.created_at == datetime(2026, 3, 2, 6, 15, tzinfo=UTC)
    assert got.author.name == "Ольга Орлова" and got.platform is Platform.VK
    assert got.follow_ups[0].text == "Ну что?" and got.extra == {"repeat_of": "4811000"}
    assert got.attachments == ("https://sun9-1.userapi.com/impg/a.jpg",)


def test_first_fetch_sends_no_cursor(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(
        f"{API}/incidents", json=page(), match=[matchers.query_param_matcher({"limit": "100"})]
    )
    assert system.fetch_changes(None).cards == ()


def test_malformed_records_are_quarantined_and_the_rest_of_the_page_kept(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    missing_text = card("2")
    del missing_text["text"]
    rsps.get(
        f"{API}/incidents",
        json=page(
            card("1"),
            missing_text,
            card("3", revision="седьмая"),
            card("4", created_at="2026-03-02T09:15:00"),  # naive: the contract wants an offset
            card("5", author="Иван"),
            "\x00garbage",
            None,
            card("6", importance="срочно"),
            card("7"),
        ),
    )
    result = system.fetch_changes(None)
    assert [c.external_id for c in result.cards] == ["1", "7"]
    rejected = {r.external_id: r for r in result.rejected}
    assert set(rejected) == {"2", "3", "4", "5", "6", None}
    assert "text" in rejected["2"].reason and "revision" in rejected["3"].reason
    assert "created_at" in rejected["4"].reason and "author" in rejected["5"].reason
    assert json.loads(rejected["6"].raw)["importance"] == "срочно"
    assert sorted(json.loads(r.raw) is None for r in result.rejected if r.external_id is None) == [
        False,
        True,
    ]


def test_unknown_platform_and_unknown_fields_do_not_reject_a_record(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(f"{API}/incidents", json=page(card(platform="max", new_field={"x": 1})))
    (got,) = system.fetch_changes(None).cards
    assert got.platform is Platform.OTHER


def test_exact_duplicates_are_dropped_but_other_revisions_kept(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(f"{API}/incidents", json=page(card(revision=2), card(revision=2), card(revision=1)))
    assert [c.revision for c in system.fetch_changes(None).cards] == [2, 1]


@pytest.mark.parametrize("body", [{"items": "nope", "has_more": False}, [1, 2], {"has_more": True}])
def test_a_broken_page_envelope_is_transient(
    rsps: responses.RequestsMock, system: HttpIncidentSystem, body: Any
) -> None:
    rsps.get(f"{API}/incidents", json=body)
    with pytest.raises(TransientDeliveryError, match="повреждённую"):
        system.fetch_changes(None)


def test_non_json_answer_is_transient(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(f"{API}/incidents", body="<html>maintenance</html>")
    with pytest.raises(TransientDeliveryError, match="не JSON"):
        system.fetch_changes(None)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_server_errors_are_transient(
    rsps: responses.RequestsMock, system: HttpIncidentSystem, status: int
) -> None:
    rsps.post(f"{API}/incidents/4812001/replies", status=status, body="Bad Gateway")
    with pytest.raises(TransientDeliveryError) as caught:
        system.deliver(reply())
    assert caught.value.retry_after is None and f"HTTP {status}" in str(caught.value)


def test_429_carries_retry_after_seconds(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(
        f"{API}/incidents",
        status=429,
        json={"error": "rate_limited", "message": "Слишком много запросов."},
        headers={"Retry-After": "7"},
    )
    with pytest.raises(TransientDeliveryError, match="Слишком много") as caught:
        system.fetch_changes(None)
    assert caught.value.retry_after == 7.0


def test_503_with_retry_after_date() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert retry_after("Mon, 02 Mar 2026 09:00:30 GMT", now=now) == 30.0
    assert retry_after("Mon, 02 Mar 2026 08:00:00 GMT", now=now) == 0.0
    assert retry_after("soon", now=now) is None and retry_after(None) is None


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "missing_idempotency_key"),
        (404, "incident_not_found"),
        (409, "incident_redirected"),
        (422, "idempotency_key_reused"),
    ],
)
def test_other_4xx_are_rejections_with_the_systems_message(
    rsps: responses.RequestsMock, system: HttpIncidentSystem, status: int, code: str
) -> None:
    rsps.post(
        f"{API}/incidents/4812001/replies",
        status=status,
        json={"error": code, "message": "Сообщение системы."},
    )
    with pytest.raises(DeliveryRejected, match="Сообщение системы") as caught:
        system.deliver(reply())
    assert caught.value.status == status and code in str(caught.value)


@pytest.mark.parametrize(
    "failure", [requests.ConnectionError("refused"), requests.ReadTimeout("slow")]
)
def test_network_failures_and_timeouts_are_transient(
    rsps: responses.RequestsMock, system: HttpIncidentSystem, failure: Exception
) -> None:
    rsps.get(f"{API}/incidents", body=failure)
    with pytest.raises(TransientDeliveryError):
        system.fetch_changes(None)


def test_expired_token_is_renewed_once_and_the_call_retried(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    expired = {"error": "token_expired", "message": "Срок действия токена истёк."}
    rsps.get(f"{API}/incidents", status=401, json=expired)
    rsps.get(f"{API}/incidents", json=page(card()))
    assert len(system.fetch_changes(None).cards) == 1
    token_calls = [c for c in rsps.calls if str(c.request.url).endswith("/auth/token")]
    assert len(token_calls) == 2
    assert json.loads(cast(bytes, token_calls[0].request.body))["client_id"] == "bridge"


def test_a_fresh_token_expiring_at_once_is_transient(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.get(f"{API}/incidents", status=401, json={"error": "token_expired", "message": "x"})
    with pytest.raises(TransientDeliveryError, match="сразу после получения"):
        system.fetch_changes(None)
    assert len([c for c in rsps.calls if "/incidents?" in str(c.request.url)]) == 2


def test_a_static_token_is_sent_and_never_renewed(rsps: responses.RequestsMock) -> None:
    client = HttpIncidentSystem(BASE, token="static")
    rsps.get(
        f"{API}/incidents",
        status=401,
        json={"error": "token_expired", "message": "x"},
        match=[matchers.header_matcher({"Authorization": "Bearer static"})],
    )
    with pytest.raises(DeliveryRejected):
        client.fetch_changes(None)
    assert not [c for c in rsps.calls if str(c.request.url).endswith("/auth/token")]


def test_wrong_credentials_are_a_rejection(system: HttpIncidentSystem) -> None:
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{API}/auth/token", status=401, json={"error": "invalid_client", "message": "Нет."}
        )
        with pytest.raises(DeliveryRejected, match="invalid_client"):
            system.fetch_changes(None)


@pytest.mark.parametrize(
    ("kind", "wire_kind"),
    [
        (OutboundKind.ANSWER, "answer"),
        (OutboundKind.INTERIM, "interim"),
        (OutboundKind.CLARIFICATION, "clarification"),
    ],
)
def test_replies_carry_kind_text_signature_and_idempotency_key(
    rsps: responses.RequestsMock, system: HttpIncidentSystem, kind: OutboundKind, wire_kind: str
) -> None:
    expected = {"kind": wire_kind, "text": reply().text, "signed_by": "Петров П. П."}
    rsps.post(
        f"{API}/incidents/4812001/replies",
        status=201,
        json={"id": "rep-9", "created_at": "2026-03-02T10:00:00+03:00", **expected},
        match=[
            matchers.json_params_matcher(expected),
            matchers.header_matcher({"Idempotency-Key": "key-1"}),
            matchers.request_kwargs_matcher({"timeout": (3.05, 10)}),
        ],
    )
    delivery = system.deliver(reply(kind))
    assert delivery.remote_id == "rep-9"
    assert delivery.accepted_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_redirect_goes_to_its_endpoint_with_the_reason(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.post(
        f"{API}/incidents/4812001/redirects",
        status=200,  # a replay of an earlier key answers 200 with the stored result
        json={"id": "red-1", "incident_id": "4812001", "reason": reply().text},
        match=[matchers.json_params_matcher({"reason": reply().text, "signed_by": "Петров П. П."})],
    )
    assert system.deliver(reply(OutboundKind.REDIRECT)).remote_id == "red-1"


def test_incident_id_is_escaped_in_the_url(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.post(f"{API}/incidents/..%2Fadmin%3Fx%3D1/replies", status=201, json={"id": "r"})
    assert system.deliver(reply(ident="../admin?x=1")).remote_id == "r"


def test_an_unreadable_success_is_transient_so_the_same_key_is_retried(
    rsps: responses.RequestsMock, system: HttpIncidentSystem
) -> None:
    rsps.post(f"{API}/incidents/4812001/replies", status=201, json={"ok": True})
    with pytest.raises(TransientDeliveryError):
        system.deliver(reply())


def test_ping(rsps: responses.RequestsMock, system: HttpIncidentSystem) -> None:
    rsps.get(f"{API}/ping", json={"status": "ok"})
    assert system.ping() is True
    rsps.replace(responses.GET, f"{API}/ping", body=requests.ConnectionError("down"))
    assert system.ping() is False


def test_custom_timeout_and_session_are_used(rsps: responses.RequestsMock) -> None:
    session = requests.Session()
    client = HttpIncidentSystem(BASE, token="t", timeout=0.5, session=session)
    rsps.get(
        f"{API}/incidents", json=page(), match=[matchers.request_kwargs_matcher({"timeout": 0.5})]
    )
    client.fetch_changes(None)
    client.close()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((BASE,), {}), ((BASE, "id"), {}), (("ftp://x",), {"token": "t"})],
)
def test_constructor_checks_its_arguments(args: tuple[str, ...], kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        HttpIncidentSystem(*args, **kwargs)


def test_limit_is_checked_up_front(system: HttpIncidentSystem) -> None:
    with pytest.raises(ValueError, match="limit"):
        system.fetch_changes(None, limit=0)
