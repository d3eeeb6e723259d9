"""Delivery-to-tag latency of ``mlgate serve`` for the demo model.

What it measures
----------------
A real ``mlflow server`` (sqlite store, loopback webhooks allowed) holds the demo's champion.
``mlgate serve`` listens with the demo gate file, and a registry webhook with a secret points at
it. The script then registers ``--versions`` new versions of the demo challenger, one after the
other, and for each times:

* **registered -> tagged**: from ``create_model_version`` returning to ``mlgate.status`` on the
  version (the client polls every 50 ms); what a data scientist waits for;
* **delivery -> tagged**: from the receiver's log line for the delivery (MLflow's POST arrived) to
  the tag, i.e. queueing plus the gate;
* **gate**: the ``mlgate run --model models:/name/N`` child alone (Python start-up,
  imports, loading both models from the server, evaluation, run, tags, report upload).

The first new version beats the demo's champion and is promoted; later ones (the same model) are
compared with it and pass without moving anything. Fixed seed (the demo's split), no downloads.
``--smoke`` registers one version. The server's own start-up is not timed.

Run ``python benchmarks/bench_serve_latency.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

SECRET = "bench-secret"
SERVER_ENV = {
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_CACHE_TTL": "1",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_http(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not up after {timeout}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=5, help="versions to register (5)")
    parser.add_argument("--smoke", action="store_true", help="one version")
    args = parser.parse_args()
    versions = 1 if args.smoke else args.versions

    import logging
    import warnings

    import mlflow
    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient

    from mlgate.demo import EXPERIMENT, GATE_FILE, MODEL_NAME, _train

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    root = Path(tempfile.mkdtemp(prefix="mlgate-bench-serve-"))
    port, serve_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = (root / "mlflow.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
         "--artifacts-destination", str(root / "artifacts")],
        stdout=server_log, stderr=subprocess.STDOUT, env={**os.environ, **SERVER_ENV},
        start_new_session=True,
    )  # fmt: skip
    serve = None
    try:
        wait_http(f"{url}/health")
        champion, challenger, features, few = _train(root)

        client = MlflowClient(tracking_uri=url, registry_uri=url)
        mlflow.set_tracking_uri(url)
        mlflow.set_experiment("training")
        logged = {}
        for key, model, inputs in (
            ("champion", champion, features[few]),
            ("challenger", challenger, features),
        ):
            with contextlib.redirect_stdout(sys.stderr), mlflow.start_run():
                logged[key] = mlflow.sklearn.log_model(
                    model,
                    name="model",
                    pip_requirements=["scikit-learn"],
                    signature=infer_signature(inputs, model.predict(inputs)),
                )
        client.create_registered_model(MODEL_NAME)
        info = logged["champion"]
        first = client.create_model_version(
            MODEL_NAME, info.model_uri, run_id=info.run_id, model_id=info.model_id
        )
        client.set_registered_model_alias(MODEL_NAME, "champion", first.version)
        gate = root / "mlgate.yaml"
        text = GATE_FILE.format(name=MODEL_NAME, store="x", experiment=EXPERIMENT, gate_path=gate)
        gate.write_text(text.replace("sqlite:///x", url), encoding="utf-8")

        serve_log = root / "serve.log"
        serve = subprocess.Popen(
            [sys.executable, "-m", "mlgate", "serve", "--port", str(serve_port),
             "--gate", f"{MODEL_NAME}={gate}", "--state-dir", str(root / "state")],
            stdout=serve_log.open("w"), stderr=subprocess.STDOUT,
            env={**os.environ, "MLGATE_WEBHOOK_SECRET": SECRET},
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{serve_port}/healthz")
        client.create_webhook(
            name="mlgate",
            url=f"http://127.0.0.1:{serve_port}/webhooks/mlflow",
            events=["model_version.created"],
            secret=SECRET,
        )
        time.sleep(1.5)  # the server's webhook cache
        rows = []
        info = logged["challenger"]
        for _ in range(versions):
            version = client.create_model_version(
                MODEL_NAME, info.model_uri, run_id=info.run_id, model_id=info.model_id
            ).version
            registered = time.time()
            while "mlgate.status" not in client.get_model_version(MODEL_NAME, version).tags:
                time.sleep(0.05)
            tagged = time.time()
            lines = [json.loads(x) for x in serve_log.read_text().splitlines() if x[:1] == "{"]
            received = next(x for x in lines if x.get("version") == str(version) and "status" in x)
            delivered = datetime.fromisoformat(received["time"]).timestamp()
            while not any(x.get("version") == str(version) and "job" in x for x in lines):
                time.sleep(0.1)
                lines = [json.loads(x) for x in serve_log.read_text().splitlines() if x[:1] == "{"]
            job = next(x for x in lines if x.get("version") == str(version) and "job" in x)
            status = client.get_model_version(MODEL_NAME, version).tags["mlgate.status"]
            rows.append((version, status, tagged - registered, tagged - delivered, job["gate_s"]))
    finally:
        if serve is not None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(120)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    print(f"mlgate serve delivery-to-tag latency, demo model ({platform.python_version()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})\n")  # fmt: skip
    print("| version | decision | registered -> tagged (s) | delivery -> tagged (s) | gate (s) |")
    print("|---|---|---|---|---|")
    for version, status, total, delivery, gate_s in rows:
        print(f"| {version} | {status} | {total:.2f} | {delivery:.2f} | {gate_s:.2f} |")
    medians = [statistics.median(row[i] for row in rows) for i in (2, 3, 4)]
    print(f"| median | | {medians[0]:.2f} | {medians[1]:.2f} | {medians[2]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
