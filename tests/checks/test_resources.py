"""Resource checks: size on disk (exact), load time and peak memory (against known floors)."""

from __future__ import annotations

import json

import pytest

import mlgate
from mlgate.checks import resources
from mlgate.result import FAILED, PASSED, SKIPPED
from tests._estimators import MemoryHungryRegressor
from tests.checks.conftest import REQUIREMENTS

GATE = (
    "model: {model}\ndata: {{eval: eval.csv}}\ntarget: {target}\nchecks:\n  resources:\n{section}"
)


def run_file_gate(tmp_path, write_gate, frame, target, model_path, section):
    import mlgate

    frame.to_csv(tmp_path / "eval.csv", index=False)
    path = write_gate(GATE.format(model=model_path.name, target=target, section=section))
    return mlgate.run_gate(path)


def test_size_of_a_model_file_is_its_bytes(
    tmp_path, write_gate, save_model, binary_frame, binary_model
):
    path = save_model(binary_model)
    section = "    model_size_mb: {max: 1000}\n    load_seconds: {max: 1000}\n"

    result = run_file_gate(tmp_path, write_gate, binary_frame, "label", path, section)

    size = result.check("resources.model_size_mb")
    assert size.status == PASSED
    assert size.value == path.stat().st_size / 1_000_000
    assert size.details == {"bytes": path.stat().st_size, "files": 1}
    load = result.check("resources.load_seconds")
    assert load.status == PASSED
    assert load.value > 0
    assert load.details["first_load_seconds"] > 0


def test_size_of_an_mlflow_folder_is_the_sum_of_its_files(
    tmp_path, write_gate, binary_frame, binary_model
):
    import mlflow

    folder = tmp_path / "model"
    mlflow.sklearn.save_model(binary_model, folder, pip_requirements=REQUIREMENTS)
    files = [p for p in folder.rglob("*") if p.is_file()]
    expected = sum(p.stat().st_size for p in files)

    result = run_file_gate(
        tmp_path, write_gate, binary_frame, "label", folder, "    model_size_mb: {max: 0.000001}\n"
    )

    check = result.check("resources.model_size_mb")
    assert check.status == FAILED
    assert check.details == {"bytes": expected, "files": len(files)}
    assert check.message == (
        f"model_size_mb = {expected / 1_000_000:.4g} is not within <= 1.000e-06"
    )


def test_peak_memory_sees_native_allocations(regression_frame):
    gate = {"target": "y", "checks": {"resources": {"predict_peak_memory_mb": {"max": 100}}}}
    X, y = regression_frame.drop(columns="y"), regression_frame["y"]

    hungry = mlgate.run_gate(
        gate, data=regression_frame, model=MemoryHungryRegressor(300).fit(X, y)
    )
    frugal = mlgate.run_gate(gate, data=regression_frame, model=MemoryHungryRegressor(0).fit(X, y))

    check = hungry.check("resources.predict_peak_memory_mb")
    assert check.status == FAILED
    assert check.value >= 250  # 300 MB written by numpy, invisible to tracemalloc's Python view
    assert check.details["rows"] == len(regression_frame)
    assert check.details["methods"] == ["predict"]
    assert frugal.check("resources.predict_peak_memory_mb").status == PASSED
    assert frugal.check("resources.predict_peak_memory_mb").value < 50
    json.dumps(hungry.to_dict(), allow_nan=False)


def test_a_model_passed_from_python_has_no_size_nor_load_time(regression_frame, regression_model):
    section = {"model_size_mb": {"max": 1}, "load_seconds": {"max": 1}}
    result = mlgate.run_gate(
        {"target": "y", "checks": {"resources": section}},
        data=regression_frame,
        model=regression_model,
    )

    assert result.check("resources.model_size_mb").status == SKIPPED
    assert result.check("resources.model_size_mb").message == resources.MSG_NO_FILES
    assert result.check("resources.load_seconds").message == resources.MSG_NOT_LOADED
    assert result.passed  # skipped checks do not fail the gate


def test_unknown_resource_key_names_the_closest(tmp_path, write_gate, run_cli):
    path = write_gate(
        "model: m.joblib\ntarget: y\nchecks:\n  resources:\n    model_size: {max: 1}\n"
    )

    code, out, err = run_cli("run", "-c", str(path))

    assert code == 2
    assert out == ""
    assert err.startswith(
        f"mlgate: error: {path}: unknown key 'model_size' in 'checks.resources'; did you mean "
        "'model_size_mb'?"
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize("family", ["resources", "contract"])
def test_families_that_call_the_model_need_one(family, binary_frame, tmp_path, write_gate, run_cli):
    binary_frame.assign(pred=binary_frame["label"]).to_csv(tmp_path / "eval.csv", index=False)
    section = "model_size_mb: {max: 1}" if family == "resources" else "determinism: true"
    path = write_gate(
        f"prediction: pred\ndata: {{eval: eval.csv}}\ntarget: label\nchecks:\n  {family}:\n"
        f"    {section}\n"
    )

    code, _, err = run_cli("run", "-c", str(path))

    assert code == 2
    assert err.startswith(f"mlgate: error: {path}: checks.{family} needs a model: set 'model'")
    assert err.count("\n") == 1
