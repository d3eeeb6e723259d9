"""``mlgate serve`` against a real ``mlflow server`` that sends real, signed webhook deliveries.

The session's MLflow server (``conftest.mlflow_server``) allows webhooks to loopback (server side
only) and caches the webhook list for 1 s, so a webhook created by a test is used at once. Each
test starts its own ``mlgate serve`` process on a free port with its own state folder, and stops
it. Notifications and
CI dispatches go to a loopback HTTP server that records every POST.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mlgate.integrations import _records
from mlgate.integrations.webhooks.signature import sign
from mlgate.spec import load_spec
from tests.end_to_end.conftest import Registry, free_port

pytestmark = pytest.mark.integration

SECRET = "s3cret-for-tests"
WAIT_S = 240.0  # gates take seconds on an idle machine; much longer on a loaded one
GATE = """\
model: models:/{name}@challenger
baseline: models:/{name}@champion
data: {{eval: {data}}}
target: label
mlflow: {{tracking_uri: "{uri}", experiment: "{experiment}"}}
promote:
  on_pass: {{alias: champion}}
  on_fail: {{tags: {{stage: archived}}}}
notify:
  slack: {{url_env: TEST_SLACK_URL}}
  teams: {{url_env: TEST_TEAMS_URL}}
checks:
  performance:
    roc_auc: {{min: 0.9}}
  comparison:
    roc_auc: {{min_delta: -0.005}}
"""


class Recorder:
    """A loopback HTTP server that answers 200 and keeps every POST (path, headers, JSON body)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"null")
                post = {"path": self.path, "headers": dict(self.headers), "body": body}
                recorder.posts.append(post)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Serve:
    """One ``mlgate serve`` process."""

    def __init__(self, args: list[str], state: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.state = state
        self.log = state.parent / f"serve-{uuid.uuid4().hex[:6]}.log"
        command = [sys.executable, "-m", "mlgate", "serve", "--port", str(self.port)]
        command += ["--state-dir", str(state), *args]
        self.process = subprocess.Popen(
            command,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        self.url = f"http://127.0.0.1:{self.port}"
        wait_for(lambda: self.health() is not None, f"serve up: {self.output()}", 30)

    def health(self) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                return json.loads(answer.read())
        except OSError:
            if self.process.poll() is not None:
                raise AssertionError(self.output()) from None
            return None

    def jobs(self) -> dict[str, int]:
        health = self.health()
        assert health is not None
        return health["jobs"]

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.output().splitlines() if line.startswith("{")]

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(
            f"{self.url}/webhooks/mlflow", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(WAIT_S)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def delivery(model: str, version: str, event: str = "model_version.created", **data: str):
    """A body and signed headers exactly as MLflow 3 sends them."""
    entity, action = event.rsplit(".", 1)
    payload = json.dumps(
        {
            "entity": entity,
            "action": action,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "data": {"name": model, "version": version, **data},
        }
    ).encode()
    delivery_id = str(uuid.uuid4())
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-MLflow-Delivery-Id": delivery_id,
        "X-MLflow-Timestamp": timestamp,
        "X-MLflow-Signature": sign(SECRET, delivery_id, timestamp, payload),
    }
    return payload, headers


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.close()


@pytest.fixture
def start_serve(tmp_path, recorder) -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Serve:
        environment = {
            "MLGATE_WEBHOOK_SECRET": SECRET,
            "TEST_SLACK_URL": f"{recorder.url}/slack",
            "TEST_TEAMS_URL": f"{recorder.url}/teams",
            **(env or {}),
        }
        serve = Serve(list(args), tmp_path / "state", environment)
        started.append(serve)
        return serve

    yield start
    for serve in started:
        serve.stop(signal.SIGKILL)


@pytest.fixture
def write_gate(tmp_path, eval_csv, mlflow_server) -> Callable[[str], Path]:
    def write(name: str) -> Path:
        path = tmp_path / f"{name}.yaml"
        text = GATE.format(name=name, data=eval_csv, uri=mlflow_server.url, experiment=name)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def gate_runs(registry: Registry, name: str) -> list[str]:
    """The run names of the gate runs logged for model ``name`` (its own experiment)."""
    experiment = registry.client.get_experiment_by_name(name)
    if experiment is None:
        return []
    runs = registry.client.search_runs([experiment.experiment_id])
    return sorted(run.info.run_name for run in runs)


def test_a_new_version_is_gated_tagged_promoted_only_on_pass_and_notified(
    registry, start_serve, write_gate, recorder
):
    name = registry.register()
    serve = start_serve("--gate", f"{name}={write_gate(name)}")
    registry.client.create_webhook(
        name=f"mlgate-{name}",
        url=f"{serve.url}/webhooks/mlflow",
        events=[
            "model_version.created",
            "model_version_alias.created",
            "model_version_tag.set",
        ],
        secret=SECRET,
    )
    time.sleep(1.2)  # the server's webhook cache (1 s here) must see the new webhook
    strong = registry.add_version(name, "strong")
    wait_for(lambda: registry.alias(name, "champion") == strong, "v1 promoted")
    assert registry.tags(name, strong)["mlgate.status"] == "passed"

    weak = registry.add_version(name, "weak")
    wait_for(lambda: registry.tags(name, weak).get("mlgate.archived"), "v2 archived")
    tags = registry.tags(name, weak)
    assert tags["mlgate.status"] == "failed"
    assert tags["mlgate.archived"] == "true"
    assert registry.client.get_model_version(name, weak).tags["stage"] == "archived"
    assert registry.alias(name, "champion") == strong  # never moved on a failure
    wait_for(lambda: len(recorder.posts) >= 4, "notifications")
    slack = [post["body"]["text"] for post in recorder.posts if post["path"] == "/slack"]
    assert slack[0].startswith(f"mlgate: {name} version {strong} PASSED")
    assert slack[1].startswith(f"mlgate: {name} version {weak} FAILED; failed checks:")
    assert f"{registry.uri}/#/models/{name}/versions/{weak}" in slack[1]
    teams = [post["body"] for post in recorder.posts if post["path"] == "/teams"]
    assert teams[1]["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    # The gate's own tags and promotion fire deliveries too: none of them gates a version again.
    assert gate_runs(registry, name) == [f"mlgate {name} v{strong}", f"mlgate {name} v{weak}"]
    lines = serve.lines()
    received = [line for line in lines if "status" in line]
    assert {line["status"] for line in received} == {202}
    assert all(SECRET not in line for line in serve.output().splitlines())
    assert serve.stop() == 0


def test_forged_stale_replayed_oversized_and_malformed_deliveries_run_nothing(
    registry, start_serve, write_gate
):
    name = registry.register(("strong", None))
    serve = start_serve("--gate", f"{name}={write_gate(name)}", "--max-body", "2000")

    body, headers = delivery(name, "1")
    forged = {**headers, "X-MLflow-Signature": sign("wrong", *_signed(headers), body)}
    assert serve.post(body, forged) == 401
    unsigned = {key: value for key, value in headers.items() if key != "X-MLflow-Signature"}
    assert serve.post(body, unsigned) == 400
    stale_time = str(int(time.time()) - 301)
    stale = {
        **headers,
        "X-MLflow-Timestamp": stale_time,
        "X-MLflow-Signature": sign(SECRET, headers["X-MLflow-Delivery-Id"], stale_time, body),
    }
    assert serve.post(body, stale) == 401
    big, big_headers = delivery(name, "1", description="x" * 3000)
    assert serve.post(big, big_headers) == 413
    tampered = body.replace(b'"1"', b'"2"')
    assert serve.post(tampered, headers) == 401
    not_json, not_json_headers = b"[1, 2]", dict(headers)
    not_json_headers["X-MLflow-Signature"] = sign(SECRET, *_signed(headers), not_json)
    not_json_headers["X-MLflow-Delivery-Id"] = headers["X-MLflow-Delivery-Id"]
    assert serve.post(not_json, not_json_headers) == 400
    assert serve.jobs() == {"queued": 0, "running": 0, "done": 0, "errored": 0}

    other, other_headers = delivery("not-gated-here", "1")
    assert serve.post(other, other_headers) == 202  # accepted, ignored: no gate file for it
    assert serve.post(other, other_headers) == 409  # the same delivery id again: a replay
    assert serve.jobs() == {"queued": 0, "running": 0, "done": 0, "errored": 0}
    assert registry.tags(name, "1") == {}
    outcomes = [(line["status"], line["outcome"].split(":")[0]) for line in serve.lines()]
    assert outcomes == [
        (401, "rejected"),
        (400, "rejected"),
        (401, "rejected"),
        (413, "rejected"),
        (401, "rejected"),
        (400, "rejected"),
        (202, "ignored"),
        (409, "rejected"),
    ]
    assert serve.stop() == 0


def _signed(headers: dict[str, str]) -> tuple[str, str]:
    return headers["X-MLflow-Delivery-Id"], headers["X-MLflow-Timestamp"]


def test_a_burst_of_20_deliveries_for_3_models_gates_each_version_once(
    registry, start_serve, write_gate
):
    names = [registry.register(("strong", None)) for _ in range(3)]
    registry.add_version(names[0], "weak")
    versions = [(names[0], "1"), (names[0], "2"), (names[1], "1"), (names[2], "1")]
    gates = [f"--gate={name}={write_gate(name)}" for name in names]
    serve = start_serve(*gates, "--workers", "2")
    events = [
        ("model_version.created", {}),
        ("model_version_alias.created", {"alias": "challenger"}),
        ("model_version_tag.set", {"key": "owner", "value": "ds"}),
        ("model_version.created", {}),
        ("model_version_tag.set", {"key": "mlgate.status", "value": "passed"}),
    ]
    statuses = []
    for index in range(20):
        name, version = versions[index % len(versions)]
        event, data = events[index // len(versions)]
        statuses.append(serve.post(*delivery(name, version, event, **data)))
    assert statuses == [202] * 20
    wait_for(lambda: serve.jobs()["done"] + serve.jobs()["errored"] == 4, "4 gates")
    assert serve.jobs() == {"queued": 0, "running": 0, "done": 4, "errored": 0}
    for name, version in versions:
        assert registry.tags(name, version)["mlgate.status"] in ("passed", "failed")
    assert gate_runs(registry, names[0]) == [f"mlgate {names[0]} v1", f"mlgate {names[0]} v2"]
    assert gate_runs(registry, names[1]) == [f"mlgate {names[1]} v1"]
    outcomes = [line["outcome"] for line in serve.lines() if "status" in line]
    assert outcomes.count("queued") == 4
    assert outcomes.count("duplicate") == 12
    assert outcomes.count("ignored: a tag the gate writes") == 4
    assert serve.stop() == 0


def test_a_killed_or_stopped_receiver_loses_nothing_and_sigterm_finishes_the_running_gate(
    registry, start_serve, write_gate
):
    names = [registry.register(("strong", None)) for _ in range(2)]
    gates = [f"--gate={name}={write_gate(name)}" for name in names]
    serve = start_serve(*gates)
    for name in names:
        assert serve.post(*delivery(name, "1")) == 202
    wait_for(lambda: serve.jobs()["running"] == 1, "a gate running")
    serve.stop(signal.SIGKILL)  # mid-queue: one gate running, one waiting

    restarted = start_serve(*gates)
    assert restarted.jobs()["queued"] + restarted.jobs()["running"] == 2
    wait_for(lambda: restarted.jobs()["running"] == 1, "the interrupted gate again")
    assert restarted.stop(signal.SIGTERM) == 0  # waits for the running gate
    gated = [name for name in names if registry.tags(name, "1").get("mlgate.status")]
    assert gated == names[:1]  # the running gate finished; the other stayed queued

    again = start_serve(*gates)
    jobs = again.jobs()
    assert (jobs["queued"] + jobs["running"], jobs["done"], jobs["errored"]) == (1, 1, 0)
    wait_for(lambda: again.jobs()["done"] == 2, "both gates")
    for name in names:
        assert registry.tags(name, "1")["mlgate.status"] == "passed"
        assert registry.alias(name, "champion") == "1"
    assert again.stop() == 0


@pytest.mark.parametrize("target", ["github", "azure"])
def test_dispatch_hands_the_version_to_ci_instead(
    target, registry, start_serve, write_gate, recorder
):
    name = registry.register(("strong", None))
    if target == "github":
        options = ["--github-repo", "acme/models", "--github-api-url", recorder.url]
        env = {"GITHUB_TOKEN": "gh-token-xyz"}
    else:
        options = ["--azure-org-url", f"{recorder.url}/acme", "--azure-project", "ml ops"]
        options += ["--azure-pipeline-id", "7"]
        env = {"AZURE_DEVOPS_TOKEN": "az-token-xyz"}
    gate = f"--gate={name}={write_gate(name)}"
    serve = start_serve(gate, "--dispatch", target, *options, env=env)
    assert serve.post(*delivery(name, "1")) == 202
    wait_for(lambda: serve.jobs()["done"] == 1, "dispatched")
    (post,) = recorder.posts
    if target == "github":
        assert post["path"] == "/repos/acme/models/dispatches"
        assert post["headers"]["Authorization"] == "Bearer gh-token-xyz"
        assert post["body"]["event_type"] == "mlgate-gate"
        assert post["body"]["client_payload"]["model_uri"] == f"models:/{name}/1"
    else:
        assert post["path"] == "/acme/ml%20ops/_apis/pipelines/7/runs?api-version=7.1"
        assert post["headers"]["Authorization"].startswith("Basic ")
        assert post["body"]["templateParameters"]["model_uri"] == f"models:/{name}/1"
    assert registry.tags(name, "1") == {}  # nothing gated here
    assert env[next(iter(env))] not in serve.output()
    assert serve.stop() == 0


# A receiver killed with SIGKILL and restarted gates every version exactly once: a gate whose
# orphaned child finished is adopted (one MLflow run, one set of tags, one notification); a gate
# whose child died too runs again, and the run it left RUNNING is ended KILLED.


def _child_pid(state) -> int | None:
    """The gate child's process id, as the receiver recorded it in its queue; None before."""
    with sqlite3.connect(state / "queue.sqlite") as db:
        row = db.execute("SELECT pid FROM jobs WHERE status = 'running'").fetchone()
    return int(row[0]) if row is not None and row[0] else None


def gate_lines(serve: Serve, count: int) -> list[dict[str, Any]] | None:
    """The receiver's log lines of finished gates, once there are ``count`` of them."""
    lines = [line for line in serve.lines() if "exit_code" in line]
    return lines if len(lines) >= count else None


def scrape(serve: Serve) -> dict[tuple[str, tuple], float]:
    """``GET /metrics`` of a running receiver, as {(sample name, labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{serve.url}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_finished_orphan_is_adopted_not_gated_again(registry, start_serve, write_gate, recorder):
    names = [registry.register(("strong", None)) for _ in range(2)]
    gates = [f"--gate={name}={write_gate(name)}" for name in names]
    serve = start_serve(*gates)
    for name in names:
        assert serve.post(*delivery(name, "1")) == 202
    wait_for(lambda: serve.jobs()["running"] == 1, "a gate running")
    wait_for(lambda: _child_pid(serve.state), "the gate child started")
    serve.stop(signal.SIGKILL)  # the child has its own session: it goes on to the end

    restarted = start_serve(*gates)
    wait_for(lambda: restarted.jobs()["done"] == 2, "both versions gated")
    for name in names:
        assert gate_runs(registry, name) == [f"mlgate {name} v1"]  # one run each, not two
        assert registry.tags(name, "1")["mlgate.status"] == "passed"
    # The log line follows the queue's update (notifications go out in between).
    gated = wait_for(lambda: gate_lines(restarted, 2), "both gate log lines")
    assert sorted(bool(line.get("adopted")) for line in gated) == [False, True]
    wait_for(lambda: len(recorder.posts) >= 4, "notifications")
    time.sleep(1.0)  # a second notification of the adopted gate would come now
    slack = [post for post in recorder.posts if post["path"] == "/slack"]
    assert len(slack) == 2
    metrics = scrape(restarted)
    assert metrics[("mlgate_serve_gates_total", (("decision", "passed"),))] == 2.0
    assert metrics[("mlgate_serve_gate_duration_seconds_count", ())] == 1.0  # adopted: not timed
    assert metrics[("mlgate_serve_queue_depth", ())] == 0.0
    assert restarted.stop() == 0


def test_a_gate_cut_off_with_its_receiver_runs_again_and_its_run_is_killed(
    registry, start_serve, write_gate
):
    name = registry.register(("strong", None))
    gate = write_gate(name)
    serve = start_serve(f"--gate={name}={gate}")
    # The run an interrupted gate leaves behind: its name, digest tag, status RUNNING.
    client = registry.client
    experiment_id = client.create_experiment(name)
    digest = load_spec(gate).digest
    tags = {_records.GATE_DIGEST: digest}
    left = client.create_run(experiment_id, run_name=f"mlgate {name} v1", tags=tags)
    assert serve.post(*delivery(name, "1")) == 202
    child = wait_for(lambda: _child_pid(serve.state), "the gate child started")
    serve.stop(signal.SIGKILL)
    os.kill(child, signal.SIGKILL)  # the gate dies with its receiver: no outcome on disk

    restarted = start_serve(f"--gate={name}={gate}")
    wait_for(lambda: restarted.jobs()["done"] == 1, "the version gated again")
    assert client.get_run(left.info.run_id).info.status == "KILLED"
    runs = client.search_runs([left.info.experiment_id])
    assert sorted(run.info.status for run in runs) == ["FINISHED", "KILLED"]
    assert registry.tags(name, "1")["mlgate.status"] == "passed"
    gated = wait_for(lambda: gate_lines(restarted, 1), "the gate log line")
    assert [bool(line.get("adopted")) for line in gated] == [False]
    assert restarted.stop() == 0
