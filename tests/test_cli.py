"""``mlgate run``: exit codes, one-line errors for every bad input, and the JSON report."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mlgate import context as context_module
from mlgate import prediction as prediction_module
from mlgate import spec as spec_module
from mlgate.loading import data as data_module
from mlgate.loading import models as models_module
from tests._cli import one_error_line
from tests._estimators import ConstantClassifier

GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
checks:
  performance:
    roc_auc: {{min: {min_auc}}}
"""


@pytest.fixture
def binary_gate(tmp_path, binary_frame, binary_model, write_inputs, write_gate):
    """A passing binary gate in tmp_path: model.joblib, eval.csv, mlgate.yaml."""
    write_inputs(binary_model, binary_frame)
    return write_gate(GATE.format(min_auc=0.9))


def test_passing_gate_exits_0_and_writes_the_report(run_cli, binary_gate, tmp_path):
    code, out, err = run_cli("run", "-c", str(binary_gate))
    assert code == 0, err
    assert "PASS  performance.roc_auc" in out
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    assert report["status"] == "passed"
    assert report["checks"][0]["id"] == "performance.roc_auc"


def test_failing_gate_exits_1(run_cli, tmp_path, write_gate, binary_gate):
    gate = write_gate(GATE.format(min_auc=0.9999))
    code, out, _ = run_cli("run", "-c", str(gate))
    assert code == 1
    assert "FAIL  performance.roc_auc" in out
    assert out.strip().splitlines()[-1].startswith("gate FAILED: 1 failed")


def test_warn_severity_does_not_fail_the_gate(run_cli, write_gate, binary_gate):
    gate = write_gate(GATE.format(min_auc="0.9999, severity: warn"))
    code, out, _ = run_cli("run", "-c", str(gate))
    assert code == 0
    assert "WARN  performance.roc_auc" in out


def test_errored_check_fails_the_gate(run_cli, tmp_path, binary_frame, write_inputs, write_gate):
    from sklearn.svm import LinearSVC  # no predict_proba: roc_auc cannot be computed

    X = binary_frame.drop(columns="label")
    write_inputs(LinearSVC().fit(X, binary_frame["label"]), binary_frame)
    gate = write_gate(GATE.format(min_auc=0.5))
    code, out, _ = run_cli("run", "-c", str(gate))
    assert code == 1
    assert (
        "ERROR performance.roc_auc  roc_auc could not be computed: needs class probabilities" in out
    )


def test_report_is_valid_against_the_shipped_schema(run_cli, binary_gate, tmp_path):
    import jsonschema

    run_cli("run", "-c", str(binary_gate))
    code, schema_text, _ = run_cli("schema", "report")
    assert code == 0
    jsonschema.validate(
        json.loads((tmp_path / "mlgate-report.json").read_text()), json.loads(schema_text)
    )


def test_report_is_deterministic_apart_from_times(run_cli, binary_gate, tmp_path):
    def stable(path):
        report = json.loads(path.read_text())
        for key in ("started_at", "duration_s"):
            report.pop(key)
        report["model"].pop("predict_seconds")
        return json.dumps(report)

    run_cli("run", "-c", str(binary_gate), "--report-dir", str(tmp_path / "a"))
    run_cli("run", "-c", str(binary_gate), "--report-dir", str(tmp_path / "b"))
    assert stable(tmp_path / "a" / "mlgate-report.json") == stable(
        tmp_path / "b" / "mlgate-report.json"
    )


def test_quiet_prints_one_line(run_cli, binary_gate):
    code, out, _ = run_cli("run", "-c", str(binary_gate), "-q")
    assert code == 0
    assert out.strip().splitlines() == [out.strip()]
    assert out.startswith("gate PASSED: 1 passed; reports: ")


# --- bad inputs: exit 2, one line naming the key or input, no traceback -------------------------


def test_missing_eval_file(run_cli, tmp_path, binary_model, save_model, write_gate):
    save_model(binary_model)
    gate = write_gate(GATE.format(min_auc=0.5))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err) == data_module.MSG_MISSING.format(
        key="data.eval", path=tmp_path / "eval.csv", base=tmp_path
    )


def test_unreadable_parquet(run_cli, tmp_path, binary_model, save_model, write_gate):
    save_model(binary_model)
    (tmp_path / "eval.parquet").write_bytes(b"PAR1 this is not parquet")
    gate = write_gate("model: model.joblib\ndata: {eval: eval.parquet}\ntarget: label\n")
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err).startswith(
        f"data.eval: {tmp_path / 'eval.parquet'} could not be read as Parquet: "
    )


def test_target_column_absent_suggests_the_closest(run_cli, tmp_path, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc=0.5).replace("target: label", "target: labels"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    line = one_error_line(err)
    assert line.startswith(
        f"target: column 'labels' is not in {tmp_path / 'eval.csv'}; did you mean 'label'?"
    )


def test_model_input_columns_missing(
    run_cli, tmp_path, binary_frame, binary_model, write_inputs, write_gate
):
    write_inputs(binary_model, binary_frame.drop(columns=["mean_radius"]))
    code, _, err = run_cli("run", "-c", str(write_gate(GATE.format(min_auc=0.5))))
    assert code == 2
    assert one_error_line(err) == context_module.MSG_MISSING_FEATURES.format(
        key="model", source=tmp_path / "eval.csv", missing="mean_radius"
    )


def test_predictions_of_the_wrong_length(run_cli, tmp_path, binary_frame, write_inputs, write_gate):
    X = binary_frame.drop(columns="label")
    write_inputs(ConstantClassifier(defect="short").fit(X, binary_frame["label"]), binary_frame)
    code, _, err = run_cli("run", "-c", str(write_gate(GATE.format(min_auc=0.5))))
    assert code == 2
    assert one_error_line(err) == prediction_module.MSG_WRONG_LENGTH.format(
        key="model", what="the predictions", got=len(X) - 1, expected=len(X)
    )


def test_prediction_array_of_the_wrong_length_from_python(binary_frame):
    import mlgate
    from mlgate.errors import InputError

    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label"}, data=binary_frame, predictions=[0, 1, 0])
    assert str(info.value) == prediction_module.MSG_WRONG_LENGTH.format(
        key="predictions", what="the predictions array", got=3, expected=len(binary_frame)
    )


def test_nan_in_predictions(run_cli, tmp_path, binary_frame, write_inputs, write_gate):
    X = binary_frame.drop(columns="label")
    write_inputs(ConstantClassifier(defect="nan_pred").fit(X, binary_frame["label"]), binary_frame)
    code, _, err = run_cli("run", "-c", str(write_gate(GATE.format(min_auc=0.5))))
    assert code == 2
    assert one_error_line(err) == prediction_module.MSG_NAN_PREDICTIONS.format(
        key="model", what="predictions", count=1, total=len(X)
    )


def test_nan_in_a_prediction_column(run_cli, tmp_path, binary_frame, write_gate):
    frame = binary_frame.assign(scored=binary_frame["label"].astype(float))
    frame.loc[frame.index[:2], "scored"] = np.nan
    frame.to_csv(tmp_path / "eval.csv", index=False)
    gate = "data: {eval: eval.csv}\ntarget: label\nprediction: scored\n"
    code, _, err = run_cli("run", "-c", str(write_gate(gate)))
    assert code == 2
    assert one_error_line(err) == prediction_module.MSG_NAN_GIVEN_PREDICTIONS.format(
        key="prediction", what="predictions", count=2, total=len(frame)
    )


def test_nan_in_probabilities(run_cli, tmp_path, binary_frame, write_inputs, write_gate):
    X = binary_frame.drop(columns="label")
    write_inputs(ConstantClassifier(defect="nan_proba").fit(X, binary_frame["label"]), binary_frame)
    code, _, err = run_cli("run", "-c", str(write_gate(GATE.format(min_auc=0.5))))
    assert code == 2
    assert one_error_line(err) == prediction_module.MSG_NAN_PREDICTIONS.format(
        key="model", what="probabilities", count=3, total=len(X)
    )


def test_class_the_model_never_saw(
    run_cli, tmp_path, binary_frame, binary_model, save_model, write_gate
):
    save_model(binary_model)
    frame = binary_frame.copy()
    frame.loc[frame.index[:2], "label"] = 7
    frame.to_csv(tmp_path / "eval.csv", index=False)
    code, _, err = run_cli("run", "-c", str(write_gate(GATE.format(min_auc=0.5))))
    assert code == 2
    assert one_error_line(err) == context_module.MSG_UNSEEN_CLASSES.format(
        column="label", unseen="7", key="model", classes="0, 1"
    )


def test_non_numeric_target_for_regression(run_cli, tmp_path, binary_frame, write_gate):
    frame = binary_frame.copy()
    frame["label"] = frame["label"].map({0: "no", 1: "yes"})
    frame["pred"] = 0.5
    frame.to_csv(tmp_path / "eval.csv", index=False)
    gate = write_gate("prediction: pred\ndata: {eval: eval.csv}\ntarget: label\ntask: regression\n")
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err) == context_module.MSG_NON_NUMERIC_TARGET.format(
        column="label", dtype="str"
    )


def test_metric_of_another_task(run_cli, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc=0.5).replace("roc_auc:", "r2_score:"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    line = one_error_line(err)
    assert (
        "checks.performance.r2_score: 'r2_score' is not a binary metric "
        "(the model is a classifier with 2 classes)" in line
    )


def test_unknown_metric_name(run_cli, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc=0.5).replace("roc_auc:", "rocauc:"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert (
        "unknown metric 'rocauc' in checks.performance; did you mean 'roc_auc'?"
        in one_error_line(err)
    )


def test_threshold_of_the_wrong_type(run_cli, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc="'0.9'"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err).endswith(
        "'checks.performance.roc_auc.min' must be a number, got '0.9'"
    )


def test_unknown_key_in_the_gate_file(run_cli, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc=0.5) + "treshold: 3\n")
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert "unknown key 'treshold' in the gate file" in one_error_line(err)


def test_model_file_of_unknown_form(run_cli, tmp_path, binary_gate, write_gate):
    (tmp_path / "model.dat").write_text("hello")
    gate = write_gate(GATE.format(min_auc=0.5).replace("model.joblib", "model.dat"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err) == models_module.MSG_UNKNOWN_FORM.format(
        key="model", path=tmp_path / "model.dat"
    )


def test_a_model_file_that_is_not_a_booster_is_one_line(run_cli, tmp_path, binary_gate, write_gate):
    (tmp_path / "model.txt").write_text("hello")  # .txt: read as a LightGBM model file
    gate = write_gate(GATE.format(min_auc=0.5).replace("model.joblib", "model.txt"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err).startswith(f"model: could not load {tmp_path / 'model.txt'}: ")


def test_comparison_without_baseline_is_a_usage_error(run_cli, binary_gate, write_gate):
    gate = write_gate(GATE.format(min_auc=0.5) + "  comparison:\n    roc_auc: {min_delta: 0}\n")
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert "checks.comparison is set but the gate has no 'baseline'" in one_error_line(err)


def test_debug_shows_the_traceback(run_cli, tmp_path, write_gate):
    gate = write_gate("model: nope.joblib\ndata: {eval: eval.csv}\ntarget: y\n")
    code, _, err = run_cli("--debug", "run", "-c", str(gate))
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("mlgate: error: data.eval: file ")


def test_no_command_prints_help_and_exits_2(run_cli):
    code, out, _ = run_cli()
    assert code == 2
    assert "usage: mlgate" in out


def test_checks_lists_metrics_with_direction(run_cli):
    code, out, _ = run_cli("checks", "--task", "binary")
    assert code == 0
    assert any(
        line.split()[:4] == ["roc_auc", "higher", "is", "better"] for line in out.splitlines()
    )
    assert any(
        line.split()[:4] == ["log_loss", "lower", "is", "better"] for line in out.splitlines()
    )
    assert "short names, read as the full name (reports show the full name): rmse = " in out


def test_real_process_exit_code_and_stderr(binary_gate, tmp_path):
    """The installed entry point, as CI calls it: exit status and a single stderr line."""
    ok = subprocess.run(
        [sys.executable, "-m", "mlgate", "run", "-c", str(binary_gate), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "mlgate", "run", "-c", str(tmp_path / "x.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "mlgate: error: " + spec_module.MSG_MISSING_FILE.format(path=tmp_path / "x.yaml")
    ]


def test_checks_keys_show_whole_descriptions_and_severity(run_cli):
    """Issue 19: 'intersectional … (e.g' was cut mid-sentence and 'severity' was blank."""
    import json
    from importlib import resources

    code, out, _ = run_cli("checks")
    assert code == 0
    schema = json.loads(resources.files("mlgate.schemas").joinpath("gate.schema.json").read_text())
    severity = schema["$defs"]["severity"]["description"]
    lines = out.splitlines()
    fairness = lines[lines.index("checks.fairness keys:") + 1 :]
    intersectional = next(line for line in fairness if line.split()[0] == "intersectional")
    described = schema["properties"]["checks"]["properties"]["fairness"]["properties"]
    assert intersectional.split(None, 1)[1] == described["intersectional"]["description"]
    keyed = [line.split(None, 1) for line in lines if line.startswith("  severity ")]
    assert keyed and all(len(parts) == 2 for parts in keyed)
    assert [parts[1] for parts in keyed].count(severity) >= 1


def test_top_level_help_shows_schema_infer(run_cli):
    """Issue 19: 'mlgate --help' did not say that 'schema infer' writes a data schema."""
    with pytest.raises(SystemExit) as info:
        run_cli("--help")
    assert info.value.code == 0
    from mlgate import cli

    text = cli.build_parser().format_help()
    entry = " ".join(text.split("\n    schema ")[1].split("\n    serve ")[0].split())
    assert "'schema infer FILE' writes a data schema" in entry
