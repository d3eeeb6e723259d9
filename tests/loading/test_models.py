"""Every model form the gate file accepts loads and predicts the same numbers."""

from __future__ import annotations

import logging

import pytest

import mlgate
from mlgate.errors import InputError
from mlgate.loading import models as models_module
from mlgate.mlflow_gateway import MSG_ALIAS_NOT_FOUND, MSG_NO_SQLITE_FILE
from mlgate.spec import spec_from_dict
from tests.end_to_end.conftest import tracking

logging.getLogger("mlflow").setLevel(logging.ERROR)


@pytest.fixture
def expected_auc(binary_model, binary_frame):
    return mlgate.run_gate({"target": "label"}, data=binary_frame, model=binary_model).metrics[
        "roc_auc"
    ]


def _auc_from(reference, tmp_path, binary_frame, **gate):
    spec = spec_from_dict({"target": "label", "model": str(reference), **gate}, base_dir=tmp_path)
    return mlgate.run_gate(spec, data=binary_frame)


def test_skops_file(tmp_path, binary_model, binary_frame, expected_auc):
    import skops.io

    skops.io.dump(binary_model, tmp_path / "model.skops")
    result = _auc_from("model.skops", tmp_path, binary_frame)
    assert result.model["kind"] == "skops"
    assert result.metrics["roc_auc"] == expected_auc


def test_skops_file_with_untrusted_types_is_refused(tmp_path, binary_frame):
    import skops.io

    from tests._estimators import ConstantClassifier

    model = ConstantClassifier().fit(binary_frame.drop(columns="label"), binary_frame["label"])
    skops.io.dump(model, tmp_path / "model.skops")
    with pytest.raises(InputError) as info:
        _auc_from("model.skops", tmp_path, binary_frame)
    assert str(info.value) == models_module.MSG_UNTRUSTED.format(
        key="model", path=tmp_path / "model.skops", types="tests._estimators.ConstantClassifier"
    )


def test_pickle_file(tmp_path, binary_model, binary_frame, expected_auc):
    import pickle

    (tmp_path / "model.pkl").write_bytes(pickle.dumps(binary_model))
    result = _auc_from("model.pkl", tmp_path, binary_frame)
    assert (result.model["kind"], result.metrics["roc_auc"]) == ("pickle", expected_auc)


def test_corrupt_joblib_file(tmp_path, binary_frame):
    (tmp_path / "model.joblib").write_bytes(b"not a joblib file")
    with pytest.raises(InputError) as info:
        _auc_from("model.joblib", tmp_path, binary_frame)
    assert str(info.value).startswith(f"model: could not load {tmp_path / 'model.joblib'}: ")


def test_folder_without_mlmodel(tmp_path, binary_frame):
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError) as info:
        _auc_from("folder", tmp_path, binary_frame)
    assert str(info.value) == models_module.MSG_UNKNOWN_FORM.format(
        key="model", path=tmp_path / "folder"
    )


def test_mlflow_model_folder_uses_the_native_flavor(
    tmp_path, binary_model, binary_frame, expected_auc
):
    import mlflow

    mlflow.sklearn.save_model(binary_model, tmp_path / "mlmodel", pip_requirements=["scikit-learn"])
    result = _auc_from("mlmodel", tmp_path, binary_frame)
    assert result.model["kind"] == "mlflow"
    assert "sklearn" in result.model["flavors"]
    assert result.metrics["roc_auc"] == expected_auc


def test_local_model_folder_opens_no_tracking_store(tmp_path, binary_model, monkeypatch):
    """Opening a sqlite store creates it and runs its migrations: seconds a folder never needs."""
    import mlflow

    mlflow.sklearn.save_model(binary_model, tmp_path / "mlmodel", pip_requirements=["scikit-learn"])
    store = tmp_path / "store.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    loaded = models_module.load_model(str(tmp_path / "mlmodel"), "model", tmp_path, None)
    assert loaded.kind == "mlflow"
    assert not store.exists()


def test_pyfunc_model_without_probabilities(tmp_path, binary_frame):
    import mlflow
    import sklearn.metrics as skm

    class Threshold(mlflow.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return (model_input["mean_radius"] < 15).astype(int)

    mlflow.pyfunc.save_model(
        tmp_path / "pyfunc", python_model=Threshold(), pip_requirements=["pandas"]
    )
    gate = {"checks": {"performance": {"f1_score": {"min": 0.5}, "roc_auc": {"min": 0.5}}}}
    result = _auc_from("pyfunc", tmp_path, binary_frame, **gate)
    expected = skm.f1_score(binary_frame["label"], (binary_frame["mean_radius"] < 15).astype(int))
    assert result.metrics["f1_score"] == pytest.approx(expected)
    assert result.check("performance.f1_score").status == "passed"
    assert result.check("performance.roc_auc").status == "errored"
    assert result.status == "failed"


@pytest.fixture
def registered(tmp_path, binary_model, weak_binary_model, binary_frame):
    """Two versions of 'cancer' in an embedded store: alias champion -> 1, challenger -> 2."""
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'store.db'}"
    client = MlflowClient(uri, uri)
    experiment = client.create_experiment("e", artifact_location=(tmp_path / "art").as_uri())
    run_ids = []
    with tracking(uri):  # the registry follows the tracking URI; both restored after
        for alias, model in (("champion", weak_binary_model), ("challenger", binary_model)):
            with mlflow.start_run(experiment_id=experiment) as run:
                info = mlflow.sklearn.log_model(
                    model,
                    name="model",
                    registered_model_name="cancer",
                    pip_requirements=["scikit-learn"],
                )
            client.set_registered_model_alias("cancer", alias, str(info.registered_model_version))
            run_ids.append(run.info.run_id)
    return {"uri": "sqlite:///store.db", "runs": run_ids}


def test_registry_alias_is_resolved_to_a_version(tmp_path, binary_frame, registered, expected_auc):
    gate = {
        "baseline": "models:/cancer@champion",
        "mlflow": {"tracking_uri": registered["uri"]},
        "checks": {"comparison": {"roc_auc": {"min_delta": 0}}},
    }
    result = _auc_from("models:/cancer@challenger", tmp_path, binary_frame, **gate)
    assert result.model["resolved_uri"] == "models:/cancer/2"
    assert (result.model["alias"], result.model["version"]) == ("challenger", "2")
    assert result.baseline["resolved_uri"] == "models:/cancer/1"
    assert result.metrics["roc_auc"] == expected_auc
    assert result.status == "passed"


def test_runs_uri(tmp_path, binary_frame, registered, expected_auc):
    gate = {"mlflow": {"tracking_uri": registered["uri"]}}
    result = _auc_from(f"runs:/{registered['runs'][1]}/model", tmp_path, binary_frame, **gate)
    assert result.metrics["roc_auc"] == expected_auc


def test_unknown_alias_is_a_bad_reference(tmp_path, binary_frame, registered):
    gate = {"mlflow": {"tracking_uri": registered["uri"]}}
    with pytest.raises(InputError) as info:
        _auc_from("models:/cancer@nope", tmp_path, binary_frame, **gate)
    message = str(info.value)
    assert message.startswith("model: models:/cancer@nope not found")
    assert "alias 'nope'" in message


def test_an_alias_typo_lists_the_aliases_that_exist(tmp_path, binary_frame, registered):
    """Issue 19: '@challengr' said only 'not found'."""
    gate = {"mlflow": {"tracking_uri": registered["uri"]}}
    with pytest.raises(InputError) as info:
        _auc_from("models:/cancer@challengr", tmp_path, binary_frame, **gate)
    assert str(info.value) == MSG_ALIAS_NOT_FOUND.format(
        key="model",
        uri="models:/cancer@challengr",
        name="cancer",
        alias="challengr",
        where=f"sqlite:///{tmp_path / 'store.db'}",
        existing="challenger, champion",
        hint="; did you mean 'challenger'?",
    )


def test_a_missing_sqlite_file_is_refused_naming_it(tmp_path, binary_frame, registered):
    """Issue 19: a typo in a sqlite URI created a new empty store, then 'not found'."""
    gate = {"mlflow": {"tracking_uri": "sqlite:///stor.db"}}
    with pytest.raises(InputError) as info:
        _auc_from("models:/cancer@challenger", tmp_path, binary_frame, **gate)
    missing = tmp_path / "stor.db"
    assert str(info.value) == MSG_NO_SQLITE_FILE.format(
        key="model", uri="models:/cancer@challenger", path=missing
    )
    assert not missing.exists()


def test_the_embedded_default_store_is_not_refused(tmp_path, binary_frame, monkeypatch):
    """No tracking URI anywhere: the embedded store is mlgate's own, created on first use."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        _auc_from("models:/cancer@challenger", tmp_path, binary_frame)
    assert "sqlite file" not in str(info.value)
    assert "models:/cancer@challenger not found" in str(info.value)


@pytest.fixture(scope="module")
def encoded_pipeline():
    """A OneHotEncoder + HistGradientBoosting pipeline on generated data: types skops refuses."""
    import numpy as np
    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(19)
    frame = pd.DataFrame(
        {"job": rng.choice(["a", "b", "c"], 400), "hours": rng.uniform(10, 60, 400)}
    )
    frame["wage"] = 300 * frame["hours"] + frame["job"].map({"a": 0, "b": 900, "c": 2000})
    columns = make_column_transformer((OneHotEncoder(), ["job"]), remainder="passthrough")
    model = make_pipeline(columns, HistGradientBoostingRegressor(max_iter=20))
    return frame, model.fit(frame[["job", "hours"]], frame["wage"])


def test_skops_types_trusted_in_the_gate_file_load_and_are_reported(tmp_path, encoded_pipeline):
    """Issue 19: such a pipeline was refused from the CLI with no way to trust named types."""
    import skops.io

    frame, model = encoded_pipeline
    skops.io.dump(model, tmp_path / "model.skops")
    needed = skops.io.get_untrusted_types(file=tmp_path / "model.skops")
    assert needed  # the defect needs types skops does not trust by default
    gate = {"target": "wage", "model": "model.skops", "checks": {}}
    with pytest.raises(InputError) as info:
        mlgate.run_gate(spec_from_dict(gate, base_dir=tmp_path), data=frame)
    assert str(info.value) == models_module.MSG_UNTRUSTED.format(
        key="model", path=tmp_path / "model.skops", types=", ".join(needed)
    )
    assert "'skops_trusted_types'" in str(info.value)

    gate["skops_trusted_types"] = needed[:-1]  # one short: still refused, naming only that one
    with pytest.raises(InputError) as info:
        mlgate.run_gate(spec_from_dict(gate, base_dir=tmp_path), data=frame)
    assert f"({needed[-1]})" in str(info.value)

    gate["skops_trusted_types"] = needed
    result = mlgate.run_gate(spec_from_dict(gate, base_dir=tmp_path), data=frame)
    assert result.model["kind"] == "skops"
    assert result.model["skops_trusted_types"] == needed  # listed in the report
    assert result.metrics["r2_score"] > 0.9


def test_third_party_deprecation_warnings_stay_out_of_the_output(
    tmp_path, binary_frame, registered
):
    """Issue 19: SQLAlchemy's and shap's deprecation warnings leaked into mlgate's output.

    ``-W default`` shows every warning once, as CI setups and pytest do; the gate reads a
    sqlite registry (SQLAlchemy) and runs SHAP.
    """
    import subprocess
    import sys

    binary_frame.to_csv(tmp_path / "eval.csv", index=False)
    (tmp_path / "mlgate.yaml").write_text(
        "model: models:/cancer@challenger\n"
        "data: {eval: eval.csv}\n"
        "target: label\n"
        f"mlflow: {{tracking_uri: '{registered['uri']}'}}\n"
        "checks:\n"
        "  performance: {roc_auc: {min: 0.5}}\n"
        "  explainability: {sample: 50, max_feature_share: 0.99}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-W", "default", "-m", "mlgate", "run", "-q", "--ci", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "DeprecationWarning" not in run.stderr, run.stderr
