"""Webhook signatures: HMAC-SHA256 over "{timestamp}.{body}", checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from incident_bridge.domain import signing

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
BODY = b'{"event":"incident.created","id":"incident.created:1"}'


def test_the_signature_is_the_documented_hmac() -> None:
    expected = hmac.new(b"s3cret", f"{TS}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signing.sign("s3cret", TS, BODY) == f"sha256={expected}"
    assert signing.sign("s3cret", str(TS), BODY.decode()) == f"sha256={expected}"


def test_a_fresh_signed_body_verifies() -> None:
    signature = signing.sign("s3cret", TS, BODY)
    assert signing.verify("s3cret", TS, BODY, signature, NOW)
    assert signing.verify("s3cret", str(TS), BODY, signature, NOW + timedelta(seconds=299))


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "now"),
    [
        ("other", TS, BODY, NOW),  # another subscription's secret
        ("s3cret", TS, BODY + b" ", NOW),  # a changed body
        ("s3cret", TS + 1, BODY, NOW),  # a changed timestamp
        ("s3cret", TS, BODY, NOW + timedelta(seconds=301)),  # replayed too late
        ("s3cret", TS, BODY, NOW - timedelta(seconds=301)),  # from the future
        ("s3cret", "not-a-number", BODY, NOW),
    ],
)
def test_anything_else_does_not(
    secret: str, timestamp: int | str, body: bytes, now: datetime
) -> None:
    assert not signing.verify(secret, timestamp, body, signing.sign("s3cret", TS, BODY), now)


def test_a_missing_or_malformed_signature_does_not_verify() -> None:
    assert not signing.verify("s3cret", TS, BODY, "", NOW)
    assert not signing.verify("s3cret", TS, BODY, "sha1=abc", NOW)


def test_the_headers_carry_event_delivery_timestamp_and_signature() -> None:
    headers = signing.headers("s3cret", "incident.created", "incident.created:1", TS, BODY)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "incident-bridge"
    assert headers["X-Incident-Bridge-Event"] == "incident.created"
    assert headers["X-Incident-Bridge-Delivery"] == "incident.created:1"
    assert headers["X-Incident-Bridge-Timestamp"] == str(TS)
    assert signing.verify("s3cret", headers["X-Incident-Bridge-Timestamp"], BODY,
                          headers["X-Incident-Bridge-Signature"], NOW)  # fmt: skip
