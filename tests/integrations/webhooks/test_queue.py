"""The on-disk queue: dedup by version and gate digest, replays, capacity, per-model order."""

from __future__ import annotations

import threading

import pytest

from mlgate.integrations.webhooks.queue import GateQueue, QueueFullError, ReplayedError

NOW = 1_800_000_000.0


def job(model: str, version: str, digest: str = "sha256:a") -> tuple[str, str, str, str, str]:
    return (model, version, digest, f"/gates/{model}.yaml", "model_version.created")


@pytest.fixture
def queue(tmp_path):
    queue = GateQueue(tmp_path, capacity=3, replay_window=300)
    yield queue
    queue.close()


def test_a_version_is_queued_once_per_gate_digest(queue):
    assert queue.accept("d1", NOW, job("m", "1")) == "queued"
    assert queue.accept("d2", NOW, job("m", "1")) == "duplicate"
    assert queue.accept("d3", NOW, job("m", "1", digest="sha256:b")) == "queued"
    assert queue.accept("d4", NOW, None) is None
    assert queue.counts()["queued"] == 2


def test_a_delivery_id_is_accepted_once_and_a_refused_one_leaves_no_trace(queue):
    queue.accept("d1", NOW, job("m", "1"))
    with pytest.raises(ReplayedError):
        queue.accept("d1", NOW, job("m", "2"))
    for version in ("2", "3"):
        queue.accept(f"d{version}", NOW, job("m", version))
    with pytest.raises(QueueFullError):
        queue.accept("d4", NOW, job("m", "4"))
    queue.claim(threading.Event())  # one leaves the waiting line
    assert queue.accept("d4", NOW, job("m", "4")) == "queued"  # the retry of d4 is not a replay


def test_ids_are_forgotten_once_their_timestamp_could_never_pass_again(queue):
    queue.accept("d1", NOW, None)
    queue.accept("d2", NOW + 601, None)
    assert queue.accept("d1", NOW + 601, None) is None


def test_one_gate_at_a_time_per_model_in_arrival_order(queue):
    stop = threading.Event()
    queue.accept("d1", NOW, job("a", "1"))
    queue.accept("d2", NOW, job("a", "2"))
    queue.accept("d3", NOW, job("b", "1"))
    first = queue.claim(stop)
    second = queue.claim(stop)
    assert (first.uri, second.uri) == ("models:/a/1", "models:/b/1")
    stop.set()
    assert queue.claim(stop) is None  # a/2 waits for a/1
    queue.finish(first, True, "passed")
    assert queue.claim(threading.Event()).uri == "models:/a/2"


def test_an_errored_job_runs_again_on_the_next_delivery_and_a_gated_one_does_not(queue):
    queue.accept("d1", NOW, job("a", "1"))
    queue.accept("d2", NOW, job("b", "1"))
    errored, gated = queue.claim(threading.Event()), queue.claim(threading.Event())
    queue.finish(errored, False, "errored")
    queue.finish(gated, True, "failed")
    assert queue.accept("d3", NOW, job("a", "1")) == "requeued"
    assert queue.accept("d4", NOW, job("b", "1")) == "duplicate"


def test_a_restart_requeues_running_jobs_with_the_process_that_ran_them(tmp_path):
    queue = GateQueue(tmp_path, capacity=3, replay_window=300)
    queue.accept("d1", NOW, job("a", "1"))
    running = queue.claim(threading.Event())
    queue.started(running, 4242)
    queue.close()
    reopened = GateQueue(tmp_path, capacity=3, replay_window=300)
    assert reopened.counts()["queued"] == 1
    again = reopened.claim(threading.Event())
    assert (again.id, again.pid) == (running.id, 4242)
    with pytest.raises(ReplayedError):
        reopened.accept("d1", NOW, job("a", "1"))
    reopened.close()
