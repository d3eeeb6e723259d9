"""data.signature on a real MLflow model folder (MLflow import and save make it slow)."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.checks import data
from mlgate.engine import evaluate, run_gate

pytestmark = pytest.mark.integration


def test_model_signature_is_checked(tmp_path, binary_frame, binary_model, write_gate):
    import mlflow
    from mlflow.models import infer_signature

    X = binary_frame.drop(columns="label")
    mlflow.sklearn.save_model(
        binary_model,
        tmp_path / "mlflow_model",
        signature=infer_signature(X.head(), np.zeros(5)),
        pip_requirements=["scikit-learn"],  # no environment inference (slow)
    )
    evaluation = binary_frame.copy()
    evaluation["mean_area"] = evaluation["mean_area"].astype(str)
    gate = {"model": str(tmp_path / "mlflow_model"), "target": "label", "checks": {"data": {}}}
    good = run_gate(gate, data=binary_frame).check("data.signature")
    assert good.status == "passed" and len(good.details["inputs"]) == 30
    # the model's own predict copes with the text column; the contract check does not
    bad = data.signature_check(
        _context_with(gate, binary_frame, evaluation),
        "error",
    )
    assert bad.status == "failed"
    assert bad.details["violations"][0]["column"] == "mean_area"
    assert bad.details["violations"][0]["expected"] == "double (got string)"


def _context_with(gate, frame, replacement):
    """The context of a gate on ``frame``, its eval data then replaced (after predicting)."""
    from mlgate.loading.data import from_frame

    context, _ = evaluate(gate, data=frame)
    context.data = from_frame(replacement, "data.eval")
    return context
