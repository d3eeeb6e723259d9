"""Gate results for the report tests: binary, multiclass and regression gates run for real.

The multiclass gate is hostile on purpose: its target column and two of its classes are HTML
and Markdown that must show as text, and it carries a check of a family the reports have no
dedicated section for, whose details hold more of the same.
"""

from __future__ import annotations

from typing import Any

HOSTILE_COLUMN = "<img src=x onerror=alert(1)>"
HOSTILE_CLASSES = {0: "barolo", 1: "<script>alert(2)</script>", 2: "| --- |"}
HOSTILE_MESSAGE = "group <b>x</b> | broke\nthe table \x00\x1b[31m & more"


def binary_result(frame: Any, model: Any, baseline: Any) -> Any:
    """Breast cancer: performance checks (one failing), comparison checks (one failing)."""
    import mlgate

    gate = {
        "target": "label",
        "checks": {
            "performance": {
                "roc_auc": {"min": 0.95},
                "log_loss": {"max": 0.01},
                "precision_score": {"min": 0.9999, "severity": "warn"},
            },
            "comparison": {"roc_auc": {"min_delta": 0}, "f1_score": {"min_delta": 0.5}},
        },
    }
    return mlgate.run_gate(gate, data=frame, model=model, baseline=baseline)


def multiclass_result(frame: Any) -> Any:
    """Wine with hostile names, plus one errored and one skipped check of other families."""
    from sklearn.linear_model import LogisticRegression

    import mlgate
    from mlgate.result import CheckResult

    hostile = frame.drop(columns="label").iloc[:, :4].copy()
    codes = frame["label"].map({"barolo": 0, "grignolino": 1, "barbera": 2})
    hostile[HOSTILE_COLUMN] = codes.map(HOSTILE_CLASSES)
    model = LogisticRegression(max_iter=500).fit(hostile.iloc[:, :4], hostile[HOSTILE_COLUMN])
    gate = {
        "target": HOSTILE_COLUMN,
        "checks": {"performance": {"accuracy_score": {"min": 0.99}, "f1_score": {"min": 0.5}}},
    }
    result = mlgate.run_gate(gate, data=hostile, model=model)
    result.checks.append(
        CheckResult(
            id="fairness.selection_rate",
            family="fairness",
            name="selection_rate",
            status="errored",
            message=HOSTILE_MESSAGE,
            details={HOSTILE_COLUMN: {"| a |": 1.5, "<i>b</i>": [1, 2]}, "note": HOSTILE_MESSAGE},
        )
    )
    result.checks.append(
        CheckResult(
            id="drift.psi",
            family="drift",
            name="psi",
            status="skipped",
            message="no reference data",
        )
    )
    return result


def regression_result(frame: Any, model: Any) -> Any:
    """Diabetes: error thresholds, all passing."""
    import mlgate

    gate = {
        "target": "y",
        "checks": {"performance": {"r2_score": {"min": 0.3}, "mean_absolute_error": {"max": 60}}},
    }
    return mlgate.run_gate(gate, data=frame, model=model)
