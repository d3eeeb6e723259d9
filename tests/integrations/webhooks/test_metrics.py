"""``GET /metrics``: Prometheus text from a real receiver on loopback, fed real signed deliveries;
``mlgate serve`` without prometheus-client stops at start with exit 3 and the pip command."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mlgate.cli import main
from mlgate.integrations.webhooks.gates import GateRoutes
from mlgate.integrations.webhooks.metrics import MSG_NO_PROMETHEUS, delivery_label
from mlgate.integrations.webhooks.server import Log, Receiver, ServeConfig, make_handler
from mlgate.integrations.webhooks.signature import sign

SECRET = "metrics-secret"
GATE = "model: models:/churn@challenger\ndata: {eval: e.csv}\ntarget: y\n"


@pytest.fixture
def receiver(tmp_path, capsys):
    gate = tmp_path / "churn.yaml"
    gate.write_text(GATE)
    config = ServeConfig(
        routes=GateRoutes({"churn": gate}), secret=SECRET, state_dir=tmp_path / "state"
    )
    receiver = Receiver(config, Log())  # no worker threads: jobs stay queued
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(receiver))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield receiver
    server.shutdown()
    server.server_close()
    receiver.queue.close()


def _post(url: str, version: str, *, secret: str = SECRET, delivery_id: str | None = None) -> int:
    body = json.dumps(
        {
            "entity": "model_version",
            "action": "created",
            "data": {"name": "churn", "version": version},
        }
    ).encode()
    delivery_id = delivery_id or str(uuid.uuid4())
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-MLflow-Delivery-Id": delivery_id,
        "X-MLflow-Timestamp": stamp,
        "X-MLflow-Signature": sign(secret, delivery_id, stamp, body),
    }
    request = urllib.request.Request(f"{url}/webhooks/mlflow", body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _scrape(url: str) -> tuple[str, dict[tuple[str, tuple], float]]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        content_type = answer.headers["Content-Type"]
        text = answer.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return content_type, samples


def test_deliveries_queue_and_gates_are_counted(receiver):
    assert _post(receiver.url, "1") == 202
    assert _post(receiver.url, "2") == 202
    assert _post(receiver.url, "1") == 202  # a duplicate of a queued version
    assert _post(receiver.url, "3", secret="forged") == 401
    replayed = str(uuid.uuid4())
    assert _post(receiver.url, "4", delivery_id=replayed) == 202
    assert _post(receiver.url, "4", delivery_id=replayed) == 409
    receiver.metrics.gated("passed", 12.5, 0)
    receiver.metrics.gated("failed", 3.0, 2)

    content_type, samples = _scrape(receiver.url)

    assert content_type.startswith("text/plain; version=")
    deliveries = {
        dict(labels)["outcome"]: value
        for (name, labels), value in samples.items()
        if name == "mlgate_serve_deliveries_total"
    }
    assert deliveries == {"queued": 3.0, "duplicate": 1.0, "rejected": 1.0, "replayed": 1.0}
    assert samples[("mlgate_serve_queue_depth", ())] == 3.0
    assert samples[("mlgate_serve_jobs", (("status", "queued"),))] == 3.0
    assert samples[("mlgate_serve_gates_total", (("decision", "passed"),))] == 1.0
    assert samples[("mlgate_serve_gates_total", (("decision", "failed"),))] == 1.0
    assert samples[("mlgate_serve_gate_duration_seconds_count", ())] == 2.0
    assert samples[("mlgate_serve_gate_duration_seconds_bucket", (("le", "10.0"),))] == 1.0
    assert samples[("mlgate_serve_notification_failures_total", ())] == 2.0


def test_healthz_stays_the_queue_counts(receiver):
    assert _post(receiver.url, "1") == 202
    with urllib.request.urlopen(f"{receiver.url}/healthz", timeout=10) as answer:
        body = json.loads(answer.read())
    assert body == {"status": "ok", "jobs": {"queued": 1, "running": 0, "done": 0, "errored": 0}}


@pytest.mark.parametrize(
    ("status", "outcome", "label"),
    [
        (202, "queued", "queued"),
        (202, "requeued", "requeued"),
        (202, "duplicate", "duplicate"),
        (202, "ignored: no gate file for model x<script>", "ignored"),
        (409, "rejected: delivery id already received (replay)", "replayed"),
        (503, "queue full (1000 waiting); MLflow retries", "queue_full"),
        (413, "rejected: body too large", "rejected"),
        (400, "rejected: no Content-Length", "rejected"),
    ],
)
def test_outcome_labels_are_a_fixed_set(status, outcome, label):
    assert delivery_label(status, outcome) == label


def test_serve_without_prometheus_client_exits_3_naming_the_pip_command(
    tmp_path, capsys, monkeypatch
):
    gate = tmp_path / "churn.yaml"
    gate.write_text(GATE)
    monkeypatch.setenv("MLGATE_WEBHOOK_SECRET", "x")
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # what an absent package gives
    assert main(["serve", "--gate", f"churn={gate}"]) == 3
    assert capsys.readouterr().err == f"mlgate: error: {MSG_NO_PROMETHEUS}\n"
