"""The receiver parses a gate file again only when it changed: an edit applies to the next
delivery at once (a new digest, so the version is gated again under the new gate)."""

from __future__ import annotations

import json
import os
import time
import uuid

from mlgate.integrations.webhooks.gates import GateRoutes
from mlgate.integrations.webhooks.server import Log, Receiver, ServeConfig
from mlgate.integrations.webhooks.signature import sign

SECRET = "digest-secret"
GATE = "model: models:/churn@challenger\ndata: {eval: e.csv}\ntarget: y\nseed: {seed}\n"


def _receive(receiver: Receiver, version: str) -> tuple[int, str]:
    body = json.dumps(
        {
            "entity": "model_version",
            "action": "created",
            "data": {"name": "churn", "version": version},
        }
    ).encode()
    delivery_id, stamp = str(uuid.uuid4()), str(int(time.time()))
    headers = {
        "x-mlflow-delivery-id": delivery_id,
        "x-mlflow-timestamp": stamp,
        "x-mlflow-signature": sign(SECRET, delivery_id, stamp, body),
    }
    return receiver.receive(headers, body)


def test_an_edited_gate_file_applies_to_the_next_delivery(tmp_path, capsys):
    gate = tmp_path / "churn.yaml"
    gate.write_text(GATE.replace("{seed}", "1"))
    config = ServeConfig(GateRoutes({"churn": gate}), SECRET, state_dir=tmp_path / "state")
    receiver = Receiver(config, Log())
    try:
        assert _receive(receiver, "1") == (202, "queued")
        assert _receive(receiver, "1") == (202, "duplicate")  # unchanged file: same digest
        gate.write_text(GATE.replace("{seed}", "2"))
        later = time.time() + 5  # a new mtime even on a coarse clock
        os.utime(gate, (later, later))
        assert _receive(receiver, "1") == (202, "queued")  # new digest: a new job
        assert _receive(receiver, "1") == (202, "duplicate")
    finally:
        receiver.queue.close()
