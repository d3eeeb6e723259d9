"""The measuring helpers: interleaved rounds (order, bounds) and summaries against numpy."""

from __future__ import annotations

import time

import numpy as np
import pytest

from mlgate.checks._measure import latency_summary, one_line, throughput_summary, timed_rounds


def recorder(log: list[str], name: str):
    def call(rows):
        log.append(f"{name}{rows}")

    return call


def test_rounds_interleave_models_and_alternate_who_goes_first():
    log: list[str] = []
    calls = [recorder(log, "a"), recorder(log, "b")]

    rounds = timed_rounds(
        calls, [[0, 1], [0, 1]], warmup=1, deadline=time.perf_counter() + 60, max_rounds=4
    )

    assert log[:2] == ["a0", "b0"]  # warm-up
    assert log[2:] == ["a0", "b0", "b1", "a1", "a0", "b0", "b1", "a1"]
    assert rounds.stopped_by == "max_calls"
    assert [len(s) for s in rounds.seconds] == [4, 4]
    assert rounds.warmup_calls == 1


def test_a_spent_budget_still_times_one_call_per_model():
    log: list[str] = []

    rounds = timed_rounds(
        [recorder(log, "a"), recorder(log, "b")],
        [[0], [0]],
        warmup=5,
        deadline=time.perf_counter() - 1,
        max_rounds=100,
    )

    assert log == ["a0", "b0"]
    assert rounds.stopped_by == "budget"
    assert rounds.warmup_calls == 0


def test_summaries_match_numpy():
    seconds = np.random.default_rng(0).exponential(0.01, size=101)

    summary = latency_summary(seconds)

    expected = np.percentile(seconds * 1000, [50, 95, 99])
    assert [summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]] == pytest.approx(expected)
    assert summary["iqr_ms"] == pytest.approx(np.subtract(*np.percentile(seconds * 1000, [75, 25])))
    assert summary["calls"] == 101
    throughput = throughput_summary([0.5, 0.25], [1000, 1000])
    assert throughput["rows_per_s"] == pytest.approx(2000 / 0.75)
    assert (throughput["min_rows_per_s"], throughput["max_rows_per_s"]) == (2000.0, 4000.0)


def test_one_line_keeps_the_error_type_and_joins_lines():
    assert one_line(ValueError("Input X\n  contains NaN.")) == "ValueError: Input X contains NaN."
    assert one_line(KeyError()) == "KeyError"
