"""The HTTP side of ``mlgate serve``: receive deliveries, answer at once, gate in the background.

Built on the standard library's ``ThreadingHTTPServer``: the receiver answers a handful of small
POSTs a day, each in microseconds (verify, parse, one sqlite insert), so a framework would add a
dependency and start-up cost for nothing; a thread per connection with a read timeout is enough,
and the gate itself runs in worker threads, never in a request.

Every delivery gets exactly one JSON log line on stdout (delivery id, event, model, version, HTTP
status, outcome) and every finished gate another; the secret and notification URLs never appear.
SIGTERM or Ctrl-C stops accepting, lets the running gates finish, and leaves the queue on disk.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mlgate.errors import MlgateError
from mlgate.integrations.webhooks.deliveries import (
    GATE_TAG_PREFIX,
    VERSION_EVENTS,
    Delivery,
    parse_delivery,
)
from mlgate.integrations.webhooks.dispatch import Dispatcher
from mlgate.integrations.webhooks.gates import GateRoutes
from mlgate.integrations.webhooks.metrics import ServeMetrics
from mlgate.integrations.webhooks.notify import notify, summary
from mlgate.integrations.webhooks.queue import GateQueue, Job, QueueFullError, ReplayedError
from mlgate.integrations.webhooks.runner import GateOutcome, run_job, warm_up
from mlgate.integrations.webhooks.signature import (
    DEFAULT_WINDOW_SECONDS,
    DeliveryRejectedError,
    verify,
)

WEBHOOK_PATH = "/webhooks/mlflow"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
DEFAULT_MAX_BODY_BYTES = 64 * 1024  # MLflow's registry payloads are well under 4 KiB
DEFAULT_CAPACITY = 1000
READ_TIMEOUT_SECONDS = 10

MSG_LISTENING = "mlgate serve: listening on http://{host}:{port}{path} ({mode}); state in {state}"
MSG_STOPPING = "mlgate serve: stopping; waiting for {running} running gate(s) to finish"
MSG_NO_SECRET = (
    "no webhook secret: set MLGATE_WEBHOOK_SECRET or pass --secret-file (the secret given to "
    "MlflowClient().create_webhook), or --insecure-no-signature for a trusted network"
)
OUTCOME_REJECTED = "rejected: {reason}"
OUTCOME_REPLAY = "rejected: delivery id already received (replay)"
OUTCOME_FULL = "queue full ({capacity} waiting); MLflow retries"
OUTCOME_EVENT_IGNORED = "ignored: event {event} not gated"
OUTCOME_OWN_TAG = "ignored: a tag the gate writes"
OUTCOME_NO_GATE = "ignored: no gate file for model {model}"
OUTCOME_BAD_GATE = "ignored: gate file {gate} is invalid: {error}"
OUTCOME_NO_LENGTH = "rejected: no Content-Length"
OUTCOME_TOO_LARGE = "rejected: body of {length} bytes over the {limit} limit"
MSG_INSECURE = "mlgate serve: WARNING: signatures are not verified (--insecure-no-signature)"


@dataclass
class ServeConfig:
    """Everything ``mlgate serve`` was told, checked."""

    routes: GateRoutes
    secret: str | None
    host: str = "127.0.0.1"
    port: int = 8787
    state_dir: Path = Path(".mlgate/serve")
    events: tuple[str, ...] = VERSION_EVENTS
    window: float = DEFAULT_WINDOW_SECONDS
    max_body: int = DEFAULT_MAX_BODY_BYTES
    capacity: int = DEFAULT_CAPACITY
    workers: int = 1
    dispatcher: Dispatcher | None = None


@dataclass
class Log:
    """One JSON object per line on stdout, whole lines even from several threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, **fields: Any) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        line = json.dumps({"time": stamp, **fields}, default=str)
        with self.lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()


class Receiver:
    """Deliveries in, jobs out: what the HTTP handler and the workers share."""

    def __init__(self, config: ServeConfig, log: Log) -> None:
        self.config = config
        self.log = log
        self.queue = GateQueue(config.state_dir, config.capacity, config.window)
        self.stop = threading.Event()
        self.running = 0
        self.metrics = ServeMetrics(self.queue.counts)
        self._digests: dict[str, tuple[tuple[int, int, int], str]] = {}

    def receive(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """Handle one delivery body; the HTTP status and the outcome (also logged)."""
        facts: dict[str, Any] = {"delivery_id": headers.get("x-mlflow-delivery-id")}
        try:
            delivery_id, _ = verify(
                headers, body, self.config.secret, time.time(), self.config.window
            )
            delivery = parse_delivery(body)
            facts.update(event=delivery.event, model=delivery.model, version=delivery.version)
            job, outcome = self._job(delivery)
            accepted = self.queue.accept(delivery_id, time.time(), job)
            status, outcome = 202, accepted or outcome
        except DeliveryRejectedError as rejected:
            status, outcome = rejected.status, OUTCOME_REJECTED.format(reason=rejected.reason)
        except ReplayedError:
            status, outcome = 409, OUTCOME_REPLAY
        except QueueFullError:
            status, outcome = 503, OUTCOME_FULL.format(capacity=self.config.capacity)
        self.log(**facts, status=status, outcome=outcome)
        self.metrics.delivered(status, outcome)
        return status, outcome

    def _job(self, delivery: Delivery) -> tuple[tuple[str, str, str, str, str] | None, str]:
        """The job a delivery asks for, or None and why it is ignored."""
        if delivery.event not in self.config.events or not delivery.model or not delivery.version:
            return None, OUTCOME_EVENT_IGNORED.format(event=delivery.event)
        if delivery.tag is not None and delivery.tag.startswith(GATE_TAG_PREFIX):
            return None, OUTCOME_OWN_TAG
        gate = self.config.routes.gate_for(delivery.model)
        if gate is None:
            return None, OUTCOME_NO_GATE.format(model=delivery.model)
        try:
            digest = self._digest(gate)
        except MlgateError as error:
            return None, OUTCOME_BAD_GATE.format(gate=gate, error=error)
        return (delivery.model, delivery.version, digest, str(gate), delivery.event), ""

    def _digest(self, gate: Path) -> str:
        """The gate file's digest, parsed again only when the file changed.

        Parsing and validating a gate file takes milliseconds, which a burst of deliveries pays
        on every request (MLflow times out and retries a slow answer); the file's identity and
        modification time say whether the last answer still holds, so an edit applies at once.
        """
        from mlgate.spec import load_spec

        try:
            status = gate.stat()
            stamp = (status.st_ino, status.st_size, status.st_mtime_ns)
        except OSError:
            stamp = None
        cached = self._digests.get(str(gate))
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        digest = load_spec(gate).digest
        if stamp is not None:
            self._digests[str(gate)] = (stamp, digest)
        return digest

    def work(self) -> None:
        """A worker: gate queued jobs until stopped, finishing the one in hand."""
        while True:
            job = self.queue.claim(self.stop)
            if job is None:
                return
            with self.queue.changed:
                self.running += 1
            try:
                self._gate(job)
            finally:
                with self.queue.changed:
                    self.running -= 1

    def _gate(self, job: Job) -> None:
        waited = round(time.time() - job.enqueued, 3)
        dispatcher = self.config.dispatcher
        if dispatcher is not None:
            error = dispatcher.dispatch(job)
            outcome = "dispatched" if error is None else f"dispatch failed: {error}"
            self.queue.finish(job, error is None, outcome)
            self.metrics.gated("dispatched" if error is None else "errored", None, 0)
            self.log(
                job=job.id,
                delivery_id=job.delivery_id,
                model=job.model,
                version=job.version,
                outcome=outcome,
                queued_s=waited,
            )
            return
        try:
            reports = self.config.state_dir / "reports"
            result = run_job(job, reports, lambda pid: self.queue.started(job, pid))
        except Exception as error:  # fail closed: nothing promoted, the job may run again
            result = GateOutcome("errored", -1, f"{type(error).__name__}: {error}")
        self.queue.finish(job, result.gated, result.status)
        notify_errors = self._notify(job, result)
        duration = None if result.adopted else result.duration_s
        self.metrics.gated(result.status, duration, len(notify_errors))
        self.log(
            job=job.id,
            delivery_id=job.delivery_id,
            model=job.model,
            version=job.version,
            outcome=result.status,
            exit_code=result.exit_code,
            adopted=result.adopted or None,
            queued_s=waited,
            gate_s=result.duration_s,
            failed_checks=result.failed_checks,
            message=result.message or None,
            notify_errors=notify_errors or None,
        )

    def _notify(self, job: Job, result: GateOutcome) -> list[str]:
        from mlgate.spec import load_spec

        try:
            spec = load_spec(job.gate)
        except MlgateError as error:
            return [str(error)]
        section = spec.document.get("notify")
        if not section:
            return []
        link = _version_link(spec, job) or result.report_uri
        return notify(section, summary(job.model, job.version, result, link), result.status)


def _version_link(spec: Any, job: Job) -> str | None:
    """The version's page in the MLflow UI when the registry is an HTTP server."""
    from mlgate.mlflow_gateway import redact, resolve_tracking_uri

    tracking = resolve_tracking_uri(spec.tracking_uri, spec.base_dir)
    if not tracking.startswith(("http://", "https://")):
        return None
    return f"{redact(tracking).rstrip('/')}/#/models/{job.model}/versions/{job.version}"


class _Server(ThreadingHTTPServer):
    """A client that hung up before its answer (a timed-out probe) is not a server error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset by the peer
            return
        super().handle_error(request, client_address)


def make_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to ``receiver``."""

    class Handler(BaseHTTPRequestHandler):
        timeout = READ_TIMEOUT_SECONDS
        server_version = "mlgate-serve"
        sys_version = ""

        def do_POST(self) -> None:
            if self.path != WEBHOOK_PATH:
                self._answer(404, {"error": "not found"})
                return
            length = self.headers.get("Content-Length", "")
            if not length.isdigit():
                self.close_connection = True
                status, outcome = 400, OUTCOME_NO_LENGTH
                receiver.log(
                    delivery_id=self.headers.get("X-MLflow-Delivery-Id"),
                    status=status,
                    outcome=outcome,
                )
                receiver.metrics.delivered(status, outcome)
                self._answer(status, {"outcome": outcome})
                return
            if int(length) > receiver.config.max_body:
                self.close_connection = True  # the body is not read
                status = 413
                limit = receiver.config.max_body
                outcome = OUTCOME_TOO_LARGE.format(length=length, limit=limit)
                receiver.log(
                    delivery_id=self.headers.get("X-MLflow-Delivery-Id"),
                    status=status,
                    outcome=outcome,
                )
                receiver.metrics.delivered(status, outcome)
                self._answer(status, {"outcome": outcome})
                return
            body = self.rfile.read(int(length))
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, outcome = receiver.receive(headers, body)
            self._answer(status, {"outcome": outcome})

        def do_GET(self) -> None:
            if self.path == METRICS_PATH:
                data, content_type = receiver.metrics.exposition()
                self._send(200, data, content_type)
            elif self.path == HEALTH_PATH:
                self._answer(200, {"status": "ok", "jobs": receiver.queue.counts()})
            else:
                self._answer(404, {"error": "not found"})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode("utf-8"), "application/json")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silenced: the receiver logs one structured line per delivery instead."""

    return Handler


def serve(config: ServeConfig, on_ready: Callable[[int], None] | None = None) -> int:
    """Run the receiver until SIGTERM or SIGINT; the exit code (0)."""
    log = Log()
    receiver = Receiver(config, log)
    if config.dispatcher is None:
        warm_up()
    server = _Server((config.host, config.port), make_handler(receiver))
    port = server.server_address[1]
    workers = [
        threading.Thread(target=receiver.work, name=f"mlgate-gate-{index}")
        for index in range(config.workers)
    ]
    for worker in workers:
        worker.start()
    listener = threading.Thread(target=server.serve_forever, name="mlgate-http", daemon=True)
    listener.start()
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    if config.secret is None:
        print(MSG_INSECURE, file=sys.stderr, flush=True)
    mode = f"dispatch to {config.dispatcher.target}" if config.dispatcher else "gates run here"
    print(
        MSG_LISTENING.format(
            host=config.host, port=port, path=WEBHOOK_PATH, mode=mode, state=config.state_dir
        ),
        file=sys.stderr,
        flush=True,
    )
    if on_ready is not None:
        on_ready(port)
    stopping.wait()
    print(MSG_STOPPING.format(running=receiver.running), file=sys.stderr, flush=True)
    server.shutdown()
    server.server_close()
    with receiver.queue.changed:
        receiver.stop.set()
        receiver.queue.changed.notify_all()
    for worker in workers:
        worker.join()
    receiver.queue.close()
    return 0
