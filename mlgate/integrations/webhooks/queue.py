"""The receiver's work queue, kept in a sqlite file so a restart loses no delivery.

One table of gate jobs, unique per (model, version, gate digest): a second delivery for a version
that is queued, running or gated under the same gate file is a duplicate and runs nothing. A job
whose gate could not run (exit 2 or 3, or a failed dispatch) is ``errored`` and a later delivery
queues it again. One table of delivery ids seen within the timestamp window refuses replays. A
delivery id and its job are written in one transaction: a delivery answered 202 is on disk, and
a delivery refused for a full queue (503, which MLflow retries) leaves no trace.

Jobs that were running when the receiver stopped are queued again at start, marked interrupted
(their gate's process id kept, or 0 when it was never recorded): the runner then waits for a gate
still running after its receiver was killed and adopts its outcome, or reruns a gate that was cut
off (``runner.run_job``); a lost job is never acceptable, a cut-off one rerun is harmless.
sqlite is in the standard library and commits atomically; one receiver process owns the file.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

QUEUED, RUNNING, DONE, ERRORED = "queued", "running", "done", "errored"
ACCEPTED, DUPLICATE, REQUEUED = "queued", "duplicate", "requeued"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, received REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    digest TEXT NOT NULL,
    gate TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    enqueued REAL NOT NULL,
    outcome TEXT,
    pid INTEGER,
    UNIQUE (model, version, digest)
);
"""


class ReplayedError(Exception):
    """The delivery id was accepted before."""


class QueueFullError(Exception):
    """As many jobs are waiting as the queue holds."""


@dataclass(frozen=True)
class Job:
    """One version to gate under one gate file."""

    id: int
    model: str
    version: str
    digest: str
    gate: str
    delivery_id: str
    event: str
    enqueued: float
    pid: int | None = None  # the gate process of an earlier, interrupted attempt

    @property
    def uri(self) -> str:
        return f"models:/{self.model}/{self.version}"


class GateQueue:
    """Jobs and seen delivery ids in ``folder/queue.sqlite``; safe to share between threads."""

    def __init__(self, folder: Path, capacity: int, replay_window: float) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.capacity = capacity
        self.replay_window = replay_window
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)
        self._db = sqlite3.connect(
            folder / "queue.sqlite", check_same_thread=False, isolation_level=None
        )
        # Write-ahead log: a commit is one append and one fsync (not a rollback journal's
        # several), and /healthz reads never wait for a writer; FULL keeps every answered
        # delivery on disk through a power cut, not only through a killed process.
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(_SCHEMA)
        with self._lock:
            # pid 0: it was running, its child's pid unknown (killed before it was recorded).
            self._db.execute(
                "UPDATE jobs SET status = ?, pid = COALESCE(pid, 0) WHERE status = ?",
                (QUEUED, RUNNING),
            )

    def accept(
        self,
        delivery_id: str,
        now: float,
        job: tuple[str, str, str, str, str] | None,
    ) -> str | None:
        """Remember ``delivery_id`` and queue ``job`` (model, version, digest, gate, event).

        Returns ``queued``, ``requeued`` (an errored job again), ``duplicate``, or None when
        there is no job. Raises :class:`ReplayedError` or :class:`QueueFullError`, writing nothing.
        """
        with self.changed:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                outcome = self._accept(delivery_id, now, job)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            if outcome in (ACCEPTED, REQUEUED):
                self.changed.notify_all()
            return outcome

    def _accept(
        self, delivery_id: str, now: float, job: tuple[str, str, str, str, str] | None
    ) -> str | None:
        # Ids older than twice the window can never come back with a fresh timestamp.
        self._db.execute(
            "DELETE FROM deliveries WHERE received < ?", (now - 2 * self.replay_window,)
        )
        try:
            self._db.execute("INSERT INTO deliveries VALUES (?, ?)", (delivery_id, now))
        except sqlite3.IntegrityError as error:
            raise ReplayedError(delivery_id) from error
        if job is None:
            return None
        model, version, digest, gate, event = job
        row = self._db.execute(
            "SELECT id, status FROM jobs WHERE model = ? AND version = ? AND digest = ?",
            (model, version, digest),
        ).fetchone()
        if row is not None and row[1] != ERRORED:
            return DUPLICATE
        (waiting,) = self._db.execute(
            "SELECT COUNT(*) FROM jobs WHERE status = ?", (QUEUED,)
        ).fetchone()
        if waiting >= self.capacity:
            raise QueueFullError()
        if row is not None:
            self._db.execute(
                "UPDATE jobs SET status = ?, gate = ?, delivery_id = ?, event = ?, enqueued = ?, "
                "outcome = NULL WHERE id = ?",
                (QUEUED, gate, delivery_id, event, now, row[0]),
            )
            return REQUEUED
        self._db.execute(
            "INSERT INTO jobs (model, version, digest, gate, delivery_id, event, status, enqueued)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (model, version, digest, gate, delivery_id, event, QUEUED, now),
        )
        return ACCEPTED

    def claim(self, stop: threading.Event, poll: float = 1.0) -> Job | None:
        """The oldest queued job of a model with no running job, marked running.

        Waits until there is one; returns None once ``stop`` is set.
        """
        with self.changed:
            while not stop.is_set():
                row = self._db.execute(
                    "SELECT id, model, version, digest, gate, delivery_id, event, enqueued, pid "
                    "FROM jobs WHERE status = ? AND model NOT IN "
                    "(SELECT model FROM jobs WHERE status = ?) ORDER BY id LIMIT 1",
                    (QUEUED, RUNNING),
                ).fetchone()
                if row is not None:
                    self._db.execute("UPDATE jobs SET status = ? WHERE id = ?", (RUNNING, row[0]))
                    return Job(*row)
                self.changed.wait(poll)
        return None

    def started(self, job: Job, pid: int) -> None:
        """Remember the process gating ``job``."""
        with self._lock:
            self._db.execute("UPDATE jobs SET pid = ? WHERE id = ?", (pid, job.id))

    def finish(self, job: Job, gated: bool, outcome: str) -> None:
        """Record a job's end: ``done`` when the gate decided, else ``errored`` (may rerun)."""
        with self.changed:
            self._db.execute(
                "UPDATE jobs SET status = ?, outcome = ?, pid = NULL WHERE id = ?",
                (DONE if gated else ERRORED, outcome, job.id),
            )
            self.changed.notify_all()

    def counts(self) -> dict[str, int]:
        """Jobs by status, for ``GET /healthz``."""
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        counts = dict.fromkeys((QUEUED, RUNNING, DONE, ERRORED), 0)
        counts.update({status: int(count) for status, count in rows})
        return counts

    def close(self) -> None:
        with self._lock:
            self._db.close()
