"""``mlgate init`` on bad input: one line naming the flag or input at fault, exit 2; --force."""

from __future__ import annotations

import joblib
import pandas as pd
import pytest
import yaml

from mlgate.context import MSG_MISSING_COLUMN, MSG_MISSING_FEATURES
from mlgate.init import MSG_INIT_USAGE
from mlgate.init._probe import MSG_NO_OVERLAP, MSG_NO_SENSITIVE
from mlgate.prediction import MSG_PREDICT_FAILED
from tests._cli import one_error_line
from tests.init._generated import FEATURES, fit, frame


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("init-inputs")
    data = frame(0, 600, "binary")
    data.to_csv(folder / "eval.csv", index=False)
    joblib.dump(fit(data, "binary", FEATURES), folder / "model.joblib")
    return folder


def _init(run_cli, folder, *args):
    return run_cli("init", "--model", str(folder / "model.joblib"), *args)


def test_no_target_column(run_cli, files):
    eval_csv = str(files / "eval.csv")
    code, _, err = _init(run_cli, files, "--data", eval_csv, "--target", "label")

    assert code == 2
    expected = MSG_MISSING_COLUMN.format(
        key="target",
        column="label",
        source=eval_csv,
        hint="",
        columns="age, income, region, gender, x1, x2, y",
    )
    assert one_error_line(err) == expected


def test_missing_sensitive_column(run_cli, files):
    eval_csv = str(files / "eval.csv")
    code, _, err = _init(
        run_cli, files, "--data", eval_csv, "--target", "y", "--sensitive", "gendr"
    )

    assert code == 2
    expected = MSG_NO_SENSITIVE.format(
        column="gendr", source=eval_csv, hint="; did you mean 'gender'?"
    )
    assert one_error_line(err) == expected


def test_reference_without_a_shared_column(run_cli, files):
    other = files / "other.csv"
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_csv(other, index=False)
    eval_csv = str(files / "eval.csv")

    code, _, err = _init(
        run_cli, files, "--data", eval_csv, "--target", "y", "--reference", str(other)
    )

    assert code == 2
    expected = MSG_NO_OVERLAP.format(
        reference=str(other), data=eval_csv, columns="age, income, region, gender, x1, x2, y"
    )
    assert one_error_line(err) == expected


def test_model_missing_its_input_columns(run_cli, files, tmp_path):
    data = pd.read_csv(files / "eval.csv").drop(columns=["x1"])
    data.to_csv(tmp_path / "no_x1.csv", index=False)

    code, _, err = _init(run_cli, files, "--data", str(tmp_path / "no_x1.csv"), "--target", "y")

    assert code == 2
    expected = MSG_MISSING_FEATURES.format(
        key="model", source=str(tmp_path / "no_x1.csv"), missing="x1"
    )
    assert one_error_line(err) == expected


def test_model_that_cannot_predict_on_the_data(run_cli, files, tmp_path):
    data = pd.read_csv(files / "eval.csv")
    data["x1"] = "not a number"
    data.to_csv(tmp_path / "text.csv", index=False)

    code, _, err = _init(run_cli, files, "--data", str(tmp_path / "text.csv"), "--target", "y")

    assert code == 2
    prefix = MSG_PREDICT_FAILED.format(key="model", method="predict_proba", error="")
    assert one_error_line(err).startswith(prefix)
    assert not (tmp_path / "mlgate.yaml").exists()


def test_missing_flags(run_cli):
    code, _, err = run_cli("init", "--model", "m.joblib")

    assert code == 2
    assert one_error_line(err) == MSG_INIT_USAGE


def test_force_overwrites_both_files(run_cli, files):
    target = files / "gate.yaml"
    target.write_text("old: true\n")
    (files / "gate.schema.yaml").write_text("old: true\n")
    eval_csv = str(files / "eval.csv")

    code, out, err = _init(
        run_cli, files, "--data", eval_csv, "--target", "y", "--out", str(target), "--force"
    )

    assert code == 0, err
    assert out.startswith("wrote ")
    document = yaml.safe_load(target.read_text())
    assert "old" not in document and "drift" not in document["checks"]  # no --reference
    assert "columns" in yaml.safe_load((files / "gate.schema.yaml").read_text())


def test_checks_failing_on_their_own_data_are_written_as_warnings(run_cli, files, tmp_path):
    """A reference whose x1 is shifted and whose regions differ: the schema and drift sections
    would fail on the evaluation data, so init writes them as warnings, with the reason, and
    the gate still passes."""
    reference = frame(5, 600, "binary")
    reference["x1"] = reference["x1"] + 2.0
    reference["region"] = reference["region"].replace({"west": "centre"})
    reference.to_csv(tmp_path / "shifted.csv", index=False)
    gate = tmp_path / "mlgate.yaml"

    code, _, err = _init(
        run_cli,
        files,
        "--data",
        str(files / "eval.csv"),
        "--reference",
        str(tmp_path / "shifted.csv"),
        "--target",
        "y",
        "--out",
        str(gate),
    )

    assert code == 0, err
    checks = yaml.safe_load(gate.read_text())["checks"]
    assert checks["data"]["schema"] == {"file": "mlgate.schema.yaml", "severity": "warn"}
    assert checks["drift"]["severity"] == "warn"
    assert "FAILED on the data it was measured on" in gate.read_text()
    code, out, _ = run_cli("run", "-c", str(gate), "--report", "json")
    assert code == 0, out
    assert "WARN  data.schema" in out and "WARN  drift.features" in out


def test_only_slices_needs_a_gate_or_the_inputs(run_cli):
    from mlgate.init import MSG_SLICES_USAGE

    code, _, err = run_cli("init", "--only", "slices")

    assert code == 2
    assert one_error_line(err) == MSG_SLICES_USAGE
