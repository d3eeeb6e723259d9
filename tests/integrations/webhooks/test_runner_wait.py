"""One gate child per job at a time, held by an flock the kernel releases when the child dies:
a restarted receiver waits for an orphaned child, and a late orphan and a new child never both
gate the version."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import threading
import time

from mlgate.integrations.webhooks.runner import (
    EXIT_BUSY,
    EXIT_NAME,
    LOCK_NAME,
    LOG_NAME,
    _gate_process,
    wait_for_lock,
)

HOLDER = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def _holder(folder) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder / LOCK_NAME)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_the_receiver_waits_until_the_holder_dies_even_by_sigkill(tmp_path):
    holder = _holder(tmp_path)
    waited = []

    def wait() -> None:
        started = time.monotonic()
        wait_for_lock(tmp_path)
        waited.append(time.monotonic() - started)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(1.0)
    assert waited == []  # still held
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    thread.join(10)
    assert len(waited) == 1 and waited[0] >= 1.0


def test_a_free_lock_is_not_waited_for(tmp_path):
    started = time.monotonic()
    wait_for_lock(tmp_path)
    assert time.monotonic() - started < 1.0


def test_a_child_that_finds_the_lock_taken_exits_busy_and_touches_nothing(tmp_path):
    (tmp_path / LOG_NAME).write_text("the other child's log\n")
    holder = _holder(tmp_path)
    try:
        child = multiprocessing.get_context("spawn").Process(
            target=_gate_process, args=("mlgate.yaml", "models:/m/1", str(tmp_path), None)
        )
        child.start()
        child.join(60)
    finally:
        holder.kill()
        holder.wait()
    assert child.exitcode == EXIT_BUSY
    assert (tmp_path / LOG_NAME).read_text() == "the other child's log\n"


def test_a_late_child_finding_the_job_already_gated_exits_busy(tmp_path):
    """A sibling started earlier finished and released the lock before this child started."""
    (tmp_path / EXIT_NAME).write_text("0\n")
    (tmp_path / LOG_NAME).write_text("the sibling's log\n")
    child = multiprocessing.get_context("spawn").Process(
        target=_gate_process, args=("mlgate.yaml", "models:/m/1", str(tmp_path), None)
    )
    child.start()
    child.join(60)
    assert child.exitcode == EXIT_BUSY
    assert (tmp_path / EXIT_NAME).read_text() == "0\n"
    assert (tmp_path / LOG_NAME).read_text() == "the sibling's log\n"
