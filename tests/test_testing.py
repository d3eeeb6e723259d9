"""Assertion helpers of ``mlgate.testing``: exact messages, on real evaluations."""

from __future__ import annotations

import pytest

from mlgate import engine
from mlgate.checks._format import fmt, fmt_signed
from mlgate.testing import (
    MSG_GATE_FAILED,
    MSG_METRIC,
    MSG_NO_BASELINE,
    MSG_NO_DIRECTION,
    MSG_NOT_A_GATE,
    MSG_REGRESSION,
    MSG_UNAVAILABLE,
    OPERATORS,
    assert_gate_passed,
    assert_metric,
    assert_no_regression,
)

GATE = {"target": "label", "checks": {"performance": {"roc_auc": {"min": 0.5}}}}


@pytest.fixture(scope="module")
def evaluated(binary_frame, binary_model, weak_binary_model):
    """(context, result) of the strong model against the weak one as baseline."""
    return engine.evaluate(GATE, data=binary_frame, model=binary_model, baseline=weak_binary_model)


@pytest.fixture(scope="module")
def reversed_gate(binary_frame, binary_model, weak_binary_model):
    """The weak model under test, the strong one as baseline: every metric regresses."""
    return engine.evaluate(GATE, data=binary_frame, model=weak_binary_model, baseline=binary_model)


@pytest.mark.parametrize("which", [0, 1], ids=["context", "result"])
def test_assert_metric_message_names_value_relation_bound_and_rows(evaluated, which):
    source = evaluated[which]
    auc = evaluated[1].metrics["roc_auc"]
    assert_metric(source, "roc_auc", ">=", 0.5)
    with pytest.raises(AssertionError) as failed:
        assert_metric(source, "roc_auc", "<", 0.5)
    rows = fmt(evaluated[0].n_rows)
    assert str(failed.value) == MSG_METRIC.format(
        name="roc_auc", value=fmt(auc), relation=">=", bound="0.5", rows=rows
    )
    assert rows == "569"


@pytest.mark.parametrize("op", list(OPERATORS))
def test_every_operator_holds_and_fails_as_python_does(evaluated, op):
    value = evaluated[1].metrics["accuracy_score"]
    test, relation = OPERATORS[op]
    for bound in (value - 0.01, value, value + 0.01):
        if test(value, bound):
            assert_metric(evaluated[1], "accuracy_score", op, bound)
        else:
            with pytest.raises(AssertionError, match=f" {relation} "):
                assert_metric(evaluated[1], "accuracy_score", op, bound)


def test_close_values_get_enough_digits_to_differ(evaluated):
    value = evaluated[1].metrics["roc_auc"]
    with pytest.raises(AssertionError) as failed:
        assert_metric(evaluated[1], "roc_auc", ">=", value + 1e-9)
    shown, bound = str(failed.value).split(" = ")[1].split(" (n=")[0].split(" < ")
    assert shown != bound and float(shown) < float(bound)


def test_unknown_names_and_operators_are_test_bugs(evaluated):
    with pytest.raises(ValueError, match="did you mean 'roc_auc'"):
        assert_metric(evaluated[1], "roc_acu", ">=", 0.5)
    with pytest.raises(ValueError, match="op must be one of >=, >, <=, <, ==, !=, got '=>'"):
        assert_metric(evaluated[1], "roc_auc", "=>", 0.5)
    with pytest.raises(TypeError) as wrong:
        assert_metric({"roc_auc": 1.0}, "roc_auc", ">=", 0.5)
    assert str(wrong.value) == MSG_NOT_A_GATE.format(type="dict")


def test_a_metric_that_could_not_be_computed_fails(binary_frame):
    from sklearn.linear_model import RidgeClassifier

    features = binary_frame.drop(columns="label")
    model = RidgeClassifier().fit(features, binary_frame["label"])  # no predict_proba
    _, result = engine.evaluate({"target": "label"}, data=binary_frame, model=model)
    with pytest.raises(AssertionError) as failed:
        assert_metric(result, "roc_auc", ">=", 0.5)
    reason = result.metrics_unavailable["roc_auc"]
    assert str(failed.value) == MSG_UNAVAILABLE.format(name="roc_auc", reason=reason)


@pytest.mark.parametrize("which", [0, 1], ids=["context", "result"])
def test_no_regression_follows_each_metric_direction(evaluated, reversed_gate, which):
    for name in ("roc_auc", "log_loss", "recall_score[1]"):
        assert_no_regression(evaluated[which], name)
    source = reversed_gate[which]
    result = reversed_gate[1]
    value, base = result.metrics["log_loss"], result.baseline_metrics["log_loss"]
    assert value > base, "the weak model must have the higher log loss"
    with pytest.raises(AssertionError) as failed:
        assert_no_regression(source, "log_loss", tolerance=0.01)
    assert str(failed.value) == MSG_REGRESSION.format(
        name="log_loss",
        value=fmt(value),
        base=fmt(base),
        delta=fmt_signed(value - base),
        tolerance="0.01",
        rows="569",
    )
    assert_no_regression(source, "log_loss", tolerance=value - base)


def test_no_regression_needs_a_baseline_and_a_direction(evaluated, binary_frame, binary_model):
    with pytest.raises(ValueError) as no_direction:
        assert_no_regression(evaluated[1], "example_count")
    assert str(no_direction.value) == MSG_NO_DIRECTION.format(name="example_count")
    assert_no_regression(evaluated[1], "example_count", greater_is_better=True)
    _, alone = engine.evaluate(GATE, data=binary_frame, model=binary_model)
    with pytest.raises(ValueError) as no_baseline:
        assert_no_regression(alone, "roc_auc")
    assert str(no_baseline.value) == MSG_NO_BASELINE.format(name="roc_auc")


def test_assert_gate_passed_lists_what_blocked_the_gate(binary_frame, weak_binary_model):
    checks = {"performance": {"roc_auc": {"min": 0.5}, "accuracy_score": {"min": 0.999}}}
    gate = {"target": "label", "checks": checks}
    _, result = engine.evaluate(gate, data=binary_frame, model=weak_binary_model)
    with pytest.raises(AssertionError) as failed:
        assert_gate_passed(result)
    blocked = result.check("performance.accuracy_score")
    assert str(failed.value) == MSG_GATE_FAILED.format(
        status="failed", checks=f"performance.accuracy_score: {blocked.message}"
    )
    checks["performance"]["accuracy_score"]["min"] = 0.5
    assert_gate_passed(engine.evaluate(gate, data=binary_frame, model=weak_binary_model)[1])
