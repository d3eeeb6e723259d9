"""Signature verification agrees with what MLflow 3 sends, and refuses everything else."""

from __future__ import annotations

import json

import pytest
from mlflow.webhooks.delivery import _generate_hmac_signature

from mlgate.integrations.webhooks.signature import (
    MSG_BAD_SIGNATURE,
    MSG_MISSING_HEADER,
    DeliveryRejectedError,
    sign,
    verify,
)

SECRET = "topsecret"
NOW = 1_800_000_000
BODY = json.dumps({"entity": "model_version", "action": "created", "data": {"é": "ü"}})


def headers(timestamp: int = NOW, secret: str = SECRET, body: str = BODY) -> dict[str, str]:
    return {
        "x-mlflow-delivery-id": "d-1",
        "x-mlflow-timestamp": str(timestamp),
        "x-mlflow-signature": _generate_hmac_signature(secret, "d-1", str(timestamp), body),
    }


def test_sign_matches_mlflow_byte_for_byte():
    assert sign(SECRET, "d-1", str(NOW), BODY.encode()) == _generate_hmac_signature(
        SECRET, "d-1", str(NOW), BODY
    )


def test_an_authentic_fresh_delivery_passes():
    assert verify(headers(), BODY.encode(), SECRET, NOW + 10) == ("d-1", NOW)


@pytest.mark.parametrize(
    ("given", "body", "status", "reason"),
    [
        (headers(secret="other"), BODY, 401, MSG_BAD_SIGNATURE),
        (headers(), BODY.replace("created", "deleted"), 401, MSG_BAD_SIGNATURE),
        ({**headers(), "x-mlflow-signature": "v1,AAAA"}, BODY, 401, MSG_BAD_SIGNATURE),
        ({**headers(), "x-mlflow-signature": "v1,é"}, BODY, 401, MSG_BAD_SIGNATURE),
        (
            {k: v for k, v in headers().items() if k != "x-mlflow-signature"},
            BODY,
            400,
            MSG_MISSING_HEADER.format(header="X-MLflow-Signature"),
        ),
        (
            {k: v for k, v in headers().items() if k != "x-mlflow-delivery-id"},
            BODY,
            400,
            MSG_MISSING_HEADER.format(header="X-MLflow-Delivery-Id"),
        ),
        (
            headers(timestamp=NOW - 301),
            BODY,
            401,
            "timestamp -301s from now, outside the 300s window",
        ),
        (
            headers(timestamp=NOW + 301),
            BODY,
            401,
            "timestamp +301s from now, outside the 300s window",
        ),
    ],
    ids=[
        "wrong-secret",
        "tampered",
        "garbage",
        "non-ascii",
        "unsigned",
        "no-id",
        "stale",
        "future",
    ],
)
def test_forged_malformed_and_stale_deliveries_are_refused(given, body, status, reason):
    with pytest.raises(DeliveryRejectedError) as refused:
        verify(given, body.encode(), SECRET, NOW)
    assert (refused.value.status, refused.value.reason) == (status, reason)


def test_without_a_secret_the_timestamp_is_still_checked():
    unsigned = {k: v for k, v in headers().items() if k != "x-mlflow-signature"}
    assert verify(unsigned, BODY.encode(), None, NOW) == ("d-1", NOW)
    with pytest.raises(DeliveryRejectedError):
        verify(headers(timestamp=NOW - 1000), BODY.encode(), None, NOW)
