"""Signing webhook deliveries: HMAC-SHA256 over ``"{timestamp}.{body}"``, and its check.

The same functions sign in the bridge and verify in a receiver (or a test), so the
documented algorithm is the one in use. The timestamp is in the signed text, so a
captured delivery cannot be replayed later than ``tolerance`` seconds.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

SCHEME = "sha256"
#: How old (or how far ahead) a delivery's timestamp may be, in seconds, by default.
TOLERANCE = 300

EVENT_HEADER = "X-Incident-Bridge-Event"
DELIVERY_HEADER = "X-Incident-Bridge-Delivery"
TIMESTAMP_HEADER = "X-Incident-Bridge-Timestamp"
SIGNATURE_HEADER = "X-Incident-Bridge-Signature"


def _bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """The signature header's value: ``sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>``."""
    message = f"{timestamp}.".encode() + _bytes(body)
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    now: datetime,
    tolerance: int = TOLERANCE,
) -> bool:
    """Whether ``signature`` signs ``body`` at ``timestamp`` with ``secret``, and the timestamp
    is within ``tolerance`` seconds of ``now`` (aware). Compared in constant time."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now.timestamp() - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature or "")


def headers(secret: str, event: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of one delivery attempt, the signature among them."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "incident-bridge",
        EVENT_HEADER: event,
        DELIVERY_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
