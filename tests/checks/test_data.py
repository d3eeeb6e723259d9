"""Data checks: schema inference and validation (pandera), missing values, duplicates, label,
the model's MLflow signature; every bad input one line with its exit code."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from mlgate.checks import _data_schema, data
from mlgate.cli import MSG_INFER_USAGE
from mlgate.engine import run_gate

GATE = """\
model: model.joblib
data: {{eval: eval.csv, reference: reference.csv}}
target: label
checks:
  data: {data}
"""


@pytest.fixture
def data_gate(tmp_path, binary_frame, binary_model, save_model, write_gate):
    """reference.csv and eval.csv (two halves of breast cancer), model.joblib."""
    save_model(binary_model)
    reference = binary_frame.sample(frac=0.5, random_state=0)
    reference.to_csv(tmp_path / "reference.csv", index=False)
    binary_frame.drop(reference.index).to_csv(tmp_path / "eval.csv", index=False)

    def write(section: str = "{}"):
        return write_gate(GATE.format(data=section))

    return write


def _infer(run_cli, tmp_path, source="reference.csv"):
    code, out, err = run_cli("schema", "infer", str(tmp_path / source))
    assert code == 0, err
    (tmp_path / "schema.yaml").write_text(out)
    return yaml.safe_load(out)


def test_infer_then_validate_passes_on_fresh_data(run_cli, data_gate, tmp_path):
    inferred = _infer(run_cli, tmp_path)
    assert inferred["columns"]["mean_radius"] == {
        "dtype": "float",
        "nullable": False,
        "min": 0.0,
        "max": 100.0,  # max 28.1: the power of ten at least twice it
    }
    assert inferred["columns"]["label"]["dtype"] == "integer"
    code, out, err = run_cli("run", "-c", str(data_gate("{schema: schema.yaml}")))
    assert code == 0, out + err
    assert "PASS  data.schema" in out and "meets schema.yaml (31 columns, 285 rows)" in out


def test_every_violation_is_collected_with_escaped_examples(run_cli, data_gate, tmp_path):
    frame = pd.DataFrame(
        {
            "id": [1, 2, 2, 4, 5, 6],
            "amount": [10.0, -5.0, 3.0, 2e9, None, 7.0],
            "kind": ["a", "b", "a", "z\x1b[31m<script>" + "x" * 60, "a", "b"],
            "count": ["1", "2", "3", "4", "5", "6"],  # numbers stored as text
            "label": [0, 1, 0, 1, 0, 1],
        }
    )
    schema_file = tmp_path / "schema.yaml"
    schema_file.write_text(
        yaml.safe_dump(
            {
                "strict": True,
                "columns": {
                    "id": {"dtype": "integer", "unique": True},
                    "amount": {"dtype": "float", "nullable": False, "min": 0, "max": 1e6},
                    "kind": {"dtype": "string", "categories": ["a", "b"]},
                    "count": {"dtype": "integer"},
                    "label": {"dtype": "integer"},
                    "segment": {"dtype": "string"},
                },
            }
        )
    )
    frame["extra"] = 1.0
    violations = _data_schema.validate_frame(frame, _data_schema.read_schema(schema_file))
    found = {(v["column"], v["check"]): v for v in violations}
    assert set(found) == {
        ("count", "dtype"),
        ("segment", "present"),
        ("extra", "unexpected"),
        ("id", "unique"),
        ("amount", "nullable"),
        ("amount", "min"),
        ("amount", "max"),
        ("kind", "categories"),
    }
    assert found[("amount", "min")]["rows"] == 1
    assert found[("amount", "min")]["examples"] == ["-5.0"]
    assert found[("id", "unique")]["rows"] == 2
    assert found[("count", "dtype")]["expected"] == "integer (got string)"
    assert found[("segment", "present")]["rows"] == 6
    (example,) = found[("kind", "categories")]["examples"]
    assert example.startswith("z\\x1b[31m<script>x") and len(example) == 40
    assert example.endswith("…")


def test_schema_violations_fail_the_gate_through_the_cli(run_cli, data_gate, tmp_path):
    _infer(run_cli, tmp_path)
    evaluation = pd.read_csv(tmp_path / "eval.csv")
    evaluation.loc[:2, "mean_area"] = -1.0
    evaluation.to_csv(tmp_path / "eval.csv", index=False)
    code, out, _ = run_cli("run", "-c", str(data_gate("{schema: {file: schema.yaml}}")))
    assert code == 1
    assert (
        "FAIL  data.schema     1 violation(s) of schema.yaml: 'mean_area' min "
        "(3 row(s), e.g. '-1.0')" in out
    )
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    check = next(c for c in report["checks"] if c["id"] == "data.schema")
    assert check["details"]["violations"] == [
        {
            "column": "mean_area",
            "check": "min",
            "expected": ">= 0.0",
            "rows": 3,
            "examples": ["-1.0"],
        }
    ]


def test_warn_severity_on_the_schema(run_cli, data_gate, tmp_path):
    _infer(run_cli, tmp_path)
    evaluation = pd.read_csv(tmp_path / "eval.csv")
    evaluation.loc[0, "mean_area"] = -1.0
    evaluation.to_csv(tmp_path / "eval.csv", index=False)
    code, out, _ = run_cli(
        "run", "-c", str(data_gate("{schema: {file: schema.yaml, severity: warn}}"))
    )
    assert code == 0
    assert "WARN  data.schema" in out


def test_missing_duplicates_and_label_balance(binary_frame):
    frame = binary_frame.copy()
    frame.loc[:9, "mean_radius"] = np.nan
    frame = pd.concat([frame, frame.iloc[20:25]], ignore_index=True)
    gate = {
        "target": "label",
        "prediction": "predicted",
        "checks": {
            "data": {
                "missing": {"max_share": 0.01, "columns": ["mean_radius", "mean_area"]},
                "duplicates": {"max_share": 0.001},
                "label": {"min_class_share": 0.4},
            }
        },
    }
    frame["predicted"] = frame["label"]
    result = run_gate(gate, data=frame)
    missing = result.check("data.missing")
    assert missing.status == "failed"
    assert missing.value == pytest.approx(10 / len(frame))
    assert missing.details["shares"]["mean_area"] == 0.0
    duplicates = result.check("data.duplicates")
    assert duplicates.details["duplicate_rows"] == int(frame.duplicated().sum()) == 5
    assert duplicates.status == "failed"
    label = result.check("data.label")
    shares = frame["label"].value_counts(normalize=True).sort_index()
    assert label.details["shares"] == pytest.approx(list(shares))
    assert label.status == "failed"  # class 0 holds 37% < 40%
    assert label.details["violations"][0]["check"] == "class_share"
    assert result.check("data.signature").status == "skipped"


def test_label_classes_unknown_to_the_reference(binary_frame):
    frame = binary_frame.assign(label=binary_frame["label"].map({0: "benign", 1: "malignant"}))
    frame["predicted"] = frame["label"]
    reference = frame[frame["label"] == "benign"].head(50).copy()
    reference.loc[reference.index[0], "label"] = "unknown-class"
    gate = {"target": "label", "prediction": "predicted", "checks": {"data": {}}}
    label = run_gate(gate, data=frame, reference=reference).check("data.label")
    assert label.status == "failed"
    assert label.details["known_from"] == "reference"
    assert [v["examples"] for v in label.details["violations"]] == [["malignant"]]


# --- bad inputs ---------------------------------------------------------------------------------


def test_schema_file_with_an_unknown_key(cli_error, data_gate, tmp_path):
    (tmp_path / "schema.yaml").write_text("columns:\n  label: {dtype: integer, nulable: false}\n")
    code, message = cli_error("run", "-c", str(data_gate("{schema: schema.yaml}")))
    assert code == 2
    assert message == (
        f"{tmp_path / 'schema.yaml'}: unknown key 'nulable' in 'columns.label'; did you mean "
        "'nullable'?; allowed keys: dtype, nullable, required, unique, min, max, categories"
    )
    (tmp_path / "schema.yaml").write_text("colums: {}\n")
    code, message = cli_error("run", "-c", str(data_gate("{schema: schema.yaml}")))
    assert code == 2
    assert message == f"{tmp_path / 'schema.yaml'}: " + _data_schema.MSG_SCHEMA_UNKNOWN_KEY.format(
        key="colums", hint="; did you mean 'columns'?", allowed="version, strict, unique, columns"
    )


def test_schema_file_missing_or_with_a_bad_range(cli_error, data_gate, tmp_path):
    code, message = cli_error("run", "-c", str(data_gate("{schema: nope.yaml}")))
    assert code == 2
    assert message == _data_schema.MSG_SCHEMA_MISSING.format(
        path=tmp_path / "nope.yaml", name="nope.yaml"
    )
    (tmp_path / "schema.yaml").write_text("columns:\n  label: {dtype: integer, min: 3, max: 1}\n")
    code, message = cli_error("run", "-c", str(data_gate("{schema: schema.yaml}")))
    assert message.endswith(
        _data_schema.MSG_SCHEMA_MIN_ABOVE_MAX.format(column="label", low=3, high=1)
    )


def test_missing_columns_that_do_not_exist(cli_error, data_gate):
    gate = data_gate("{missing: {max_share: 0.1, columns: [mean_raduis]}}")
    code, message = cli_error("run", "-c", str(gate))
    assert code == 2
    assert message == data.MSG_UNKNOWN_COLUMN.format(
        column="mean_raduis", hint="; did you mean 'mean_radius'?"
    )


def test_unknown_key_under_data(cli_error, data_gate):
    code, message = cli_error("run", "-c", str(data_gate("{duplicate: {max_share: 0}}")))
    assert code == 2
    assert "unknown key 'duplicate' in 'checks.data'; did you mean 'duplicates'?" in message


def test_schema_infer_usage_and_missing_file(cli_error, tmp_path):
    assert cli_error("schema", "infer") == (2, MSG_INFER_USAGE)
    code, message = cli_error("schema", "infer", str(tmp_path / "none.csv"))
    assert code == 2 and message.startswith("schema infer: file ")
