"""Documentation checks on registered versions (embedded sqlite registry), MLflow model folders and
plain model files."""

from __future__ import annotations

import warnings

import pytest

import mlgate
from mlgate.checks import documentation
from mlgate.errors import GateFileError
from mlgate.result import FAILED, PASSED, SKIPPED, WARNED
from tests.checks.conftest import REQUIREMENTS
from tests.end_to_end.conftest import tracking

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

REQUIRED = {
    "description": True,
    "signature": True,
    "input_example": True,
    "tags": ["owner", "training_data"],
    "run_params": ["git_commit"],
}
NAME = "churn"


@pytest.fixture(scope="module")
def store(tmp_path_factory, binary_model, binary_X):
    """A sqlite registry: version 1 documented, version 2 not (and an empty 'owner' tag)."""
    import mlflow
    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient

    folder = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.create_experiment("train", artifact_location=(folder / "a").as_uri())
    signature = infer_signature(binary_X, binary_model.predict(binary_X))
    with tracking(uri), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mlflow.start_run(experiment_id=experiment):
            mlflow.log_param("git_commit", "3f2a9c1")
            mlflow.sklearn.log_model(
                binary_model,
                name="model",
                signature=signature,
                input_example=binary_X.head(2),
                registered_model_name=NAME,
                pip_requirements=REQUIREMENTS,
            )
        with mlflow.start_run(experiment_id=experiment):
            mlflow.sklearn.log_model(
                binary_model,
                name="model",
                registered_model_name=NAME,
                pip_requirements=REQUIREMENTS,
            )
    client.update_model_version(NAME, "1", description="Logistic regression on 30 features.")
    client.set_model_version_tag(NAME, "1", "owner", "risk-team")
    client.set_model_version_tag(NAME, "1", "training_data", "s3://bucket/train-2026-11.parquet")
    client.set_model_version_tag(NAME, "2", "owner", " ")
    return uri


def registry_gate(uri: str, version: int, checks: dict) -> dict:
    return {
        "model": f"models:/{NAME}/{version}",
        "target": "label",
        "mlflow": {"tracking_uri": uri},
        "checks": {"documentation": checks},
    }


def test_a_documented_version_passes_every_check(store, binary_frame):
    result = mlgate.run_gate(registry_gate(store, 1, REQUIRED), data=binary_frame)

    assert [c.status for c in result.checks] == [PASSED] * 5
    assert result.check("documentation.description").message == (
        f"models:/{NAME}/1 has a description (on the version)"
    )
    assert result.check("documentation.tags").details == {
        "required": ["owner", "training_data"],
        "missing": [],
        "empty": [],
    }
    assert result.check("documentation.run_params").message == "run params present: git_commit"


def test_an_undocumented_version_fails_and_names_what_is_missing(store, binary_frame):
    result = mlgate.run_gate(registry_gate(store, 2, REQUIRED), data=binary_frame)

    statuses = {c.name: c.status for c in result.checks}
    assert statuses == dict.fromkeys(REQUIRED, FAILED)
    assert result.check("documentation.tags").message == (
        f"tags missing or empty on models:/{NAME}/2: training_data, owner"
    )
    assert result.check("documentation.tags").details == {
        "required": ["owner", "training_data"],
        "missing": ["training_data"],
        "empty": ["owner"],
    }
    assert result.check("documentation.signature").message == documentation.MSG_NO_SIGNATURE
    assert result.check("documentation.input_example").message == documentation.MSG_NO_EXAMPLE
    run_params = result.check("documentation.run_params")
    assert run_params.message.startswith("run params missing or empty on run ")
    assert run_params.message.endswith(": git_commit")


def test_warn_severity_only_warns(store, binary_frame):
    checks = {"tags": ["team"], "severity": "warn"}
    result = mlgate.run_gate(registry_gate(store, 1, checks), data=binary_frame)

    assert result.check("documentation.tags").status == WARNED
    assert result.passed


def test_mlflow_folders_are_checked_for_what_they_can_carry(
    mlflow_folder, bare_mlflow_folder, binary_frame
):
    checks = {"description": True, "signature": True, "input_example": True}
    logged = mlgate.run_gate(
        {"model": str(mlflow_folder), "target": "label", "checks": {"documentation": checks}},
        data=binary_frame,
    )
    bare = mlgate.run_gate(
        {"model": str(bare_mlflow_folder), "target": "label", "checks": {"documentation": checks}},
        data=binary_frame,
    )

    assert logged.check("documentation.signature").status == PASSED
    assert logged.check("documentation.input_example").details == {"path": "input_example.json"}
    assert logged.check("documentation.description").status == SKIPPED
    assert logged.check("documentation.description").message == (
        f"only a registered model version has a description; the model is {mlflow_folder}"
    )
    assert bare.check("documentation.signature").status == FAILED
    assert bare.check("documentation.input_example").status == FAILED


def test_a_model_file_skips_what_it_cannot_carry(tmp_path, save_model, binary_frame, binary_model):
    path = save_model(binary_model)
    checks = {"description": True, "signature": True, "input_example": True}

    result = mlgate.run_gate(
        {"model": str(path), "target": "label", "checks": {"documentation": checks}},
        data=binary_frame,
    )

    assert [c.status for c in result.checks] == [SKIPPED] * 3
    assert result.check("documentation.signature").message == (
        "a joblib model carries no MLflow metadata; log it with mlflow.<flavor>.log_model"
    )
    assert not (tmp_path / ".mlgate").exists()


@pytest.mark.parametrize(
    ("model", "key"),
    [("model.joblib", "tags"), ("model_folder", "run_params")],
)
def test_registry_records_on_a_model_without_registry_exit_2(model, key, write_gate, run_cli):
    path = write_gate(
        f"model: {model}\ntarget: label\nchecks:\n  documentation:\n    {key}: [owner]\n"
    )

    code, out, err = run_cli("run", "-c", str(path))

    assert code == 2
    assert out == ""
    runs = ", or runs:/<run_id>/model" if key == "run_params" else ""
    expected = documentation.MSG_NEEDS_REGISTRY.format(
        key=key, what=documentation._needs(key), runs=runs, model=model
    )
    assert err == f"mlgate: error: {path}: {expected}\n"


def test_registry_records_on_a_model_passed_from_python_are_refused(binary_frame, binary_model):
    with pytest.raises(GateFileError, match=r"'checks.documentation.tags' needs a model with a"):
        mlgate.run_gate(
            {"target": "label", "checks": {"documentation": {"tags": ["owner"]}}},
            data=binary_frame,
            model=binary_model,
        )
