"""Boosting models logged with their MLflow flavor and registered (``models:/name@alias``), and a
custom pyfunc whose output does not fit the task."""

from __future__ import annotations

import json

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from mlgate.prediction import MSG_MULTI_COLUMN
from tests.boosters._models import FEATURES, LIBRARIES, fit, make_frame
from tests.end_to_end.conftest import tracking


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """One embedded store with a binary model of each library at alias 'champion'."""
    folder = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{folder / 'store.db'}"
    client = MlflowClient(uri, uri)
    experiment = client.create_experiment("e", artifact_location=(folder / "art").as_uri())
    frame = make_frame("binary", 300, seed=5)
    with tracking(uri):
        for library in LIBRARIES:
            model = fit(library, "binary", frame[FEATURES], frame["label"])
            flavor = __import__(f"mlflow.{library}", fromlist=["log_model"])
            with mlflow.start_run(experiment_id=experiment):
                info = flavor.log_model(
                    model, name="model", registered_model_name=library, pip_requirements=[library]
                )
            client.set_registered_model_alias(library, "champion", info.registered_model_version)
    return uri, frame


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_registered_flavor_model_gates_by_alias(
    library, registry, tmp_path, monkeypatch, run_cli
):
    uri, frame = registry
    frame.to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(
        f"model: models:/{library}@champion\ndata: {{eval: eval.csv}}\ntarget: label\n"
        f"mlflow: {{tracking_uri: '{uri}'}}\n"
        "checks: {performance: {roc_auc: {min: 0.5}}}\nreport: {formats: [json]}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("run", "-c", "mlgate.yaml", "--no-promote")
    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    assert library in report["model"]["flavors"]
    assert report["model"]["resolved_uri"] == f"models:/{library}/1"
    assert report["model"]["labels_from"] == "predict_proba (arg-max)"


def test_a_pyfunc_with_two_output_columns_is_one_line(tmp_path, monkeypatch, cli_error):
    class TwoColumns(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return pd.DataFrame({"a": model_input["f0"], "b": model_input["f1"]})

    mlflow.pyfunc.save_model(tmp_path / "model", python_model=TwoColumns(), pip_requirements=[])
    make_frame("regression", 50).to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(
        "model: model\ndata: {eval: eval.csv}\ntarget: label\ntask: regression\n"
    )
    monkeypatch.chdir(tmp_path)
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert (code, message) == (2, MSG_MULTI_COLUMN.format(key="model", count=2))


@pytest.mark.parametrize(
    ("library", "trusted"),
    [
        ("xgboost", ["xgboost.core.Booster", "xgboost.sklearn.XGBClassifier"]),
        (
            "lightgbm",
            [
                "collections.OrderedDict",
                "lightgbm.basic.Booster",
                "lightgbm.sklearn.LGBMClassifier",
            ],
        ),
    ],
)
def test_a_wrapper_in_a_skops_file_gates_with_its_types_trusted(
    library, trusted, tmp_path, monkeypatch, run_cli, cli_error
):
    import skops.io

    frame = make_frame("binary", 200, seed=2)
    skops.io.dump(fit(library, "binary", frame[FEATURES], frame["label"]), tmp_path / "m.skops")
    frame.to_csv(tmp_path / "eval.csv", index=False)
    gate = "model: m.skops\ndata: {{eval: eval.csv}}\ntarget: label\n{extra}\n"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mlgate.yaml").write_text(gate.format(extra=""))
    code, message = cli_error("run", "-c", "mlgate.yaml")
    assert code == 2 and "skops does not trust by default" in message  # nothing runs untrusted
    (tmp_path / "mlgate.yaml").write_text(gate.format(extra=f"skops_trusted_types: {trusted}"))
    code, out, err = run_cli("run", "-c", "mlgate.yaml")
    assert code == 0, out + err
