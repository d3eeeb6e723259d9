"""Verify an MLflow webhook delivery: HMAC signature, timestamp window, replayed delivery ids.

MLflow 3 (``mlflow/webhooks/delivery.py``) signs each delivery in the Standard Webhooks style:
``X-MLflow-Signature: v1,<base64 HMAC-SHA256>`` over ``"{delivery_id}.{timestamp}.{payload}"``,
with the delivery id and Unix timestamp in ``X-MLflow-Delivery-Id`` and ``X-MLflow-Timestamp``.
The signature is compared in constant time. A timestamp outside the window is refused even with
a valid signature, so a captured delivery cannot be replayed later; within the window the
delivery id is remembered (by the queue) and a second use is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "X-MLflow-Signature"
TIMESTAMP_HEADER = "X-MLflow-Timestamp"
DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id"
SIGNATURE_VERSION = "v1"
DEFAULT_WINDOW_SECONDS = 300

MSG_MISSING_HEADER = "missing header {header}"
MSG_BAD_TIMESTAMP = "{header} is not a Unix timestamp"
MSG_BAD_SIGNATURE = "signature does not match"
MSG_STALE = "timestamp {age:+.0f}s from now, outside the {window:g}s window"


class DeliveryRejectedError(Exception):
    """A delivery that must not run anything; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(secret: str, delivery_id: str, timestamp: str, payload: bytes) -> str:
    """The ``X-MLflow-Signature`` value MLflow sends for this delivery."""
    signed = f"{delivery_id}.{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def verify(
    headers: dict[str, str],
    payload: bytes,
    secret: str | None,
    now: float,
    window: float = DEFAULT_WINDOW_SECONDS,
) -> tuple[str, int]:
    """The delivery id and timestamp of an authentic, fresh delivery.

    ``headers`` has lower-case names. ``secret`` None skips the signature (``mlgate serve
    --insecure-no-signature``), never the timestamp. Raises :class:`DeliveryRejectedError`: 400 for
    missing or malformed headers, 401 for a wrong signature or a stale timestamp.
    """
    values = {}
    names = (DELIVERY_ID_HEADER, TIMESTAMP_HEADER) + ((SIGNATURE_HEADER,) if secret else ())
    for name in names:
        value = headers.get(name.lower())
        if not value:
            raise DeliveryRejectedError(400, MSG_MISSING_HEADER.format(header=name))
        values[name] = value
    delivery_id, timestamp = values[DELIVERY_ID_HEADER], values[TIMESTAMP_HEADER]
    if secret is not None:
        expected = sign(secret, delivery_id, timestamp, payload)
        given = values[SIGNATURE_HEADER]
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise DeliveryRejectedError(401, MSG_BAD_SIGNATURE)
    if not timestamp.isdigit():
        raise DeliveryRejectedError(400, MSG_BAD_TIMESTAMP.format(header=TIMESTAMP_HEADER))
    age = now - int(timestamp)
    if abs(age) > window:
        raise DeliveryRejectedError(401, MSG_STALE.format(age=-age, window=window))
    return delivery_id, int(timestamp)
