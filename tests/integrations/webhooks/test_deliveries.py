"""The version named by each event, from bodies built the way MLflow 3 builds them."""

from __future__ import annotations

import json

import pytest
from mlflow.entities.webhook import WebhookEvent
from mlflow.webhooks.types import get_example_payload_for_event

from mlgate.integrations.webhooks.deliveries import (
    MSG_NO_VERSION,
    MSG_NOT_JSON,
    Delivery,
    parse_delivery,
)
from mlgate.integrations.webhooks.signature import DeliveryRejectedError


def mlflow_body(event: str) -> bytes:
    """As ``mlflow.webhooks.delivery._send_webhook_request`` serialises it."""
    parsed = WebhookEvent.from_str(event)
    return json.dumps(
        {
            "entity": parsed.entity.value,
            "action": parsed.action.value,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "data": get_example_payload_for_event(parsed),
        }
    ).encode()


@pytest.mark.parametrize(
    ("event", "tag"),
    [
        ("model_version.created", None),
        ("model_version_alias.created", None),
        ("model_version_tag.set", "example_key"),
    ],
)
def test_version_events_name_the_model_and_version(event, tag):
    assert parse_delivery(mlflow_body(event)) == Delivery(event, "example_model", "1", tag)


def test_other_events_name_no_version():
    assert parse_delivery(mlflow_body("registered_model.created")) == Delivery(
        "registered_model.created"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", MSG_NOT_JSON),
        (b"[]", MSG_NOT_JSON),
        (
            b'{"entity": "model_version", "action": "created", "data": {"name": "m"}}',
            MSG_NO_VERSION.format(event="model_version.created"),
        ),
    ],
)
def test_malformed_bodies_are_400(body, reason):
    with pytest.raises(DeliveryRejectedError) as refused:
        parse_delivery(body)
    assert (refused.value.status, refused.value.reason) == (400, reason)
