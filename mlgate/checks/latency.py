"""Latency checks: how fast the model answers one row, and how many rows per second it predicts in
batches, optionally compared with the champion measured in the same run.

This family calls the model again, by design, in bounded rounds (the engine's predictions are
for metrics and are timed as one big call). ``predict`` is timed, after ``warmup_calls`` untimed
rounds:

- single row: one row per call, rows drawn with the gate's seed from the eval data;
- batch: the eval data in slices of ``batch_size`` rows, one pass at most for large data (small
  data is cycled until ``MIN_BATCH_ROWS`` rows or the budget).

The whole family, preparing its inputs included, stops at ``budget_seconds`` (default 10) plus
at most one round: single-row rounds stop at half of it when batch rounds follow, which get the
rest. With ``comparison`` the champion is called in the same
rounds, alternating with the challenger and who goes first, so machine load hits both equally.

Check ids: ``latency.<metric>`` (thresholds) and ``latency.comparison.<metric>``, metrics
``single_row_p50_ms``, ``single_row_p95_ms``, ``single_row_p99_ms``, ``batch_rows_per_s``.

``details`` of every check (timings vary run to run; every other field is deterministic)::

    {"single_row": {"model": SUMMARY, "baseline": SUMMARY | None, "rows_sampled": int,
                    "warmup_calls": int, "stopped_by": "budget" | "max_calls"} | None,
     "batch": {"model": THROUGHPUT, "baseline": THROUGHPUT | None, "batch_size": int,
               "warmup_calls": int, "stopped_by": "budget" | "max_calls"} | None,
     "budget_seconds": float, "method": "predict"}
    SUMMARY = {"calls", "p50_ms", "p95_ms", "p99_ms", "mean_ms", "min_ms", "max_ms", "iqr_ms"}
    THROUGHPUT = {"calls", "rows", "seconds", "rows_per_s", "min_rows_per_s", "max_rows_per_s"}

Comparison checks add ``model``, ``baseline``, ``delta`` and ``relative_delta`` of the metric.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.errors import GateFileError
from mlgate.families import check_family
from mlgate.result import PASSED, SKIPPED, CheckResult, check_id

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.context import EvaluationContext
    from mlgate.model import LoadedModel
    from mlgate.thresholds import DeltaLimit, Threshold

FAMILY = "latency"
SINGLE_ROW = {
    "single_row_p50_ms": "p50_ms",
    "single_row_p95_ms": "p95_ms",
    "single_row_p99_ms": "p99_ms",
}
BATCH = {"batch_rows_per_s": "rows_per_s"}
METRICS = {**SINGLE_ROW, **BATCH}
DEFAULT_BUDGET_SECONDS = 10.0
DEFAULT_BATCH_SIZE = 1000
DEFAULT_WARMUP_CALLS = 10
MAX_DISTINCT_ROWS = 200  # single-row inputs, cycled
MAX_SINGLE_ROW_CALLS = 2000  # per model: p99 is stable well before this
MIN_BATCH_ROWS = 20_000  # small eval data is cycled up to this many rows

MSG_COMPARISON_NO_BASELINE = (
    "checks.latency.comparison needs a champion to time: add 'baseline' (a model, not "
    "'baseline_prediction') or remove checks.latency.comparison"
)
MSG_WITHIN = "{name} = {value} is within {bounds} ({calls} timed calls)"
MSG_OUTSIDE = "{name} = {value} is not within {bounds} ({calls} timed calls)"
MSG_NO_BASELINE = "no champion to compare with: {reason}"


@dataclass(frozen=True)
class LatencyConfig:
    """``checks.latency``: thresholds, champion comparison limits and the measuring budget."""

    thresholds: dict[str, Threshold] = field(default_factory=dict)
    comparison: dict[str, DeltaLimit] = field(default_factory=dict)
    budget_seconds: float = DEFAULT_BUDGET_SECONDS
    batch_size: int = DEFAULT_BATCH_SIZE
    warmup_calls: int = DEFAULT_WARMUP_CALLS

    def wants(self, names: Mapping[str, str]) -> bool:
        return any(name in names for name in (*self.thresholds, *self.comparison))


def parse_latency(document: Mapping[str, Any], source: str) -> LatencyConfig:
    """Typed ``checks.latency`` (the schema already checked keys, types and the budget's floor)."""
    from mlgate.thresholds import parse_delta, parse_threshold

    section = document["checks"][FAMILY]
    return LatencyConfig(
        thresholds={
            name: parse_threshold(options, f"checks.latency.{name}", source)
            for name, options in section.items()
            if name in METRICS
        },
        comparison={
            name: parse_delta(options, f"checks.latency.comparison.{name}", source)
            for name, options in section.get("comparison", {}).items()
        },
        budget_seconds=float(section.get("budget_seconds", DEFAULT_BUDGET_SECONDS)),
        batch_size=int(section.get("batch_size", DEFAULT_BATCH_SIZE)),
        warmup_calls=int(section.get("warmup_calls", DEFAULT_WARMUP_CALLS)),
    )


def validate_latency(context: EvaluationContext) -> None:
    """A model to time, and a champion model when a comparison is asked for (exit 2)."""
    from mlgate.checks._measure import require_model

    require_model(context, FAMILY, "timed")
    config = context.spec.config(FAMILY, LatencyConfig)
    if not config.comparison or context.baseline_skipped_reason is not None:
        return
    if context.baseline is None or context.baseline.model is None:
        raise GateFileError(f"{context.spec.source}: {MSG_COMPARISON_NO_BASELINE}")


def _single_rows(X: pd.DataFrame, positions: Any) -> list[pd.DataFrame]:
    """One-row frames, sliced before timing so slicing is not measured."""
    return [X.iloc[[int(i)]] for i in positions]


def _batches(X: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [X.iloc[start : start + size] for start in range(0, len(X), size)]


def measure(context: EvaluationContext, config: LatencyConfig) -> dict[str, Any]:
    """Time the model (and the champion, interleaved, for a comparison) within the budget."""
    import numpy as np

    from mlgate.checks._measure import latency_summary, throughput_summary, timed_rounds
    from mlgate.context import choose_features

    started = time.perf_counter()  # the budget covers preparing inputs too
    models: list[tuple[LoadedModel, list[str]]] = []
    assert context.model.model is not None  # validate_latency
    models.append((context.model.model, context.features))
    compare = bool(config.comparison) and context.baseline is not None
    if compare:
        assert context.baseline is not None and context.baseline.model is not None
        baseline = context.baseline.model
        models.append((baseline, choose_features(context.spec, context.data, baseline, "baseline")))
    calls = [model.predictor.predict for model, _ in models]
    frame = context.data.frame
    single, batch = config.wants(SINGLE_ROW), config.wants(BATCH)
    share = config.budget_seconds / (int(single) + int(batch) or 1)
    measured: dict[str, Any] = {
        "single_row": None,
        "batch": None,
        "budget_seconds": config.budget_seconds,
        "method": "predict",
    }
    if single:
        rng = np.random.default_rng(context.spec.seed)
        positions = rng.choice(
            context.n_rows, size=min(context.n_rows, MAX_DISTINCT_ROWS), replace=False
        )
        inputs = [_single_rows(frame[columns], positions) for _, columns in models]
        rounds = timed_rounds(
            calls,
            inputs,
            warmup=config.warmup_calls,
            deadline=started + share,
            max_rounds=MAX_SINGLE_ROW_CALLS,
        )
        summaries = [latency_summary(seconds) for seconds in rounds.seconds]
        measured["single_row"] = {
            "model": summaries[0],
            "baseline": summaries[1] if compare else None,
            "rows_sampled": len(positions),
            "warmup_calls": rounds.warmup_calls,
            "stopped_by": rounds.stopped_by,
        }
    if batch:
        inputs = [_batches(frame[columns], config.batch_size) for _, columns in models]
        passes = 1 if context.n_rows >= MIN_BATCH_ROWS else -(-MIN_BATCH_ROWS // context.n_rows)
        rounds = timed_rounds(
            calls,
            inputs,
            warmup=min(config.warmup_calls, 1),
            deadline=started + config.budget_seconds,  # the rest of the budget
            max_rounds=passes * len(inputs[0]),
        )
        sizes = [len(b) for b in inputs[0]]
        throughputs = [
            throughput_summary(seconds, [sizes[i % len(sizes)] for i in range(len(seconds))])
            for seconds in rounds.seconds
        ]
        measured["batch"] = {
            "model": throughputs[0],
            "baseline": throughputs[1] if compare else None,
            "batch_size": config.batch_size,
            "warmup_calls": rounds.warmup_calls,
            "stopped_by": rounds.stopped_by,
        }
    return measured


def _value(measured: dict[str, Any], name: str, role: str) -> float:
    part = measured["single_row" if name in SINGLE_ROW else "batch"]
    return float(part[role][METRICS[name]])


def _calls(measured: dict[str, Any], name: str) -> int:
    part = measured["single_row" if name in SINGLE_ROW else "batch"]
    return int(part["model"]["calls"])


@check_family(
    FAMILY,
    "single-row latency percentiles and batch throughput, optionally vs the champion",
    parse=parse_latency,
    validate=validate_latency,
    spark_rows="sample",
)
def latency_checks(context: EvaluationContext) -> list[CheckResult]:
    """One check per threshold and per comparison limit under ``checks.latency``."""
    from mlgate.checks.comparison import LIMITS, compare
    from mlgate.checks.performance import bounds_text, evaluate_threshold

    config = context.spec.config(FAMILY, LatencyConfig)
    measured = context.memo(FAMILY, lambda: measure(context, config))
    results = []
    for name, threshold in config.thresholds.items():
        result = evaluate_threshold(
            check_id(FAMILY, name),
            FAMILY,
            name,
            _value(measured, name, "model"),
            None,
            threshold,
            _calls(measured, name),
        )
        template = MSG_WITHIN if result.status == PASSED else MSG_OUTSIDE
        result.message = template.format(
            name=name,
            value=fmt(result.value),
            bounds=bounds_text(threshold),
            calls=_calls(measured, name),
        )
        result.details = dict(measured)
        results.append(result)
    for name, limits in config.comparison.items():
        base: dict[str, Any] = {
            "id": f"{FAMILY}.comparison.{name}",
            "family": FAMILY,
            "name": f"comparison.{name}",
            "threshold": {k: getattr(limits, k) for k in LIMITS if getattr(limits, k) is not None},
            "severity": limits.severity,
        }
        if context.baseline is None:
            message = MSG_NO_BASELINE.format(reason=context.baseline_skipped_reason)
            results.append(CheckResult(**base, status=SKIPPED, message=message))
            continue
        status, message, details = compare(
            name, limits, _value(measured, name, "model"), _value(measured, name, "baseline")
        )
        results.append(
            CheckResult(
                **base,
                status=status,
                value=details["delta"],
                message=message,
                details={**details, **measured},
            )
        )
    return results
