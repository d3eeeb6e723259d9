"""The ``statistics`` section end to end: intervals in the report, thresholds on a bound, the
paired comparison check, one model call for arg-max classifiers, and one-line errors (exit 2)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import mlgate
from mlgate import engine, spec, thresholds
from mlgate.checks import performance
from tests._cli import one_error_line

FEATURES = ["mean_radius", "mean_texture", "mean_smoothness", "mean_concavity"]


def _gate(**checks):
    return {
        "target": "label",
        "seed": 4,
        "statistics": {"bootstrap": 200, "confidence": 0.9},
        "checks": checks,
    }


@pytest.fixture(scope="module")
def models(binary_frame):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = binary_frame[FEATURES], binary_frame["label"]
    strong = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    weak = LogisticRegression().fit(binary_frame[["mean_texture"]], y)
    return strong, weak


def test_report_carries_an_interval_for_every_builtin_metric(binary_frame, models):
    result = mlgate.run_gate(_gate(), data=binary_frame, model=models[0])
    report = result.to_dict()
    assert report["statistics"] == {
        "method": "percentile",
        "resamples": 200,
        "confidence": 0.9,
        "seed": 4,
        "stratified": True,
        "resampling": "multinomial",
        "custom_metrics": "not resampled",
    }
    for name in ("roc_auc", "log_loss", "f1_score", "true_positives", "recall_score[0]"):
        interval = report["intervals"][name]
        assert interval["lower"] <= result.metrics[name] <= interval["upper"], name
    again = mlgate.run_gate(_gate(), data=binary_frame, model=models[0]).to_dict()
    assert json.dumps(again["intervals"]) == json.dumps(report["intervals"])


def test_without_statistics_the_report_has_no_interval_keys(binary_frame, models):
    gate = {"target": "label", "features": FEATURES}
    report = mlgate.run_gate(gate, data=binary_frame, model=models[0]).to_dict()
    assert "intervals" not in report and "statistics" not in report


def test_threshold_on_the_lower_bound(binary_frame, models):
    result = mlgate.run_gate(_gate(), data=binary_frame, model=models[1])
    lower = result.intervals["roc_auc"]["lower"]
    estimate = result.metrics["roc_auc"]
    between = (lower + estimate) / 2  # the value clears it, the lower bound does not
    gate = _gate(performance={"roc_auc": {"min": between, "on": "lower"}})
    check = mlgate.run_gate(gate, data=binary_frame, model=models[1]).check("performance.roc_auc")
    assert check.status == "failed"
    assert check.value == lower
    assert check.details["estimate"] == estimate
    assert check.details["interval"]["resamples"] == 200
    assert check.message.startswith("roc_auc lower bound = ")
    plain = _gate(performance={"roc_auc": {"min": between}})
    check = mlgate.run_gate(plain, data=binary_frame, model=models[1]).check("performance.roc_auc")
    assert check.status == "passed"


def test_paired_comparison_passes_a_better_challenger_and_fails_a_worse_one(binary_frame, models):
    strong, weak = models
    gate = _gate(comparison={"roc_auc": {"min_delta": 0.0, "confidence": 0.95}})
    better = mlgate.run_gate(gate, data=binary_frame, model=strong, baseline=weak)
    check = better.check("comparison.roc_auc")
    assert check.status == "passed"
    paired = check.details["paired"]
    assert paired["delta_lower_bound"] > 0 and paired["probability_worse"] == 0.0
    assert paired["resamples"] == 200 and paired["seed"] == 4
    worse = mlgate.run_gate(gate, data=binary_frame, model=weak, baseline=strong)
    check = worse.check("comparison.roc_auc")
    assert check.status == "failed"
    assert check.details["paired"]["probability_worse"] == 1.0
    assert "at 95% confidence the lower bound of the change is" in check.message


def test_argmax_classifier_is_called_once_and_labels_are_unchanged(binary_frame, models):
    strong = models[0]
    result = mlgate.run_gate(_gate(), data=binary_frame, model=strong)
    assert result.model["labels_from"] == "predict_proba (arg-max)"
    assert result.model["model_calls"] == 1
    predicted = strong.predict(binary_frame[FEATURES])
    expected_tp = int(((predicted == 1) & (binary_frame["label"] == 1)).sum())
    assert result.metrics["true_positives"] == expected_tp


def test_argmax_labels_equal_predict_for_every_listed_classifier(multiclass_frame):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    from mlgate.loading._argmax import argmax_labels, predict_is_argmax

    X, y = multiclass_frame.drop(columns="label"), multiclass_frame["label"]
    for estimator in (
        HistGradientBoostingClassifier(max_iter=5),
        RandomForestClassifier(n_estimators=5, random_state=0),
        DecisionTreeClassifier(max_depth=2),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ):
        for target in (y, y == y.iloc[0]):  # multiclass and binary
            fitted = estimator.fit(X, target)
            assert predict_is_argmax(fitted)
            labels, _ = argmax_labels(fitted.predict_proba(X), fitted.classes_)
            np.testing.assert_array_equal(labels, fitted.predict(X))


def test_other_models_are_called_twice(binary_frame):
    from sklearn.neighbors import KNeighborsClassifier

    from mlgate.loading._argmax import predict_is_argmax

    knn = KNeighborsClassifier().fit(binary_frame[FEATURES], binary_frame["label"])
    assert not predict_is_argmax(knn)  # not on the list: labels come from its own predict
    result = mlgate.run_gate({"target": "label"}, data=binary_frame, model=knn)
    assert result.model["labels_from"] == "predict"
    assert result.model["model_calls"] == 2


GATE_FILE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
features: [mean_radius, mean_texture]
{extra}
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "statistics: {bootstrap: 50}",
            "'statistics.bootstrap' must be >= 100, got 50",
        ),
        (
            "statistics: {bootstrap: 200000}",
            "'statistics.bootstrap' must be <= 100000, got 200000",
        ),
        (
            "statistics: {confidence: 1.5}",
            "'statistics.confidence' must be < 1, got 1.5",
        ),
        (
            "statistics: {confidence: 0}",
            "'statistics.confidence' must be > 0, got 0",
        ),
        (
            "checks: {performance: {roc_auc: {min: 0.8, on: lower}}}",
            performance.MSG_ON_WITHOUT_STATISTICS.format(
                key="checks.performance.roc_auc", on="lower"
            ),
        ),
        (
            "checks: {performance: {roc_auc: {min: 0.8, on: middle}}}",
            "'checks.performance.roc_auc.on' must be one of 'value', 'lower', 'upper', got "
            "'middle'",
        ),
        (
            "checks: {comparison: {roc_auc: {min_delta: 0.0, confidence: 0.95}}}",
            engine.MSG_CONFIDENCE_WITHOUT_BASELINE.format(name="roc_auc"),
        ),
        (
            "checks: {comparison: {roc_auc: {min_delta: 0.0, confidence: 1}}}",
            "'checks.comparison.roc_auc.confidence' must be < 1, got 1",
        ),
    ],
)
def test_bad_statistics_input_is_one_line_and_exit_2(
    extra, expected, run_cli, tmp_path, binary_frame, weak_binary_model, write_inputs, write_gate
):
    write_inputs(weak_binary_model, binary_frame)
    gate = write_gate(GATE_FILE.format(extra=extra))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err).endswith(expected)


def test_on_lower_for_a_custom_metric_is_refused():
    gate = {
        "target": "label",
        "statistics": {"bootstrap": 100},
        "metrics": {"kappa": {"function": "sklearn.metrics:cohen_kappa_score"}},
        "checks": {"performance": {"kappa": {"min": 0.5, "on": "lower"}}},
    }
    with pytest.raises(mlgate.errors.GateFileError) as error:
        spec.spec_from_dict(gate)
    assert str(error.value).endswith(
        performance.MSG_ON_CUSTOM_METRIC.format(
            key="checks.performance.kappa", on="lower", name="kappa"
        )
    )


def test_a_bound_without_interval_errors_instead_of_passing():
    threshold = thresholds.Threshold(min=0.5, on="lower")
    result = performance.evaluate_threshold("slices.x", "slices", "x", 0.9, None, threshold, 10)
    assert result.status == "errored"
    assert result.message == performance.MSG_NO_INTERVAL.format(name="x", on="lower")
