"""Bootstrap resamples evaluated from sufficient statistics equal scikit-learn on the same rows,
are reproducible, keep class balance, and have honest error rates in seeded simulations."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sklearn.metrics as skm

from mlgate.metrics import MetricInput
from mlgate.metrics._arrays import spread_counts
from mlgate.metrics._regression_statistics import RegressionStatistics
from mlgate.metrics._sufficient import ClassificationStatistics
from mlgate.statistics import _bootstrap, _resample
from mlgate.statistics._bootstrap import distributions, metric_intervals, paired_difference

REL = 1e-9


def _evaluate(stats, count: int, seed: int = 7) -> tuple[dict, np.ndarray]:
    """Metrics of ``count`` resamples, and their row counts in the base order of ``stats``."""
    seeds = np.random.SeedSequence(seed).spawn(count)
    counts = _resample.draw_counts(seeds, [len(members) for members in stats.strata])
    return stats.evaluate_members(counts), spread_counts(counts, stats.strata, stats.n)


def _rows(stats, counts_row: np.ndarray) -> np.ndarray:
    """Original row indices of one resample, each repeated as often as it was drawn."""
    return np.repeat(stats.order, counts_row.astype(int))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_binary_resamples_match_sklearn_on_the_drawn_rows(binary_frame, weighted):
    from sklearn.linear_model import LogisticRegression

    X, y = binary_frame[["mean_radius", "mean_texture"]], binary_frame["label"].to_numpy()
    model = LogisticRegression().fit(X, y)
    proba, pred = model.predict_proba(X), model.predict(X)
    proba = np.round(proba, 2)  # ties in the scores, to exercise the grouped thresholds
    proba[:, 0] = 1 - proba[:, 1]
    w = np.random.default_rng(1).uniform(0.2, 3.0, len(y)) if weighted else None
    stats = ClassificationStatistics(MetricInput(y, pred, proba, np.array([0, 1]), 1, w))
    values, counts = _evaluate(stats, 3)
    for r in range(3):
        rows = _rows(stats, counts[r])
        yt, yp, p, sw = y[rows], pred[rows], proba[rows, 1], None if w is None else w[rows]
        tn, fp, fn, tp = skm.confusion_matrix(yt, yp).ravel()
        expected = {
            "true_negatives": tn,
            "false_positives": fp,
            "false_negatives": fn,
            "true_positives": tp,
            "example_count": len(rows),
            "accuracy_score": skm.accuracy_score(yt, yp, sample_weight=sw),
            "precision_score": skm.precision_score(yt, yp, sample_weight=sw),
            "recall_score": skm.recall_score(yt, yp, sample_weight=sw),
            "f1_score": skm.f1_score(yt, yp, sample_weight=sw),
            "f1_score_macro": skm.f1_score(yt, yp, average="macro", sample_weight=sw),
            "balanced_accuracy_score": skm.balanced_accuracy_score(yt, yp, sample_weight=sw),
            "matthews_corrcoef": skm.matthews_corrcoef(yt, yp, sample_weight=sw),
            "log_loss": skm.log_loss(yt, proba[rows], sample_weight=sw),
            "roc_auc": skm.roc_auc_score(yt, p, sample_weight=sw),
            "precision_recall_auc": skm.average_precision_score(yt, p, sample_weight=sw),
            "brier_score": skm.brier_score_loss(yt, p, sample_weight=sw),
        }
        for name, value in expected.items():
            assert values[name][r] == pytest.approx(float(value), rel=REL), name


def test_multiclass_resamples_match_sklearn_on_the_drawn_rows(multiclass_frame, multiclass_model):
    X = multiclass_frame[list(multiclass_model.feature_names_in_)]
    y = multiclass_frame["label"].to_numpy()
    proba, pred = multiclass_model.predict_proba(X), multiclass_model.predict(X)
    classes = multiclass_model.classes_
    stats = ClassificationStatistics(MetricInput(y, pred, proba, classes, None, None))
    values, counts = _evaluate(stats, 2)
    for r in range(2):
        rows = _rows(stats, counts[r])
        yt, yp = y[rows], pred[rows]
        expected = {
            "f1_score": skm.f1_score(yt, yp, average="weighted"),
            "precision_score": skm.precision_score(yt, yp, average="weighted", zero_division=0),
            "matthews_corrcoef": skm.matthews_corrcoef(yt, yp),
            "log_loss": skm.log_loss(yt, proba[rows], labels=classes),
            "roc_auc": skm.roc_auc_score(
                yt, proba[rows], labels=classes, multi_class="ovr", average="weighted"
            ),
            "brier_score": skm.brier_score_loss(yt, proba[rows], labels=classes),
        }
        for name, value in expected.items():
            assert values[name][r] == pytest.approx(float(value), rel=REL), name


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_regression_resamples_match_sklearn_on_the_drawn_rows(
    regression_frame, regression_model, weighted
):
    X = regression_frame[list(regression_model.feature_names_in_)]
    y = regression_frame["y"].to_numpy(dtype=float)
    pred = regression_model.predict(X)
    w = np.random.default_rng(2).uniform(0.2, 3.0, len(y)) if weighted else None
    stats = RegressionStatistics(MetricInput(y, pred, None, None, None, w))
    values, counts = _evaluate(stats, 3)
    for r in range(3):
        rows = _rows(stats, counts[r])
        yt, yp, sw = y[rows], pred[rows], None if w is None else w[rows]
        total = float(np.sum(yt if sw is None else yt * sw))
        expected = {
            "mean_absolute_error": skm.mean_absolute_error(yt, yp, sample_weight=sw),
            "root_mean_squared_error": skm.root_mean_squared_error(yt, yp, sample_weight=sw),
            "r2_score": skm.r2_score(yt, yp, sample_weight=sw),
            "explained_variance_score": skm.explained_variance_score(yt, yp, sample_weight=sw),
            "mean_absolute_percentage_error": skm.mean_absolute_percentage_error(
                yt, yp, sample_weight=sw
            ),
            "max_error": skm.max_error(yt, yp),
            "sum_on_target": total,
            "mean_on_target": total / len(rows),
        }
        if not weighted:
            expected["median_absolute_error"] = skm.median_absolute_error(yt, yp)
        for name, value in expected.items():
            assert values[name][r] == pytest.approx(float(value), rel=1e-8), name


def _binary_stats(n: int, seed: int, shift: float = 1.0, noise_seed: int | None = None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    noise = np.random.default_rng(noise_seed if noise_seed is not None else seed + 1)
    scores = 1 / (1 + np.exp(-(shift * y + noise.normal(0, 1, n))))
    proba = np.c_[1 - scores, scores]
    return ClassificationStatistics(
        MetricInput(y, (scores > 0.5).astype(int), proba, np.array([0, 1]), 1, None)
    )


def test_resamples_keep_every_class_size():
    stats = _binary_stats(301, 0)
    _, counts = _evaluate(stats, 20)
    for members in stats.strata:
        assert (counts[:, members].sum(axis=1) == len(members)).all()


def test_same_seed_gives_byte_identical_intervals_whatever_the_chunking(monkeypatch):
    stats = _binary_stats(500, 3)
    first = json.dumps(metric_intervals(stats, stats.metric_names(), 200, 0.95, seed=11))
    monkeypatch.setattr(_resample, "ELEMENTS_PER_CHUNK", 1500)  # 3 resamples per chunk
    monkeypatch.setattr(_bootstrap, "WORKERS", 1)
    second = json.dumps(metric_intervals(stats, stats.metric_names(), 200, 0.95, seed=11))
    assert first == second
    other = json.dumps(metric_intervals(stats, stats.metric_names(), 200, 0.95, seed=12))
    assert other != first


def test_paired_bootstrap_rarely_favours_an_equal_challenger():
    """True AUC difference 0: 'better at 95%' (one-sided) and 'different' (two-sided interval
    excludes 0) must each happen at about the nominal 5% rate, not more."""
    better = different = 0
    simulations = 200
    for sim in range(simulations):
        model = _binary_stats(200, 1000 + sim, noise_seed=5000 + sim)
        champion = _binary_stats(200, 1000 + sim, noise_seed=9000 + sim)
        summary = paired_difference(
            model,
            champion,
            "roc_auc",
            resamples=200,
            confidence=0.95,
            seed=sim,
            greater_is_better=True,
        )
        better += summary["delta_lower_bound"] > 0
        interval = summary["delta_interval"]
        different += interval["lower"] > 0 or interval["upper"] < 0
    allowed = 0.05 + 3 * np.sqrt(0.05 * 0.95 / simulations)  # nominal + 3 standard errors
    assert 0.005 <= better / simulations <= allowed
    assert 0.005 <= different / simulations <= allowed


def test_paired_bootstrap_sees_a_real_improvement():
    strong = _binary_stats(400, 5, shift=2.0, noise_seed=1)
    weak = _binary_stats(400, 5, shift=0.7, noise_seed=2)
    summary = paired_difference(
        strong, weak, "roc_auc", resamples=300, confidence=0.95, seed=0, greater_is_better=True
    )
    assert summary["delta_lower_bound"] > 0.05
    assert summary["probability_worse"] == 0.0


def test_interval_coverage_is_near_nominal():
    """Mean absolute error of N(0, 1) errors is sqrt(2/pi): the 95% interval must cover it in
    95% +- 2 points of 400 seeded data sets (benchmarks/bench_statistics.py runs more)."""
    truth = np.sqrt(2 / np.pi)
    covered = 0
    simulations = 400
    for sim in range(simulations):
        errors = np.random.default_rng(sim).normal(0, 1, 300)
        stats = RegressionStatistics(MetricInput(errors, np.zeros(300), None, None, None, None))
        interval = metric_intervals(stats, ["mean_absolute_error"], 250, 0.95, seed=sim)
        bounds = interval["mean_absolute_error"]
        covered += bounds["lower"] <= truth <= bounds["upper"]
    assert abs(covered / simulations - 0.95) <= 0.02


def test_distributions_of_two_models_use_the_same_rows():
    stats = _binary_stats(400, 9)
    twin = _binary_stats(400, 9)
    names = ["roc_auc", "log_loss"]
    model, baseline = distributions([stats, twin], [names, names], 50, seed=1)
    np.testing.assert_array_equal(model["roc_auc"], baseline["roc_auc"])
    np.testing.assert_array_equal(model["log_loss"], baseline["log_loss"])


def test_a_shared_pass_gives_what_separate_passes_give():
    """The gate draws once for intervals and paired comparisons: sharing must change nothing."""
    model, baseline = _binary_stats(500, 3), _binary_stats(500, 3, noise_seed=99)
    everything = model.metric_names()
    shared_model, shared_baseline = distributions(
        [model, baseline], [everything, ["roc_auc"]], 120, seed=5
    )
    (alone,) = distributions([model], [everything], 120, seed=5)
    paired_model, paired_baseline = distributions(
        [model, baseline], [["roc_auc"], ["roc_auc"]], 120, seed=5
    )
    for name in everything:
        np.testing.assert_array_equal(shared_model[name], alone[name])
    np.testing.assert_array_equal(shared_model["roc_auc"], paired_model["roc_auc"])
    np.testing.assert_array_equal(shared_baseline["roc_auc"], paired_baseline["roc_auc"])
