"""Latency checks: thresholds and the champion comparison, with models whose calls sleep.

A model that sleeps ``d`` seconds per call cannot answer faster than ``d`` however loaded the
machine is, so "fails when it should" is asserted against that floor; "passes when it should"
uses limits far above what any machine needs. No test asserts a measured duration.
"""

from __future__ import annotations

import json
import re
import time

import pytest

import mlgate
from mlgate.checks import latency
from mlgate.checks._measure import MSG_NEEDS_MODEL
from mlgate.result import FAILED, PASSED, SKIPPED
from tests._estimators import SleepyClassifier

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def small_frame(binary_frame):
    """Few rows and columns: the sleeps dominate every call."""
    columns = ["mean_radius", "mean_texture", "mean_smoothness", "label"]
    return binary_frame[columns].iloc[:120].reset_index(drop=True)


def sleepy(frame, delay: float) -> SleepyClassifier:
    return SleepyClassifier(delay).fit(frame.drop(columns="label"), frame["label"])


def gate(checks: dict) -> dict:
    return {"target": "label", "checks": {"latency": {"budget_seconds": 1, **checks}}}


def test_single_row_percentile_fails_above_the_sleep_floor_and_passes_far_below(small_frame):
    checks = {"single_row_p50_ms": {"max": 4}, "warmup_calls": 2}
    slow = mlgate.run_gate(gate(checks), data=small_frame, model=sleepy(small_frame, 0.005))
    fast_gate = gate({"single_row_p95_ms": {"max": 2000}, "warmup_calls": 2})
    fast = mlgate.run_gate(fast_gate, data=small_frame, model=sleepy(small_frame, 0.0))

    result = slow.check("latency.single_row_p50_ms")
    assert result.status == FAILED
    assert result.value >= 5.0  # a 5 ms sleep per call is a floor
    assert result.message.startswith(f"single_row_p50_ms = {result.value:.4g} is not within <= 4")
    assert fast.check("latency.single_row_p95_ms").status == PASSED


def test_batch_throughput_fails_below_the_sleep_ceiling(small_frame):
    # 10 rows per call and 50 ms per call: at most 200 rows/s on any machine.
    checks = {"batch_rows_per_s": {"min": 1000}, "batch_size": 10, "warmup_calls": 0}
    result = mlgate.run_gate(gate(checks), data=small_frame, model=sleepy(small_frame, 0.05))

    check = result.check("latency.batch_rows_per_s")
    assert check.status == FAILED
    assert check.value <= 200
    batch = check.details["batch"]
    assert batch["batch_size"] == 10
    assert batch["model"]["rows"] == 10 * batch["model"]["calls"]


def test_slower_challenger_fails_the_comparison_and_an_equal_one_passes(small_frame):
    # 50 ms of sleep per call against none: several times slower on any machine, however loaded.
    checks = {
        "comparison": {"single_row_p95_ms": {"max_relative_delta": 0.2}},
        "warmup_calls": 2,
    }
    slower = mlgate.run_gate(
        gate(checks),
        data=small_frame,
        model=sleepy(small_frame, 0.05),
        baseline=sleepy(small_frame, 0.0),
    )
    # The same 30 ms floor for both, timed in the same rounds, and a limit of 3x: to fail, noise
    # would have to hit one model's calls and not the other's interleaved ones.
    same_checks = {
        "comparison": {"single_row_p95_ms": {"max_relative_delta": 2.0}},
        "budget_seconds": 2,
    }
    equal = mlgate.run_gate(
        gate({**checks, **same_checks}),
        data=small_frame,
        model=sleepy(small_frame, 0.03),
        baseline=sleepy(small_frame, 0.03),
    )

    check = slower.check("latency.comparison.single_row_p95_ms")
    assert check.status == FAILED
    assert check.details["model"] > check.details["baseline"]
    assert "max_relative_delta is 0.2" in check.message
    single = check.details["single_row"]
    assert single["model"]["calls"] == single["baseline"]["calls"]  # interleaved rounds
    assert equal.check("latency.comparison.single_row_p95_ms").status == PASSED


def test_the_budget_bounds_the_rounds_and_details_are_plain_json(small_frame):
    checks = {"single_row_p99_ms": {"max": 10_000}, "batch_rows_per_s": {"min": 1}}
    started = time.perf_counter()
    result = mlgate.run_gate(gate(checks), data=small_frame, model=sleepy(small_frame, 0.02))
    elapsed = time.perf_counter() - started

    details = result.check("latency.single_row_p99_ms").details
    assert details["single_row"]["stopped_by"] == "budget"
    assert details["budget_seconds"] == 1.0
    # 1 s of rounds (plus one call past the deadline and the gate's own work), not 120 rows x 20 ms
    # x 2 kinds of rounds.
    assert elapsed < 20
    assert set(details["single_row"]["model"]) == {
        "calls", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "min_ms", "max_ms", "iqr_ms",
    }  # fmt: skip
    json.dumps(result.to_dict(), allow_nan=False)


def test_measurements_are_shared_by_every_latency_check(small_frame):
    checks = {"single_row_p50_ms": {"max": 1000}, "single_row_p95_ms": {"max": 1000}}
    result = mlgate.run_gate(gate(checks), data=small_frame, model=sleepy(small_frame, 0.0))

    first = result.check("latency.single_row_p50_ms").details
    second = result.check("latency.single_row_p95_ms").details
    assert first == second
    assert first["single_row"]["model"]["p50_ms"] == result.check("latency.single_row_p50_ms").value


def test_comparison_is_skipped_when_there_is_no_champion_yet(small_frame):
    from mlgate.context import build_context
    from mlgate.loading.data import from_frame
    from mlgate.loading.models import from_object
    from mlgate.spec import spec_from_dict

    spec = spec_from_dict(gate({"comparison": {"single_row_p95_ms": {"max_relative_delta": 0.2}}}))
    context = build_context(
        spec,
        from_frame(small_frame, "data"),
        from_object(sleepy(small_frame, 0.0), "model"),
        None,
        baseline_skipped_reason="models:/m@champion does not exist yet",
    )
    latency.validate_latency(context)
    (check,) = latency.latency_checks(context)
    assert check.status == SKIPPED
    assert check.message == "no champion to compare with: models:/m@champion does not exist yet"


BAD_GATES = [
    (
        "    budget_seconds: 0.5\n",
        "'checks.latency.budget_seconds' must be >= 1, got 0.5",
    ),
    (
        "    single_row_p95: {max: 20}\n",
        "unknown key 'single_row_p95' in 'checks.latency'; did you mean 'single_row_p95_ms'?",
    ),
    (
        "    comparison: {single_row_p95_ms: {max_relative_delta: 0.2}}\n",
        latency.MSG_COMPARISON_NO_BASELINE,
    ),
]


@pytest.mark.parametrize(("section", "expected"), BAD_GATES)
def test_bad_latency_sections_exit_2_with_one_line(
    section, expected, small_frame, tmp_path, write_gate, write_inputs, run_cli
):
    write_inputs(sleepy(small_frame, 0.0), small_frame)
    path = write_gate(
        "model: model.joblib\ndata: {eval: eval.csv}\ntarget: label\n"
        "checks:\n  latency:\n" + section
    )

    code, out, err = run_cli("run", "-c", str(path))

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err


def test_latency_on_precomputed_predictions_exits_2(small_frame, tmp_path, write_gate, run_cli):
    frame = small_frame.assign(pred=small_frame["label"])
    frame.to_csv(tmp_path / "eval.csv", index=False)
    path = write_gate(
        "prediction: pred\ndata: {eval: eval.csv}\ntarget: label\n"
        "checks:\n  latency:\n    single_row_p95_ms: {max: 20}\n"
    )

    code, _, err = run_cli("run", "-c", str(path))

    assert code == 2
    expected = MSG_NEEDS_MODEL.format(family="latency", key="prediction", what="timed")
    assert err == f"mlgate: error: {path}: {expected}\n"


def test_mlgate_checks_lists_the_model_check_keys(run_cli):
    code, out, _ = run_cli("checks")

    assert code == 0
    assert re.search(r"^  latency +single-row latency percentiles and batch throughput", out, re.M)
    assert "checks.latency keys:\n  single_row_p50_ms " in out
    assert "  budget_seconds                   Wall-clock budget of all latency rounds" in out
    assert "checks.documentation keys:\n  description " in out
