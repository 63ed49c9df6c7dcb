"""The adapter against the real mock server over loopback: the contract both sides keep."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest

from adapters import HttpIncidentSystem
from incident_bridge.domain.errors import DeliveryRejected, TransientDeliveryError
from incident_bridge.domain.model import (
    ApprovalVerdict,
    Feedback,
    IncidentCard,
    IncidentPage,
    Outbound,
    OutboundKind,
    RejectedRecord,
)
from incident_bridge.domain.ports import IncidentSystem

if TYPE_CHECKING:
    from tests.contract.conftest import LiveMock


def fetch_all(
    system: IncidentSystem, cursor: str | None = None, limit: int = 7
) -> Iterator[IncidentPage]:
    """Every page from ``cursor`` on, as the sync would walk them."""
    for _ in range(100):
        page = system.fetch_changes(cursor, limit=limit)
        yield page
        cursor = page.next_cursor
        if not page.has_more:
            return
    raise AssertionError("the mock never said has_more=false")


def newest(pages: list[IncidentPage]) -> dict[str, IncidentCard]:
    """Fold pages the way the sync must: an older revision never overwrites a newer one."""
    latest: dict[str, IncidentCard] = {}
    for page in pages:
        for card in page.cards:
            if card.external_id not in latest or latest[card.external_id].revision < card.revision:
                latest[card.external_id] = card
    return latest


def answer(
    ident: str, key: str = "outbox-1", text: str = "Здравствуйте! Воду дадут к 18:00."
) -> Outbound:
    return Outbound(ident, OutboundKind.ANSWER, key, text, "Петрова А. А.")


def truth(mock: LiveMock) -> dict[str, int]:
    return {i["id"]: i["revision"] for i in mock.get("/incidents")}


def test_all_pages_of_a_seeded_mock_are_fetched_once(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    pages = list(fetch_all(system))
    ids = [c.external_id for p in pages for c in p.cards]
    assert len(pages) == 5 and sorted(ids) == sorted(truth(mock))
    assert all(not p.rejected for p in pages)
    assert system.fetch_changes(pages[-1].next_cursor).cards == ()
    assert mock.get("/stats")["incidents_served"] == 30


def test_a_key_delivered_twice_makes_one_effect(mock: LiveMock, system: HttpIncidentSystem) -> None:
    ident = next(iter(truth(mock)))
    first = system.deliver(answer(ident))
    second = system.deliver(answer(ident))
    assert first == second
    (pushed,) = mock.get("/pushed")["replies"]
    assert pushed["idempotency_key"] == "outbox-1" and pushed["attempts"] == 2
    stats = mock.get("/stats")
    assert (stats["effects"], stats["duplicate_effects"], stats["idempotent_replays"]) == (1, 0, 1)
    with pytest.raises(DeliveryRejected) as caught:
        system.deliver(answer(ident, text="Другой текст с тем же ключом"))
    assert caught.value.status == 422


def test_a_second_key_with_the_same_text_counts_as_a_duplicate_effect(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    ident = next(iter(truth(mock)))
    system.deliver(answer(ident, key="a"))
    system.deliver(answer(ident, key="b"))
    assert mock.get("/stats")["duplicate_effects"] == 1


def test_effects_follow_ups_and_feedback_come_back_as_new_revisions(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    cursor = list(fetch_all(system))[-1].next_cursor
    ident = next(iter(truth(mock)))
    before = truth(mock)[ident]
    system.deliver(Outbound(ident, OutboundKind.CLARIFICATION, "k-c", "Уточните номер дома?"))
    mock.post(f"/incidents/{ident}/follow-ups", {"text": "Дом 15, второй подъезд."})
    mock.post(f"/incidents/{ident}/feedback", {"value": "Автор доволен"})
    (card,) = system.fetch_changes(cursor).cards
    assert card.revision > before
    assert card.step == "clarification_received"
    assert card.follow_ups[-1].text == "Дом 15, второй подъезд."
    assert card.feedback is Feedback.SATISFIED


def test_a_draft_sent_up_for_approval_comes_back_with_the_authoritys_decision(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    cursor = list(fetch_all(system))[-1].next_cursor
    ident = next(iter(truth(mock)))
    request = Outbound(ident, OutboundKind.APPROVAL_REQUEST, "k-a1", "Здравствуйте! Яму заделаем.")
    assert system.deliver(request).remote_id.startswith("apr-")
    assert mock.get("/pushed")["approvals"][0]["text"] == "Здравствуйте! Яму заделаем."
    mock.post(f"/incidents/{ident}/approval", {"decision": "returned", "comment": "Укажите срок"})
    (card,) = system.fetch_changes(cursor).cards
    assert card.step == "approval_returned"
    assert card.approval is not None and card.approval.verdict is ApprovalVerdict.RETURNED
    assert card.approval.comment == "Укажите срок"
    # A new round clears the old decision; deciding twice on nothing is refused.
    system.deliver(Outbound(ident, OutboundKind.APPROVAL_REQUEST, "k-a2", "Заделаем до 5 ноября."))
    mock.post(f"/incidents/{ident}/approval", {"decision": "approved"})
    (card,) = system.fetch_changes(cursor).cards
    assert card.approval is not None and card.approval.verdict is ApprovalVerdict.APPROVED
    response = mock.control.post(f"{mock.url}/_control/incidents/{ident}/approval",
                                 json={"decision": "approved"}, timeout=5)  # fmt: skip
    assert response.status_code == 409


def test_parts_published_in_turn_reach_the_author_as_answers_one_after_another(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    ident = next(iter(truth(mock)))
    first = Outbound(ident, OutboundKind.PART_ANSWER, "k-p1", "Здравствуйте! Яму заделаем.")
    second = Outbound(ident, OutboundKind.PART_ANSWER, "k-p2", "Здравствуйте! Воду подадут.")
    assert system.deliver(first).remote_id.startswith("rep-")
    system.deliver(second)
    replies = [r for r in mock.get("/pushed")["replies"] if r["incident_id"] == ident]
    assert [(r["kind"], r["text"]) for r in replies] == [
        ("answer", "Здравствуйте! Яму заделаем."),
        ("answer", "Здравствуйте! Воду подадут."),
    ]


def test_redirected_incident_refuses_replies_and_unknown_incident_is_404(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    ident = next(iter(truth(mock)))
    system.deliver(
        Outbound(ident, OutboundKind.REDIRECT, "r-1", "Вопрос в ведении Роспотребнадзора.")
    )
    with pytest.raises(DeliveryRejected) as redirected:
        system.deliver(answer(ident))
    with pytest.raises(DeliveryRejected) as missing:
        system.deliver(answer("no-such-incident", key="x"))
    assert (redirected.value.status, missing.value.status) == (409, 404)
    assert len(mock.get("/pushed")["redirects"]) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient_and_the_next_call_works(
    mock: LiveMock, system: HttpIncidentSystem, status: int
) -> None:
    mock.faults(fetch={"error_rate": 1.0, "error_statuses": [status], "limit": 1})
    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}"):
        system.fetch_changes(None)
    assert len(system.fetch_changes(None).cards) == 30


def test_429_gives_retry_after(mock: LiveMock, system: HttpIncidentSystem) -> None:
    mock.faults(replies={"rate_limit_rate": 1.0, "retry_after": 3})
    with pytest.raises(TransientDeliveryError) as caught:
        system.deliver(answer(next(iter(truth(mock)))))
    assert caught.value.retry_after == 3.0
    assert mock.get("/pushed")["replies"] == []


def test_a_server_slower_than_the_client_timeout_is_transient(mock: LiveMock) -> None:
    mock.faults(fetch={"timeout_rate": 1.0, "timeout_seconds": 1.5, "limit": 1})
    impatient = HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(1, 0.3))
    with pytest.raises(TransientDeliveryError, match="вовремя"):
        impatient.fetch_changes(None)
    impatient.close()


@pytest.mark.parametrize(
    "fault",
    [
        {"error_rate": 1.0, "error_statuses": [502]},
        {"timeout_rate": 1.0, "timeout_seconds": 1.0},
    ],
)
def test_a_failure_after_the_effect_is_stored_is_retried_without_a_second_effect(
    mock: LiveMock, fault: dict[str, object]
) -> None:
    mock.faults(replies={**fault, "after_effect": True, "limit": 1})
    system = HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(1, 0.3))
    ident = next(iter(truth(mock)))
    with pytest.raises(TransientDeliveryError):
        system.deliver(answer(ident))
    delivery = system.deliver(answer(ident))  # the outbox retries with the same key
    system.close()
    (pushed,) = mock.get("/pushed")["replies"]
    assert pushed["id"] == delivery.remote_id and pushed["attempts"] == 2
    stats = mock.get("/stats")
    assert (stats["effects"], stats["duplicate_effects"]) == (1, 0)


def test_malformed_records_are_quarantined_and_the_rest_arrives(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    mock.faults(seed=3, fetch={"malformed_rate": 0.3})
    pages = list(fetch_all(system))
    cards = [c for p in pages for c in p.cards]
    rejected: list[RejectedRecord] = [r for p in pages for r in p.rejected]
    assert rejected and cards
    assert len(cards) + len(rejected) == 30
    assert all(r.raw and r.reason for r in rejected)
    assert mock.get("/faults")["injected"]["malformed"] == len(rejected)


def test_duplicated_stale_and_shuffled_records_fold_to_the_truth(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    for ident in list(truth(mock))[:10]:  # give some incidents older revisions to leak
        mock.post(f"/incidents/{ident}/follow-ups", {"text": "Ещё раз напоминаю."})
    mock.faults(
        seed=6,
        fetch={
            "duplicate_rate": 0.3,
            "stale_rate": 0.5,
            "shuffle": True,
            "repeat_page_rate": 0.4,
        },
    )
    pages = list(fetch_all(system))
    injected = mock.get("/faults")["injected"]
    assert injected.get("stale") and injected.get("shuffled_page") and injected.get("repeated_page")
    assert {i: c.revision for i, c in newest(pages).items()} == truth(mock)


def test_an_expired_token_is_renewed_transparently(
    mock: LiveMock, system: HttpIncidentSystem
) -> None:
    system.fetch_changes(None, limit=1)
    mock.faults(fetch={"token_expired_rate": 1.0, "limit": 1})
    assert len(system.fetch_changes(None, limit=5).cards) == 5
    mock.post("/tokens/expire")  # the token's lifetime runs out for real
    assert len(system.fetch_changes(None, limit=5).cards) == 5
    assert mock.get("/stats")["tokens_issued"] == 3


def test_token_endpoint_outage_is_transient(mock: LiveMock, system: HttpIncidentSystem) -> None:
    mock.faults(token={"error_rate": 1.0, "error_statuses": [503]})
    with pytest.raises(TransientDeliveryError):
        system.fetch_changes(None)


def test_wrong_secret_is_rejected(mock: LiveMock) -> None:
    with pytest.raises(DeliveryRejected) as caught:
        HttpIncidentSystem(mock.url, "bridge", "wrong").fetch_changes(None)
    assert caught.value.status == 401


def test_ping(mock: LiveMock, system: HttpIncidentSystem) -> None:
    assert system.ping() is True
    assert HttpIncidentSystem("http://127.0.0.1:9", token="t", timeout=0.5).ping() is False


def test_the_same_key_sent_concurrently_makes_one_effect(mock: LiveMock) -> None:
    ident = next(iter(truth(mock)))
    clients = [HttpIncidentSystem(mock.url, "bridge", "secret", timeout=(1, 5)) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        deliveries = list(pool.map(lambda c: c.deliver(answer(ident)), clients))
    for client in clients:
        client.close()
    assert len({d.remote_id for d in deliveries}) == 1
    stats = mock.get("/stats")
    assert (stats["effects"], stats["idempotent_replays"], stats["duplicate_effects"]) == (1, 7, 0)
