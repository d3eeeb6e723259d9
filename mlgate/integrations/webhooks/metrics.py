"""``GET /metrics`` of ``mlgate serve``: what an operator graphs and alerts on, in the Prometheus
text format (``prometheus-client``, the optional extra ``mlgate[serve]``).

Counters start at zero when the receiver starts (Prometheus handles resets); the queue gauges are
read from the queue's sqlite file at each scrape, so they survive restarts. Delivery outcomes are
folded into a few fixed labels (the log line keeps the detail), so label cardinality stays bounded
whatever senders post.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlgate.errors import InfrastructureError

PIP_EXTRA = "pip install 'mlgate[serve]'"
MSG_NO_PROMETHEUS = (
    "mlgate serve needs prometheus-client for GET /metrics; install it: " + PIP_EXTRA
)
# Gate durations: seconds for a small model, minutes for SHAP on a large one.
DURATION_BUCKETS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
ACCEPTED_OUTCOMES = ("queued", "requeued", "duplicate")


def require_client() -> None:
    """Raise InfrastructureError (exit 3) naming the pip command when the client is missing."""
    try:
        import prometheus_client  # noqa: F401
    except ImportError as error:
        raise InfrastructureError(MSG_NO_PROMETHEUS) from error


def delivery_label(status: int, outcome: str) -> str:
    """The bounded label of one answered delivery."""
    if status == 202:
        return outcome if outcome in ACCEPTED_OUTCOMES else "ignored"
    if status == 409:
        return "replayed"
    if status == 503:
        return "queue_full"
    return "rejected"


class ServeMetrics:
    """The receiver's metrics, in a registry of its own (several receivers may share a process)."""

    def __init__(self, job_counts: Callable[[], dict[str, int]]) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self._job_counts = job_counts
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "mlgate_serve_deliveries",
            "Webhook deliveries answered, by outcome (queued, requeued, duplicate, ignored, "
            "rejected, replayed, queue_full).",
            ["outcome"],
            registry=self.registry,
        )
        self.gates = Counter(
            "mlgate_serve_gates",
            "Gates finished, by decision (passed, failed, errored, dispatched).",
            ["decision"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "mlgate_serve_gate_duration_seconds",
            "Wall-clock time of one gate child, from start to exit.",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.notification_failures = Counter(
            "mlgate_serve_notification_failures",
            "Notifications (Slack, Teams, webhook) that could not be delivered.",
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "mlgate_serve_queue_depth",
            "Jobs waiting for a worker.",
            registry=self.registry,
        )
        self.jobs = Gauge(
            "mlgate_serve_jobs",
            "Jobs in the durable queue, by status.",
            ["status"],
            registry=self.registry,
        )

    def delivered(self, status: int, outcome: str) -> None:
        self.deliveries.labels(delivery_label(status, outcome)).inc()

    def gated(self, decision: str, duration_s: float | None, notify_errors: int) -> None:
        self.gates.labels(decision).inc()
        if duration_s is not None:
            self.duration.observe(duration_s)
        if notify_errors:
            self.notification_failures.inc(notify_errors)

    def exposition(self) -> tuple[bytes, str]:
        """The text to answer a scrape with, and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        counts: dict[str, Any] = self._job_counts()
        for status, count in counts.items():
            self.jobs.labels(status).set(count)
        self.queue_depth.set(counts.get("queued", 0))
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
