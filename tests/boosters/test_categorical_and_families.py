"""Native categorical features read from a CSV file (text, not categories), missing values passed
through, and the model families (contract, latency, resources, documentation) on each library."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shap
from mlflow.models import infer_signature
from sklearn import metrics

from tests.boosters._models import LIBRARIES, fit

ROWS = 400
GATE = """\
model: model
data: {{eval: eval.csv}}
target: label
checks:
  performance: {{roc_auc: {{min: 0.5}}, log_loss: {{max: 10}}}}
  explainability: {{sample: {rows}, max_feature_share: 1.0}}
  contract: {{outputs_valid: true, null_rows: true, unseen_category: true, column_order: true,
             determinism: true, input_signature: true}}
  latency: {{single_row_p95_ms: {{max: 10000}}, batch_rows_per_s: {{min: 1}}, budget_seconds: 2}}
  resources: {{model_size_mb: {{max: 500}}, load_seconds: {{max: 60}}}}
  documentation: {{signature: true, input_example: true}}
report: {{formats: [json]}}
"""


def _frame(rows: int) -> pd.DataFrame:
    """Two numeric columns (one with missing values) and a text column the model reads as
    categories; the label depends on all three."""
    rng = np.random.default_rng(3)
    city = rng.choice(["oslo", "lima", "pune", "kyiv"], rows)
    frame = pd.DataFrame({"age": rng.normal(40, 10, rows), "income": rng.normal(size=rows)})
    frame["city"] = city
    score = (frame.age - 40) / 10 + (city == "lima") * 1.5 - (city == "kyiv") + frame.income
    frame["label"] = (score + rng.normal(scale=0.5, size=rows) > 0).astype(int)
    frame.loc[frame.index[::17], "income"] = np.nan  # passed through: each library handles NaN
    return frame


def _as_trained(frame: pd.DataFrame, library: str) -> pd.DataFrame:
    """The inputs as the model was fitted on them: categories (XGBoost, LightGBM) or text."""
    X = frame.drop(columns="label")
    return X if library == "catboost" else X.assign(city=X["city"].astype("category"))


@pytest.mark.parametrize("library", LIBRARIES)
def test_text_categories_from_csv_gate_like_the_trained_frame(
    library, tmp_path, run_cli, monkeypatch
):
    """Issue 22: an XGBClassifier with native categorical columns, saved with its MLflow flavor,
    could not be gated (no probabilities, every explainability check errored)."""
    frame = _frame(ROWS)
    X = _as_trained(frame, library)
    options = {"enable_categorical": True} if library == "xgboost" else {}
    if library == "catboost":
        options = {"cat_features": ["city"]}
    model = fit(library, "binary", X, frame["label"], **options)
    flavor = __import__(f"mlflow.{library}", fromlist=["save_model"])
    flavor.save_model(
        model,
        str(tmp_path / "model"),
        signature=infer_signature(frame.drop(columns="label"), frame["label"]),
        input_example=frame.drop(columns="label").head(3),
        pip_requirements=[library],
    )
    frame.to_csv(tmp_path / "eval.csv", index=False)  # 'city' is text in a CSV file
    (tmp_path / "mlgate.yaml").write_text(GATE.format(rows=ROWS))
    monkeypatch.chdir(tmp_path)

    code, out, err = run_cli("run", "-c", "mlgate.yaml")

    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert set(statuses.values()) == {"passed"}, statuses
    families = {c["family"] for c in report["checks"]}
    assert {"contract", "latency", "resources", "documentation", "explainability"} <= families
    if library != "catboost":
        assert report["model"]["categorical_inputs"] == ["city"]
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    assert report["metrics"]["roc_auc"] == pytest.approx(
        metrics.roc_auc_score(frame["label"], proba[:, 1]), rel=1e-9
    )
    assert report["metrics"]["log_loss"] == pytest.approx(
        metrics.log_loss(frame["label"], proba), rel=1e-9
    )
    values = np.asarray(shap.TreeExplainer(model).shap_values(X), dtype=float)
    expected = dict(zip(X.columns, np.abs(values).mean(axis=0), strict=True))
    importance = next(c for c in report["checks"] if c["id"] == "explainability.importance")
    assert importance["details"]["importance"] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_pipeline_with_a_column_transformer_is_explained_by_input_column(
    library, tmp_path, run_cli, monkeypatch
):
    """One-hot columns made from 'city' are summed back into 'city', row by row."""
    import joblib
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = _frame(ROWS)
    X, y = frame.drop(columns="label"), frame["label"]
    encode = ColumnTransformer(
        [
            ("numbers", SimpleImputer(), ["age", "income"]),
            ("city", OneHotEncoder(sparse_output=False), ["city"]),
        ]
    )
    pipeline = make_pipeline(encode, fit(library, "binary", encode.fit_transform(X), y))
    joblib.dump(pipeline, tmp_path / "model.joblib")
    frame.to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(
        "model: model.joblib\ndata: {eval: eval.csv}\ntarget: label\n"
        f"checks: {{explainability: {{sample: {ROWS}, max_feature_share: 1.0}}}}\n"
        "report: {formats: [json]}\n"
    )
    monkeypatch.chdir(tmp_path)

    code, out, err = run_cli("run", "-c", "mlgate.yaml")

    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    values = np.asarray(shap.TreeExplainer(pipeline[-1]).shap_values(encode.transform(X)))
    by_input = np.column_stack([values[:, 0], values[:, 1], values[:, 2:].sum(axis=1)])
    expected = dict(zip(["age", "income", "city"], np.abs(by_input).mean(axis=0), strict=True))
    importance = next(c for c in report["checks"] if c["id"] == "explainability.importance")
    assert importance["details"]["feature_space"] == "input"
    assert importance["details"]["importance"] == pytest.approx(expected, abs=1e-6)
    proba = np.asarray(pipeline.predict_proba(X), dtype=np.float64)
    assert report["metrics"]["roc_auc"] == pytest.approx(
        metrics.roc_auc_score(y, proba[:, 1]), rel=1e-9
    )
