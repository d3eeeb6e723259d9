"""Contract checks on real MLflow model folders and real scikit-learn models with real defects."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import mlgate
from mlgate.checks import contract
from mlgate.result import FAILED, PASSED, SKIPPED, WARNED
from tests._estimators import InfiniteRegressor, NoisyClassifier, UnnormalizedClassifier
from tests.checks.conftest import REQUIREMENTS

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ALL = {name: True for name in contract.CHECKS}


def gate(checks: dict, model: str | None = None, target: str = "label") -> dict:
    document: dict = {"target": target, "checks": {"contract": checks}}
    if model is not None:
        document["model"] = model
    return document


def test_a_well_formed_mlflow_model_meets_its_contract(mlflow_folder, binary_frame):
    result = mlgate.run_gate(gate(ALL, str(mlflow_folder)), data=binary_frame)

    statuses = {c.name: c.status for c in result.checks}
    assert statuses == {
        "input_signature": PASSED,
        "output_signature": PASSED,
        "outputs_valid": PASSED,
        "null_rows": SKIPPED,
        "unseen_category": SKIPPED,
        "column_order": PASSED,  # MLflow's schema enforcement puts columns back by name
        "determinism": PASSED,
    }
    assert result.check("contract.null_rows").message == contract.MSG_NO_NULLABLE
    assert result.check("contract.unseen_category").message == contract.MSG_NO_CATEGORICAL
    assert result.check("contract.determinism").details == {"rows": 50, "differing_rows": 0}
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.fixture(scope="module")
def contract_breaking_folder(tmp_path_factory, binary_frame, binary_X):
    """A model whose signature declares an integer input column and a text output."""
    import mlflow
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema
    from sklearn.linear_model import LogisticRegression

    columns = ["mean_radius", "mean_texture"]
    model = LogisticRegression().fit(binary_X[columns], binary_frame["label"])
    inputs = Schema([ColSpec("long", "mean_radius"), ColSpec("double", "mean_texture")])
    folder = tmp_path_factory.mktemp("breaking") / "model"
    mlflow.sklearn.save_model(
        model,
        folder,
        signature=ModelSignature(inputs, Schema([ColSpec("string")])),
        pip_requirements=REQUIREMENTS,
    )
    return folder


def test_signature_violations_fail_with_mlflows_reason(contract_breaking_folder, binary_frame):
    checks = {"input_signature": True, "output_signature": True}
    result = mlgate.run_gate(gate(checks, str(contract_breaking_folder)), data=binary_frame)

    inputs = result.check("contract.input_signature")
    assert inputs.status == FAILED
    assert inputs.message == (
        "the eval data does not conform to the model's input signature: MlflowException: "
        "Incompatible input types for column mean_radius. Can not safely convert float64 to int64."
    )
    assert inputs.details == {"columns": ["mean_radius", "mean_texture"], "optional": []}
    outputs = result.check("contract.output_signature")
    assert outputs.status == FAILED
    assert outputs.message == (
        "predictions (int64, shape (569,)) do not conform to the declared output [string "
        "(required)]"
    )


def test_a_file_model_has_no_signature_to_check(binary_frame, binary_model):
    result = mlgate.run_gate(gate({"input_signature": True}), data=binary_frame, model=binary_model)

    check = result.check("contract.input_signature")
    assert check.status == SKIPPED
    assert check.message == (
        "the model has no MLflow signature: a python model carries no MLflow metadata; log it "
        "with mlflow.<flavor>.log_model"
    )


def test_invalid_probabilities_and_infinite_predictions_fail(binary_frame, regression_frame):
    X = binary_frame.drop(columns="label")
    scores = mlgate.run_gate(
        gate({"outputs_valid": True}),
        data=binary_frame,
        model=UnnormalizedClassifier().fit(X, binary_frame["label"]),
    )
    infinite = mlgate.run_gate(
        gate({"outputs_valid": True}, target="y"),
        data=regression_frame,
        model=InfiniteRegressor().fit(regression_frame.drop(columns="y"), regression_frame["y"]),
    )

    check = scores.check("contract.outputs_valid")
    assert check.status == FAILED
    assert check.message == (
        "probabilities are invalid in 569 of 569 rows (first: row 0): 0 not finite, 0 outside "
        "[0, 1], 569 not summing to 1"
    )
    assert check.details["max_sum_error"] == pytest.approx(0.8)
    check = infinite.check("contract.outputs_valid")
    assert check.status == FAILED
    assert check.message == "1 of 442 predictions are not finite (first: row 0)"


@pytest.fixture(scope="module")
def optional_column_folder(tmp_path_factory, binary_frame, binary_X):
    """A logistic regression whose signature says 'mean_texture' may be missing: it may not."""
    import mlflow
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema
    from sklearn.linear_model import LogisticRegression

    columns = ["mean_radius", "mean_texture"]
    model = LogisticRegression().fit(binary_X[columns], binary_frame["label"])
    inputs = Schema(
        [ColSpec("double", "mean_radius"), ColSpec("double", "mean_texture", required=False)]
    )
    folder = tmp_path_factory.mktemp("optional") / "model"
    mlflow.sklearn.save_model(
        model, folder, signature=ModelSignature(inputs), pip_requirements=REQUIREMENTS
    )
    return folder


def test_nulls_in_a_nullable_column_crash_a_model_that_cannot_take_them(
    optional_column_folder, binary_frame
):
    result = mlgate.run_gate(
        gate({"null_rows": True}, str(optional_column_folder)), data=binary_frame
    )

    check = result.check("contract.null_rows")
    assert check.status == FAILED
    assert check.message.startswith(
        "the model crashed on rows with nulls in column 'mean_texture': ValueError: Input X "
        "contains NaN"
    )
    assert check.details["columns"] == ["mean_texture"]
    assert check.details["failures"][0]["column"] == "mean_texture"


def test_a_model_that_handles_nulls_passes_the_null_probe(binary_frame):
    from sklearn.ensemble import HistGradientBoostingClassifier

    frame = binary_frame[["mean_radius", "mean_texture", "label"]].copy()
    frame.loc[::7, "mean_texture"] = np.nan
    model = HistGradientBoostingClassifier(max_iter=10).fit(
        frame[["mean_radius", "mean_texture"]], frame["label"]
    )

    result = mlgate.run_gate(gate({"null_rows": True}), data=frame, model=model)

    check = result.check("contract.null_rows")
    assert check.status == PASSED
    assert check.message == "the model handles rows with nulls in 1 column(s) (50 rows each)"


def _encoded(frame, handle_unknown: str):
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    encoder = make_column_transformer(
        (OneHotEncoder(handle_unknown=handle_unknown), ["band"]), remainder="passthrough"
    )
    X = frame.drop(columns="label")
    return make_pipeline(encoder, LogisticRegression()).fit(X, frame["label"])


@pytest.fixture(scope="module")
def banded_frame(binary_frame):
    frame = binary_frame[["mean_radius", "mean_texture", "label"]].copy()
    frame.insert(0, "band", np.where(frame["mean_radius"] > 14, "large", "small"))
    return frame


def test_an_unseen_category_crashes_a_strict_encoder_and_not_a_lenient_one(banded_frame):
    checks = gate({"unseen_category": True})
    strict = mlgate.run_gate(checks, data=banded_frame, model=_encoded(banded_frame, "error"))
    lenient = mlgate.run_gate(checks, data=banded_frame, model=_encoded(banded_frame, "ignore"))

    check = strict.check("contract.unseen_category")
    assert check.status == FAILED
    assert check.message.startswith(
        "the model crashed on an unseen category ('__mlgate_unseen__') in column 'band': "
        "ValueError: Found unknown categories ['__mlgate_unseen__'] in column 0"
    )
    assert lenient.check("contract.unseen_category").status == PASSED


def test_column_order_breaks_a_model_called_without_its_schema(binary_frame, binary_model):
    result = mlgate.run_gate(gate({"column_order": True}), data=binary_frame, model=binary_model)

    check = result.check("contract.column_order")
    assert check.status == FAILED
    assert check.message.startswith("the model crashed on reordered columns: ValueError: The ")
    assert "Feature names must be in the same order as they were in fit" in check.message
    assert len(check.details["order"]) == 30


def test_column_order_is_skipped_for_a_model_that_reads_columns_by_position(binary_frame):
    from sklearn.linear_model import LogisticRegression

    X = binary_frame[["mean_radius", "mean_texture"]]
    model = LogisticRegression().fit(X.to_numpy(), binary_frame["label"])

    result = mlgate.run_gate(
        {**gate({"column_order": True}), "features": ["mean_radius", "mean_texture"]},
        data=binary_frame,
        model=model,
    )

    assert result.check("contract.column_order").status == SKIPPED
    assert result.check("contract.column_order").message == contract.MSG_BY_POSITION


def test_a_random_model_is_not_deterministic_and_warn_only_warns(binary_frame):
    X = binary_frame.drop(columns="label")
    noisy = NoisyClassifier().fit(X, binary_frame["label"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        failed = mlgate.run_gate(gate({"determinism": True}), data=binary_frame, model=noisy)
        warned = mlgate.run_gate(
            gate({"determinism": {"severity": "warn"}}), data=binary_frame, model=noisy
        )

    check = failed.check("contract.determinism")
    assert check.status == FAILED
    assert check.message == "two calls on the same 50 rows gave different outputs in 50 rows"
    assert warned.check("contract.determinism").status == WARNED
    assert warned.passed


def test_probe_rows_are_drawn_with_the_seed(binary_frame, binary_model):
    checks = gate({"determinism": True, "probe_rows": 7})
    first = mlgate.run_gate({**checks, "seed": 3}, data=binary_frame, model=binary_model)

    assert first.check("contract.determinism").details["rows"] == 7


def test_unknown_contract_key_names_the_closest(write_gate, run_cli):
    path = write_gate("model: m.joblib\ntarget: y\nchecks:\n  contract:\n    determinsm: true\n")

    code, out, err = run_cli("run", "-c", str(path))

    assert code == 2
    assert out == ""
    assert err.startswith(
        f"mlgate: error: {path}: unknown key 'determinsm' in 'checks.contract'; did you mean "
        "'determinism'?"
    )
    assert err.count("\n") == 1
