"""A restarted receiver waits for the gate child of its killed predecessor, and only for it: not
for a finished child (exit code on disk), a zombie, or another program that got the pid."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

from mlgate.integrations.webhooks.runner import EXIT_NAME, _still_running


def _sleep() -> None:
    time.sleep(60)


def test_a_live_gate_child_is_waited_for_until_it_ends(tmp_path):
    child = multiprocessing.get_context("spawn").Process(target=_sleep)
    child.start()
    try:
        assert _still_running(child.pid, tmp_path / EXIT_NAME)
    finally:
        child.kill()
        child.join()
    assert not _still_running(child.pid, tmp_path / EXIT_NAME)


def test_a_child_that_wrote_its_exit_code_is_not_waited_for(tmp_path):
    child = multiprocessing.get_context("spawn").Process(target=_sleep)
    child.start()
    try:
        (tmp_path / EXIT_NAME).write_text("0\n")
        assert not _still_running(child.pid, tmp_path / EXIT_NAME)
    finally:
        child.kill()
        child.join()


def test_a_zombie_is_not_waited_for(tmp_path):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _still_running(pid, tmp_path / EXIT_NAME):
            time.sleep(0.05)
        with open(f"/proc/{pid}/stat") as stat:  # still there, unreaped
            assert stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        assert not _still_running(pid, tmp_path / EXIT_NAME)
    finally:
        os.waitpid(pid, 0)


def test_a_reused_pid_of_another_program_is_not_waited_for(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not _still_running(other.pid, tmp_path / EXIT_NAME)
    finally:
        other.kill()
        other.wait()
