"""Bounded retries of MLflow calls, against a real HTTP server on loopback that answers MLflow's
REST API with scripted statuses: 5xx and refused connections are retried a bounded number of
times, 4xx (429 included) never, and MLflow's own retry settings are put back after each call."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mlgate.mlflow_gateway import _retry

MODEL = {"registered_model": {"name": "churn", "aliases": [{"alias": "champion", "version": "3"}]}}
ERROR_CODES = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "RESOURCE_DOES_NOT_EXIST",
               429: "REQUEST_LIMIT_EXCEEDED"}  # fmt: skip


class _ScriptedRegistry(BaseHTTPRequestHandler):
    """Answers each request with the next status of ``server.script``, then 200 and a model."""

    def do_GET(self) -> None:
        server = self.server
        server.seen += 1  # type: ignore[attr-defined]
        status = server.script.pop(0) if server.script else 200  # type: ignore[attr-defined]
        if status == 200:
            body = MODEL
        else:
            body = {"error_code": ERROR_CODES.get(status, "INTERNAL_ERROR"), "message": "scripted"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ScriptedRegistry)
    httpd.seen = 0  # type: ignore[attr-defined]
    httpd.script = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_pauses(monkeypatch):
    monkeypatch.setattr(_retry.time, "sleep", lambda seconds: None)


def _read_model(port: int):
    from mlflow.tracking import MlflowClient

    uri = f"http://127.0.0.1:{port}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return lambda: client.get_registered_model("churn")


def test_5xx_is_retried_until_it_succeeds(server):
    server.script = [503, 502]
    assert _retry.mlflow_call(_read_model(server.server_port)).aliases == {"champion": "3"}
    assert server.seen == 3


def test_5xx_gives_up_after_the_bounded_attempts(server):
    server.script = [500] * 10
    with pytest.raises(Exception) as info:
        _retry.mlflow_call(_read_model(server.server_port))
    assert _retry.is_transient(info.value)
    assert server.seen == _retry.ATTEMPTS


@pytest.mark.parametrize("status", [401, 403, 404, 429])
def test_4xx_is_never_retried(server, status):
    server.script = [status]
    with pytest.raises(Exception) as info:
        _retry.mlflow_call(_read_model(server.server_port))
    assert not _retry.is_transient(info.value)
    assert server.seen == 1


def test_refused_connection_is_retried_then_raised():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the probe is
    calls = []
    read = _read_model(port)

    def counted():
        calls.append(1)
        return read()

    with pytest.raises(Exception) as info:
        _retry.mlflow_call(counted)
    assert _retry.is_transient(info.value)
    assert len(calls) == _retry.ATTEMPTS


def test_mlflow_settings_apply_during_the_call_only(monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "7")
    monkeypatch.delenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", raising=False)
    seen = _retry.mlflow_call(lambda: dict(os.environ))
    assert seen["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "0"
    assert seen["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"
    assert os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] == "7"
    assert "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT" not in os.environ
