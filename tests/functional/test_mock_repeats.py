"""The mock's seeded repeats are the kinds the bridge detects: a quoted number or the same author."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from incident_bridge.domain.repeats import Match, Message, Reason, decide, place_of
from mocks import create_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _cards(seed: int) -> list[dict[str, Any]]:
    app = create_app({"MOCK_COUNT": 0, "MOCK_CLOCK": lambda: NOW})
    app.test_client().post("/_control/seed", json={"count": 400, "seed": seed})
    return list(app.test_client().get("/_control/incidents").json)


def _message(card: dict[str, Any], index: int) -> Message:
    return Message(
        index, card["number"], datetime.fromisoformat(card["created_at"]), card["text"],
        card["author"]["profile_url"], card["municipality"], card["topic"], place_of(card["text"]),
    )  # fmt: skip


def test_seeded_repeats_are_found_and_deterministic() -> None:
    cards = _cards(7)
    assert cards == _cards(7)
    messages = [_message(card, i) for i, card in enumerate(cards)]
    by_number = {m.number: m for m in messages}
    repeats = [(c, m) for c, m in zip(cards, messages, strict=True) if c["_kind"] == "repeat"]
    assert len(repeats) >= 20
    same_author = quoted = 0
    for card, message in repeats:
        earlier = by_number[card["extra"]["repeat_of"]]
        if card["author"] == cards[earlier.id]["author"]:
            same_author += 1
        if card["extra"]["repeat_of"] in message.text:
            quoted += 1
            assert decide(message, messages, 30) == Match(earlier.id, Reason.QUOTES_NUMBER)
    assert quoted >= len(repeats) // 3 and same_author >= len(repeats) // 5
