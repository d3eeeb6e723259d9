"""``mlgate serve`` under load and faults: signed deliveries from concurrent senders while the
receiver is killed with SIGKILL and restarted.

What it measures
----------------
A local MLflow store (sqlite) holds ``--models`` registered models with ``--versions`` versions
each, all of one small scikit-learn model; a folder holds one gate file per model
(``--gates DIR``). ``mlgate serve`` (one worker) receives, within ``--seconds``, at least
``--deliveries`` deliveries from ``--senders`` threads:

* 85% valid, signed ``model_version.created`` deliveries for a random registered version (most
  versions are therefore delivered many times: the queue must gate each once);
* 10% duplicates: an earlier delivery sent again byte for byte (MLflow's retry), answered 409;
* 5% forged (wrong secret) or stale (timestamp 10 minutes old) deliveries for version 999, which
  is never registered: nothing may queue or run for it.

At three random moments the receiver is killed with SIGKILL and started again on the same port and
state folder; senders retry a delivery that got no answer (as MLflow does) until it is answered.
Afterwards the script waits for the queue to drain and checks, from the MLflow store itself:

* every distinct (model, version, gate digest) that was delivered was gated exactly once (one
  MLflow gate run, none ``KILLED`` or left running), and carries ``mlgate.status``;
* nothing forged or stale was queued or run;
* the share of answered deliveries answered within 100 ms (MLflow's webhook timeout is short and
  it retries otherwise), with p50/p99 latency. Connection attempts refused while the receiver was
  down are not latencies; they are counted as retries.

``--smoke``: 4 versions, 200 deliveries in 10 s from 10 senders, the same three kills. Exit 1 when
a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

SECRET = "bench-load-secret"
FORGED_VERSION = "999"
GATE = """\
model: models:/{name}@challenger
data: {{eval: {data}}}
target: label
mlflow: {{tracking_uri: "sqlite:///{store}", experiment: gates}}
report: {{formats: [json]}}
checks:
  performance:
    roc_auc: {{min: 0.9}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sign(secret: str, delivery_id: str, timestamp: str, body: bytes) -> str:
    from mlgate.integrations.webhooks.signature import sign as _sign

    return _sign(secret, delivery_id, timestamp, body)


class Receiver:
    """The ``mlgate serve`` process, restartable on the same port and state folder."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port, self.process = root, port, None
        self.url = f"http://127.0.0.1:{port}"
        self.starts = 0

    def start(self) -> None:
        log = (self.root / f"serve-{self.starts}.log").open("w")
        self.starts += 1
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlgate", "serve", "--port", str(self.port),
             "--gates", str(self.root / "gates"), "--state-dir", str(self.root / "state")],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "MLGATE_WEBHOOK_SECRET": SECRET},
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("mlgate serve did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
            return json.loads(answer.read())


def setup(root: Path, models: int, versions: int) -> list[tuple[str, str]]:
    """Register the versions and write the gate files; the (model, version) pairs."""
    import logging
    import warnings

    import mlflow
    from mlflow.tracking import MlflowClient
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    features = ["mean_radius", "mean_texture", "mean_smoothness"]
    model = LogisticRegression().fit(frame[features], frame["label"])
    data = root / "eval.csv"
    frame[[*features, "label"]].to_csv(data, index=False)
    store = root / "mlflow.db"
    uri = f"sqlite:///{store}"
    mlflow.set_tracking_uri(uri)
    mlflow.create_experiment("training", artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment("training")
    with contextlib.redirect_stdout(sys.stderr), mlflow.start_run():
        logged = mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    (root / "gates").mkdir()
    pairs = []
    for index in range(models):
        name = f"load-{index}"
        client.create_registered_model(name)
        for _ in range(versions):
            version = client.create_model_version(
                name, logged.model_uri, run_id=logged.run_id, model_id=logged.model_id
            ).version
            pairs.append((name, str(version)))
        gate = GATE.format(name=name, data=data, store=store)
        (root / "gates" / f"{name}.yaml").write_text(gate, encoding="utf-8")
    return pairs


def delivery(name: str, version: str, *, secret: str = SECRET, age: int = 0) -> tuple[bytes, dict]:
    body = json.dumps(
        {"entity": "model_version", "action": "created", "data": {"name": name, "version": version}}
    ).encode()
    delivery_id, stamp = str(uuid.uuid4()), str(int(time.time()) - age)
    headers = {
        "Content-Type": "application/json",
        "X-MLflow-Delivery-Id": delivery_id,
        "X-MLflow-Timestamp": stamp,
        "X-MLflow-Signature": sign(secret, delivery_id, stamp, body),
    }
    return body, headers


def post_until_answered(port: int, body: bytes, headers: dict) -> tuple[int, float, int]:
    """(status, seconds of the answered attempt, refused attempts before it)."""
    retries = 0
    while True:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", "/webhooks/mlflow", body, headers)
            status = connection.getresponse().status
            connection.close()
            return status, time.perf_counter() - started, retries
        except OSError:
            retries += 1
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--versions", type=int, default=3, help="versions per model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (for CI)")
    args = parser.parse_args()
    if args.smoke:
        args.deliveries, args.seconds, args.senders, args.models, args.versions = 200, 10, 10, 2, 2
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="mlgate-bench-load-"))
    pairs = setup(root, args.models, args.versions)
    receiver = Receiver(root, free_port())
    receiver.start()

    plan: list[tuple[str, Any]] = []
    for _ in range(args.deliveries):
        roll = rng.random()
        if roll < 0.10 and any(kind == "valid" for kind, _ in plan):
            plan.append(("duplicate", rng.choice([p for k, p in plan if k == "valid"])))
        elif roll < 0.15:
            plan.append(("forged", rng.choice(["secret", "stale"])))
        else:
            plan.append(("valid", rng.choice(pairs)))
    results: list[tuple[str, int, float, int]] = []
    sent: dict[tuple[str, str], tuple[bytes, dict]] = {}
    lock = threading.Lock()
    start = time.monotonic()
    gap = args.seconds / args.deliveries

    def send(index: int) -> None:
        kind, what = plan[index]
        if kind == "valid":
            message = delivery(*what)
            sent[what] = message  # the latest valid delivery of this pair, for a duplicate
        elif kind == "duplicate":
            message = sent.get(what) or delivery(*what)
        else:
            name = pairs[0][0]
            message = delivery(name, FORGED_VERSION, secret="forged", age=0)
            if what == "stale":
                message = delivery(name, FORGED_VERSION, age=600)
        status, seconds, retries = post_until_answered(receiver.port, *message)
        with lock:
            results.append((kind, status, seconds, retries))

    def sender(worker: int) -> None:
        for index in range(worker, args.deliveries, args.senders):
            delay = start + index * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            send(index)

    kills = sorted(rng.uniform(0.1, 0.9) * args.seconds for _ in range(3))
    threads = [threading.Thread(target=sender, args=(w,)) for w in range(args.senders)]
    for thread in threads:
        thread.start()
    for moment in kills:
        time.sleep(max(0.0, start + moment - time.monotonic()))
        receiver.kill()
        receiver.start()
    for thread in threads:
        thread.join()
    send_seconds = time.monotonic() - start

    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        jobs = receiver.health()["jobs"]
        if jobs["queued"] == 0 and jobs["running"] == 0:
            break
        time.sleep(1.0)
    drained = time.monotonic() - start
    jobs = receiver.health()["jobs"]
    receiver.process.send_signal(signal.SIGTERM)
    receiver.process.wait(300)

    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{root / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.get_experiment_by_name("gates")
    runs = client.search_runs([experiment.experiment_id], max_results=50000) if experiment else []
    per_version: dict[str, list[str]] = {}
    for run in runs:
        per_version.setdefault(run.info.run_name, []).append(run.info.status)
    delivered = {pair for kind, pair in plan if kind == "valid"}
    with sqlite3.connect(root / "state" / "queue.sqlite") as db:
        forged_jobs = db.execute(
            "SELECT COUNT(*) FROM jobs WHERE version = ?", (FORGED_VERSION,)
        ).fetchone()[0]
    once = sum(per_version.get(f"mlgate {n} v{v}") == ["FINISHED"] for n, v in delivered)
    tagged = sum(
        "mlgate.status" in client.get_model_version(n, v).tags for n, v in sorted(delivered)
    )
    extra_runs = len(runs) - len(delivered)
    latencies = sorted(seconds for _, _, seconds, _ in results)
    within = sum(seconds <= 0.100 for seconds in latencies) / len(latencies)
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    statuses: dict[int, int] = {}
    for _, status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    forged_accepted = sum(kind == "forged" and status == 202 for kind, status, _, _ in results)
    retries = sum(r for *_, r in results)

    print(
        f"mlgate serve under load: {args.deliveries} deliveries from {args.senders} senders in "
        f"{send_seconds:.1f} s, receiver killed (SIGKILL) {len(kills)} times and restarted; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| measure | value |")
    print("|---|---|")
    by_status = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    rows = [
        ("deliveries answered", f"{len(results)} ({by_status})"),
        ("answered within 100 ms", f"{within:.2%}"),
        ("latency p50 / p99", f"{p50 * 1000:.1f} ms / {p99 * 1000:.1f} ms"),
        ("attempts refused while down (retried)", str(retries)),
        ("distinct versions delivered", str(len(delivered))),
        ("gated exactly once (one FINISHED run)", f"{once} of {len(delivered)}"),
        ("versions tagged mlgate.status", f"{tagged} of {len(delivered)}"),
        ("gate runs beyond one per version", str(extra_runs)),
        ("forged/stale accepted, queued", f"{forged_accepted}, {forged_jobs}"),
        ("queue at the end", json.dumps(jobs)),
        ("send phase / until drained", f"{send_seconds:.1f} s / {drained:.1f} s"),
    ]  # fmt: skip
    for measure, value in rows:
        print(f"| {measure} | {value} |")
    ok = (
        once == len(delivered) == tagged
        and extra_runs == 0
        and forged_accepted == 0
        and forged_jobs == 0
        and jobs["queued"] == jobs["running"] == jobs["errored"] == 0
        and len(results) == args.deliveries
    )
    if not args.smoke and within < 0.99:
        ok = False
    print(f"\nchecks: {'all held' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
