"""Percentile bootstrap intervals of metrics, and the paired bootstrap of a difference.

All resamples of all wanted metrics come from one vectorised pass per chunk of resamples over the
model's sufficient statistics (:mod:`mlgate.metrics._sufficient`). For a comparison, the model and
the baseline are evaluated on the same resampled rows (a paired bootstrap), so the spread of the
difference excludes the variation both share.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from mlgate.statistics._resample import draw_counts, iterate_chunks, member_orders, reorder

METHOD = "percentile"
WORKERS = min(2, os.cpu_count() or 1)  # each thread holds a chunk: memory grows with it
MIN_CHUNKS_FOR_THREADS = 4  # below this, starting threads costs more than it saves


def distributions(
    statistics: Sequence[Any], names: Sequence[Collection[str]], resamples: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """Each metric's value on every resample, for each statistics object, on the same rows.

    ``names[i]`` lists the metrics wanted of ``statistics[i]``. The statistics objects must
    describe the same rows (same true labels): the model and the baseline of one gate. Chunks of
    resamples run on up to ``WORKERS`` threads (numpy releases the GIL in its loops); results do
    not depend on the number of threads, nor on which other metrics or objects share the pass.
    """
    reference = statistics[0]
    orders = [member_orders(stats, reference) for stats in statistics]
    sizes = [len(members) for members in reference.strata]

    def run(seeds: Sequence[Any]) -> list[dict[str, np.ndarray]]:
        counts = draw_counts(seeds, sizes)
        return [
            stats.evaluate_members(reorder(counts, order), wanted)
            for stats, order, wanted in zip(statistics, orders, names, strict=True)
        ]

    chunks = list(iterate_chunks(resamples, seed, reference.n))
    if len(chunks) < MIN_CHUNKS_FOR_THREADS or WORKERS == 1:
        results = [run(chunk) for chunk in chunks]
    else:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(run, chunks))
    return [
        {name: np.concatenate([chunk[index][name] for chunk in results]) for name in wanted}
        for index, wanted in enumerate(names)
    ]


def percentile_interval(values: np.ndarray, confidence: float) -> dict[str, Any]:
    """The two-sided percentile interval of ``values``; resamples where it is undefined dropped."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return {"lower": None, "upper": None, "undefined_resamples": len(values)}
    lower, upper = np.quantile(finite, [(1 - confidence) / 2, (1 + confidence) / 2])
    return {
        "lower": float(lower),
        "upper": float(upper),
        "undefined_resamples": int(len(values) - len(finite)),
    }


def metric_intervals(
    statistics: Any, names: Collection[str], resamples: int, confidence: float, seed: int
) -> dict[str, dict[str, Any]]:
    """Percentile interval of each metric in ``names``, by name."""
    values = distributions([statistics], [names], resamples, seed)[0]
    return {name: percentile_interval(values[name], confidence) for name in sorted(names)}


def paired_difference(
    model: Any,
    baseline: Any,
    name: str,
    *,
    resamples: int,
    confidence: float,
    seed: int,
    greater_is_better: bool | None,
) -> dict[str, Any]:
    """Bootstrap distribution summary of ``model - baseline`` for metric ``name``.

    Returns the two-sided interval of the difference (and of the relative difference), one-sided
    bounds at ``confidence`` (``delta_lower_bound``: the difference is at least this, with that
    confidence), and ``probability_worse``: the share of resamples in which the model is worse
    than the baseline (ties count half; None for metrics without a direction).
    """
    model_values, base_values = (
        part[name] for part in distributions([model, baseline], [[name], [name]], resamples, seed)
    )
    return difference_summary(model_values, base_values, confidence, greater_is_better)


def difference_summary(
    model_values: np.ndarray,
    base_values: np.ndarray,
    confidence: float,
    greater_is_better: bool | None,
) -> dict[str, Any]:
    """Summary of ``model - baseline`` over paired resamples (see :func:`paired_difference`)."""
    delta = model_values - base_values
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(base_values != 0, delta / np.abs(base_values), np.nan)
    finite = delta[np.isfinite(delta)]
    relative_finite = relative[np.isfinite(relative)]
    summary: dict[str, Any] = {
        "delta_interval": percentile_interval(delta, confidence),
        "relative_delta_interval": percentile_interval(relative, confidence),
        "delta_lower_bound": _quantile(finite, 1 - confidence),
        "delta_upper_bound": _quantile(finite, confidence),
        "relative_delta_lower_bound": _quantile(relative_finite, 1 - confidence),
        "relative_delta_upper_bound": _quantile(relative_finite, confidence),
        "probability_worse": None,
    }
    if greater_is_better is not None and len(finite):
        worse = finite < 0 if greater_is_better else finite > 0
        summary["probability_worse"] = float(np.mean(worse) + 0.5 * np.mean(finite == 0))
    return summary


def _quantile(values: np.ndarray, level: float) -> float | None:
    return float(np.quantile(values, level)) if len(values) else None
