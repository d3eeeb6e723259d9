"""A real MLflow tracking server on 127.0.0.1 for the registry tests, and helpers around it.

``mlflow server`` takes several seconds to start, so one server serves the whole session
(``mlflow_server``) and every test registers models under its own name. Under pytest-xdist each
worker is its own session and starts its own server on its own free port and store, so workers
never share state. Tests that stop a server get a private one (``fragile_server``).

The server is started as the project installs it (``python -m mlflow server``, from the
``mlflow`` dependency): sqlite backend store, local artifact root, one worker, and MLflow's job
runner switched off (the registry does not need its extra processes).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT_S = 240.0  # seconds on an idle machine; minutes when many test runs share 2 cores
STOP_TIMEOUT_S = 15.0

logging.getLogger("mlflow").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.ERROR)


def free_port() -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MlflowServer:
    """One ``mlflow server`` process group and the store it serves."""

    root: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)  # extra server settings (webhooks)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def backend_uri(self) -> str:
        """The server's sqlite store, readable directly once the server is stopped."""
        return f"sqlite:///{self.root / 'mlflow.db'}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--backend-store-uri",
            self.backend_uri,
            "--artifacts-destination",
            str(self.root / "artifacts"),
        ]
        environment = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", **self.env}
        log = (self.root / "server.log").open("ab")
        # Its own process group: stop() ends the server and the uvicorn worker it spawns.
        self.process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"mlflow server not up after {START_TIMEOUT_S}s: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):  # already gone: a test killed it
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(STOP_TIMEOUT_S)
                break
            except subprocess.TimeoutExpired:
                continue
        self.process = None

    def log_tail(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@contextlib.contextmanager
def tracking(uri: str) -> Iterator[None]:
    """MLflow's global tracking URI for a block (log_model needs it), then exactly as before."""
    import mlflow

    saved = os.environ.get("MLFLOW_TRACKING_URI")
    mlflow.set_tracking_uri(uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(None)
        if saved is not None:
            os.environ["MLFLOW_TRACKING_URI"] = saved


@pytest.fixture(scope="session")
def eval_frame(binary_frame):
    """The evaluation data of every registry gate: breast cancer, target 'label'."""
    return binary_frame


@pytest.fixture(scope="session")
def fitted_models(binary_frame) -> dict[str, Any]:
    """'weak' (two features), 'strong' (all features), fitted once."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    warnings.filterwarnings("ignore", module="sklearn")
    X, y = binary_frame.drop(columns="label"), binary_frame["label"]
    weak = LogisticRegression().fit(X[["mean_radius", "mean_texture"]], y)
    strong = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    return {"weak": weak, "strong": strong}


def log_models(uri: str, models: dict[str, Any]) -> dict[str, Any]:
    """Log each model once to ``uri``; registering versions of them later is one cheap call."""
    import mlflow

    logged = {}
    with tracking(uri):
        experiment = mlflow.set_experiment(f"training-{uuid.uuid4().hex[:8]}").experiment_id
        for key, model in models.items():
            with mlflow.start_run(experiment_id=experiment):
                logged[key] = mlflow.sklearn.log_model(
                    model, name="model", pip_requirements=["scikit-learn"]
                )
    return logged


class Registry:
    """Registers versions of the logged models under fresh names, on one store."""

    def __init__(self, uri: str, logged: dict[str, Any]) -> None:
        from mlflow.tracking import MlflowClient

        self.uri = uri
        self.logged = logged
        self.client = MlflowClient(tracking_uri=uri, registry_uri=uri)

    def register(self, *versions: tuple[str, str | None]) -> str:
        """A new registered model with one version per (model key, alias or None)."""
        name = f"churn-{uuid.uuid4().hex[:8]}"
        self.client.create_registered_model(name)
        for key, alias in versions:
            self.add_version(name, key, alias)
        return name

    def add_version(self, name: str, key: str, alias: str | None = None) -> str:
        """A new version of ``name`` holding logged model ``key``; its number."""
        info = self.logged[key]
        version = self.client.create_model_version(
            name, source=info.model_uri, run_id=info.run_id, model_id=info.model_id
        )
        if alias:
            self.client.set_registered_model_alias(name, alias, version.version)
        return str(version.version)

    def tags(self, name: str, version: str | int) -> dict[str, str]:
        """The ``mlgate.*`` tags of a version."""
        tags = self.client.get_model_version(name, str(version)).tags
        return {key: value for key, value in tags.items() if key.startswith("mlgate.")}

    def alias(self, name: str, alias: str) -> str | None:
        """The version ``alias`` names, as text (a sqlite store answers an int, REST a string)."""
        version = self.client.get_registered_model(name).aliases.get(alias)
        return None if version is None else str(version)


# Registry webhooks may call back to 127.0.0.1 (mlgate serve in tests), and a webhook is used
# within a second of its creation (MLflow caches the webhook list, 60 s by default).
WEBHOOK_SERVER_ENV = {
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_CACHE_TTL": "1",
}


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory) -> Iterator[MlflowServer]:
    """The session's MLflow server (one per xdist worker), webhooks to loopback allowed."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow-server"), env=WEBHOOK_SERVER_ENV)
    started = time.perf_counter()
    server.start()
    print(f"\nmlflow server up at {server.url} in {time.perf_counter() - started:.1f}s")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def registry(mlflow_server, fitted_models) -> Registry:
    """Register models on the session's server."""
    return Registry(mlflow_server.url, log_models(mlflow_server.url, fitted_models))


@pytest.fixture
def fragile_server(tmp_path_factory) -> Iterator[MlflowServer]:
    """A private server the test may stop; stopped at the end in any case."""
    server = MlflowServer(tmp_path_factory.mktemp("fragile-server"))
    server.start()
    yield server
    server.stop()


GATE = """\
model: models:/{name}@challenger
baseline: models:/{name}@champion
data: {{eval: {data}}}
target: label
mlflow: {{tracking_uri: "{uri}"}}
{extra}checks:
  performance:
    roc_auc: {{min: 0.9}}
  comparison:
    roc_auc: {{min_delta: -0.005}}
"""
PROMOTE = "promote: {on_pass: {alias: champion}, tags: {team: risk}}\n"


@pytest.fixture(scope="session")
def eval_csv(tmp_path_factory, eval_frame) -> Path:
    path = tmp_path_factory.mktemp("data") / "eval.csv"
    eval_frame.to_csv(path, index=False)
    return path


@pytest.fixture
def gate_for(tmp_path, eval_csv) -> Callable[..., Path]:
    """Write a registry gate for model ``name`` into tmp_path and return its path."""

    def write(name: str, uri: str, *, promote: bool = True, extra: str = "") -> Path:
        text = GATE.format(
            name=name, data=eval_csv, uri=uri, extra=(PROMOTE if promote else "") + extra
        )
        path = tmp_path / "mlgate.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def mlgate_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``python -m mlgate ARGS`` in a real process (real exit code, real stdout and stderr)."""
    return subprocess.Popen(
        [sys.executable, "-m", "mlgate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
