"""A webhook poster that records what it was given and answers as scripted per URL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from incident_bridge.domain.errors import WebhookRejected, WebhookTransientError


@dataclass
class FakeWebhookPoster:
    """Answers 200 unless ``script[url]`` says otherwise (a status or an exception, in turn;
    the last one repeats)."""

    posts: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    script: dict[str, list[int | Exception]] = field(default_factory=dict)

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.posts.append((url, body, dict(headers)))
        outcomes = self.script.get(url) or [200]
        outcome = outcomes.pop(0) if len(outcomes) > 1 else outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        if outcome == 429 or outcome >= 500:
            raise WebhookTransientError(f"Получатель ответил HTTP {outcome}", outcome)
        if outcome >= 300:
            raise WebhookRejected(f"Получатель ответил HTTP {outcome}", outcome)
        return outcome

    def to(self, url: str) -> list[tuple[str, bytes, dict[str, str]]]:
        return [p for p in self.posts if p[0] == url]
