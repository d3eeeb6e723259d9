"""Read which model version an MLflow registry delivery is about.

The body MLflow 3 posts (``mlflow/webhooks/delivery.py``) is
``{"entity": ..., "action": ..., "timestamp": ..., "data": {...}}``; the event is
``"{entity}.{action}"``. The events that name a version carry ``data.name`` and
``data.version``: ``model_version.created``, ``model_version_alias.created`` (the version the
alias now names) and ``model_version_tag.set``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlgate.integrations.webhooks.signature import DeliveryRejectedError

VERSION_EVENTS = (
    "model_version.created",
    "model_version_alias.created",
    "model_version_tag.set",
)
GATE_TAG_PREFIX = "mlgate."  # tags the gate writes itself: no new gate for them

MSG_NOT_JSON = "body is not a JSON object"
MSG_NO_EVENT = "body has no 'entity' and 'action'"
MSG_NO_VERSION = "event {event} has no data.name and data.version"


@dataclass(frozen=True)
class Delivery:
    """One delivery: its event, and the model version it names (None for other events)."""

    event: str
    model: str | None = None
    version: str | None = None
    tag: str | None = None


def parse_delivery(payload: bytes) -> Delivery:
    """The event and version of a delivery body; DeliveryRejectedError (400) if malformed."""
    try:
        body: Any = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise DeliveryRejectedError(400, MSG_NOT_JSON) from error
    if not isinstance(body, dict):
        raise DeliveryRejectedError(400, MSG_NOT_JSON)
    entity, action = body.get("entity"), body.get("action")
    if not isinstance(entity, str) or not isinstance(action, str):
        raise DeliveryRejectedError(400, MSG_NO_EVENT)
    event = f"{entity}.{action}"
    if event not in VERSION_EVENTS:
        return Delivery(event)
    data = body.get("data")
    data = data if isinstance(data, dict) else {}
    name, version = data.get("name"), data.get("version")
    if not isinstance(name, str) or not name or not str(version or "").isdigit():
        raise DeliveryRejectedError(400, MSG_NO_VERSION.format(event=event))
    tag = data.get("key") if event == "model_version_tag.set" else None
    return Delivery(event, name, str(version), tag if isinstance(tag, str) else None)
