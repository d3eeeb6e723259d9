"""Timing and memory measurement for the families that call the model again (latency, resources,
contract): interleaved timed rounds under a deadline, percentiles, and peak memory; and the rule
those families (and documentation) share, that a model must be there.

Peak memory is the larger of two views, because each misses what the other sees:

- resident set size (RSS) added: sees native allocations (BLAS, C++ extensions) that
  ``tracemalloc`` misses. On Linux a thread samples ``/proc/self/statm`` every millisecond while
  the block runs; the kernel's high-water mark (``getrusage`` ``ru_maxrss``) catches a peak
  between two samples whenever it is a new high for the process. RSS misses memory the process
  already held and reuses (the allocator keeps freed heap memory, e.g. from the engine's first
  predict pass);
- the ``tracemalloc`` peak: every Python and numpy allocation while the block runs, reused or
  not (numpy reports its buffers to ``tracemalloc``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mlgate.errors import GateFileError

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

STATM = Path("/proc/self/statm")
SAMPLE_INTERVAL_S = 0.001
MAX_ERROR_CHARS = 300
MEGABYTE = 1_000_000

MSG_NEEDS_MODEL = (
    "checks.{family} needs a model: set 'model' (precomputed predictions in '{key}' cannot be "
    "{what})"
)
RSS_SAMPLED = (
    "max of tracemalloc's peak and the RSS added (sampled every 1 ms from /proc/self/statm, and "
    "the kernel's peak-RSS mark)"
)
RSS_MARK_ONLY = (
    "max of tracemalloc's peak and the kernel's peak-RSS mark (getrusage), which only sees new "
    "highs of the process"
)


def require_model(context: EvaluationContext, family: str, what: str) -> None:
    """The model-check families cannot run on precomputed predictions (exit 2)."""
    if context.model.model is None:
        key = "prediction" if context.spec.prediction is not None else "predictions"
        message = MSG_NEEDS_MODEL.format(family=family, key=key, what=what)
        raise GateFileError(f"{context.spec.source}: {message}")


def one_line(error: BaseException) -> str:
    """``"ValueError: Input X contains NaN."``: the model's error as one line a person reads."""
    text = " ".join(str(error).split())
    line = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return line[:MAX_ERROR_CHARS]


@contextmanager
def quiet_calls() -> Iterator[None]:
    """Silence warnings raised by repeated calls (one per call would flood the log)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@dataclass
class Rounds:
    """Durations of timed calls, one list per model, and why the rounds stopped."""

    seconds: list[list[float]]
    stopped_by: str
    warmup_calls: int = 0


def timed_rounds(
    calls: Sequence[Callable[[Any], Any]],
    inputs: Sequence[Sequence[Any]],
    *,
    warmup: int,
    deadline: float,
    max_rounds: int,
) -> Rounds:
    """Call every model once per round on its input for that round, alternating who goes first.

    ``inputs[k][i]`` is model ``k``'s input in round ``i`` (taken cyclically). Interleaving puts
    challenger and champion under the same machine load; alternating the order cancels any
    advantage of going second (warm caches). Rounds stop at ``deadline`` (``time.perf_counter``
    seconds) or after ``max_rounds``, but every model gets at least one timed call.
    """
    count = len(inputs[0])
    with quiet_calls():
        done_warmup = 0
        while done_warmup < warmup and time.perf_counter() < deadline:
            for call, rows in zip(calls, inputs, strict=True):
                call(rows[done_warmup % count])
            done_warmup += 1
        seconds: list[list[float]] = [[] for _ in calls]
        stopped_by = "max_calls"
        for index in range(max_rounds):
            if index and time.perf_counter() >= deadline:
                stopped_by = "budget"
                break
            order = range(len(calls)) if index % 2 == 0 else reversed(range(len(calls)))
            for k in order:
                rows = inputs[k][index % count]
                started = time.perf_counter()
                calls[k](rows)
                seconds[k].append(time.perf_counter() - started)
    return Rounds(seconds=seconds, stopped_by=stopped_by, warmup_calls=done_warmup)


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    """Percentiles (ms) of single calls, the number of calls and the spread (IQR, min, max)."""
    ms = np.asarray(seconds, dtype=float) * 1000.0
    p25, p50, p75, p95, p99 = np.percentile(ms, [25, 50, 75, 95, 99])
    return {
        "calls": len(ms),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "mean_ms": float(ms.mean()),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
        "iqr_ms": float(p75 - p25),
    }


def throughput_summary(seconds: Sequence[float], rows: Sequence[int]) -> dict[str, Any]:
    """Rows per second over the timed batch calls, and the spread of per-batch rates."""
    total = float(np.sum(seconds))
    rates = np.asarray(rows, dtype=float) / np.maximum(np.asarray(seconds, dtype=float), 1e-12)
    return {
        "calls": len(seconds),
        "rows": int(np.sum(rows)),
        "seconds": total,
        "rows_per_s": float(np.sum(rows)) / max(total, 1e-12),
        "min_rows_per_s": float(rates.min()),
        "max_rows_per_s": float(rates.max()),
    }


def _rss_bytes() -> int | None:
    """The process's current resident set size, where ``/proc`` tells it (Linux)."""
    try:
        resident_pages = int(STATM.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def _peak_mark_bytes() -> int | None:
    """The process's peak RSS so far (``ru_maxrss``: kilobytes on Linux, bytes on macOS)."""
    try:
        import resource  # noqa: PLC0415 (not on Windows)
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass
class PeakMemory:
    """Peak resident memory added while a block runs (see the module docstring for how)."""

    added_bytes: int | None = None
    rss_added_bytes: int | None = None
    traced_peak_bytes: int = 0
    method: str = RSS_SAMPLED
    samples: int = 0
    _peak: int = field(default=0, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    @contextmanager
    def measure(self) -> Iterator[PeakMemory]:
        tracing_here = not tracemalloc.is_tracing()
        if tracing_here:
            tracemalloc.start()
        tracemalloc.reset_peak()
        traced_before = tracemalloc.get_traced_memory()[0]
        before = _rss_bytes()
        mark_before = _peak_mark_bytes()
        sampler = None
        if before is not None:
            self._peak = before
            sampler = threading.Thread(target=self._sample, daemon=True)
            sampler.start()
        else:
            self.method = RSS_MARK_ONLY
        try:
            yield self
        finally:
            self._stop.set()
            if sampler is not None:
                sampler.join()
            self.traced_peak_bytes = max(0, tracemalloc.get_traced_memory()[1] - traced_before)
            if tracing_here:
                tracemalloc.stop()
            self._finish(before, mark_before)
            self.added_bytes = max(self.rss_added_bytes or 0, self.traced_peak_bytes)

    def _sample(self) -> None:
        while not self._stop.is_set():
            current = _rss_bytes() or 0
            self._peak = max(self._peak, current)
            self.samples += 1
            self._stop.wait(SAMPLE_INTERVAL_S)

    def _finish(self, before: int | None, mark_before: int | None) -> None:
        mark_after = _peak_mark_bytes()
        new_high = 0
        if mark_before is not None and mark_after is not None and mark_after > mark_before:
            new_high = mark_after  # the process's new peak was reached inside the block
        if before is None:
            self.rss_added_bytes = new_high - mark_before if new_high and mark_before else None
            return
        peak = max(self._peak, _rss_bytes() or 0, new_high)
        self.rss_added_bytes = max(0, peak - before)


def path_bytes(path: Path) -> tuple[int, int]:
    """Total size in bytes and number of files of a model file or folder."""
    if path.is_file():
        return path.stat().st_size, 1
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)
