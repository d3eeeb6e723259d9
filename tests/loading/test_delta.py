"""Delta table sources: a pinned version or timestamp, recorded in the report; bad tables."""

from __future__ import annotations

import json
import sys

import pytest

from mlgate.loading import data as data_module
from tests._cli import one_error_line

deltalake = pytest.importorskip("deltalake")

GATE = """\
model: model.joblib
data: {{eval: eval.csv, reference: {reference}}}
target: label
checks:
  drift: {{prediction: false}}
"""


@pytest.fixture
def delta_gate(tmp_path, binary_frame, binary_model, save_model, write_gate):
    """A reference Delta table with two versions: 0 (half the rows), 1 (the other half added)."""
    save_model(binary_model)
    reference = binary_frame.sample(frac=0.5, random_state=0)
    evaluation = binary_frame.drop(reference.index)
    evaluation.to_csv(tmp_path / "eval.csv", index=False)
    table = tmp_path / "reference_table"
    deltalake.write_deltalake(table, reference.reset_index(drop=True))
    deltalake.write_deltalake(table, evaluation.reset_index(drop=True), mode="append")

    def write(reference_entry: str):
        return write_gate(GATE.format(reference=reference_entry))

    return write


def _error(run_cli, gate) -> tuple[int, str]:
    code, _, err = run_cli("run", "-c", str(gate))
    return code, one_error_line(err)


def test_pinned_version_is_read_and_recorded(run_cli, delta_gate, tmp_path, binary_frame):
    code, out, err = run_cli("run", "-c", str(delta_gate("{delta: reference_table, version: 0}")))
    assert code == 0, out + err
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    recorded = report["data"]["reference"]
    assert recorded["format"] == "delta" and recorded["version"] == 0
    assert recorded["table"] == str(tmp_path / "reference_table")
    assert recorded["rows"] == round(len(binary_frame) * 0.5)
    assert recorded["source"].endswith("reference_table@v0")

    run_cli("run", "-c", str(delta_gate("{delta: reference_table}")))
    latest = json.loads((tmp_path / "mlgate-report.json").read_text())["data"]["reference"]
    assert latest["version"] == 1 and latest["rows"] == len(binary_frame)
    assert latest["digest"] != recorded["digest"]


def test_timestamp_reads_the_version_current_then(run_cli, delta_gate, tmp_path):
    gate = delta_gate("{delta: reference_table, timestamp: '2100-01-01T00:00:00Z'}")
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 0, err
    recorded = json.loads((tmp_path / "mlgate-report.json").read_text())["data"]["reference"]
    assert recorded["version"] == 1 and recorded["timestamp"] == "2100-01-01T00:00:00Z"


def test_path_that_is_not_a_table(run_cli, delta_gate, tmp_path):
    (tmp_path / "plain").mkdir()
    code, message = _error(run_cli, delta_gate("{delta: plain, version: 0}"))
    assert code == 2
    assert message == data_module.MSG_NOT_DELTA.format(
        key="data.reference", path=tmp_path / "plain"
    )


def test_version_that_does_not_exist(run_cli, delta_gate, tmp_path):
    code, message = _error(run_cli, delta_gate("{delta: reference_table, version: 7}"))
    assert code == 2
    assert message == data_module.MSG_NO_VERSION.format(
        key="data.reference",
        path=tmp_path / "reference_table",
        version=7,
        error="its versions are 0 to 1",
    )


def test_bad_timestamp_and_both_pins(run_cli, delta_gate, tmp_path):
    code, message = _error(run_cli, delta_gate("{delta: reference_table, timestamp: soon}"))
    assert code == 2
    assert message.startswith(
        f"data.reference.timestamp: 'soon' is not a time the Delta table "
        f"{tmp_path / 'reference_table'} can be read at: "
    )
    gate = delta_gate("{delta: reference_table, version: 0, timestamp: '2100-01-01'}")
    assert _error(run_cli, gate) == (
        2,
        data_module.MSG_VERSION_AND_TIMESTAMP.format(key="data.reference"),
    )


def test_unknown_key_in_the_delta_entry(run_cli, delta_gate):
    code, message = _error(run_cli, delta_gate("{delta: reference_table, versoin: 0}"))
    assert code == 2
    assert "unknown key 'versoin' in 'data.reference'; did you mean 'version'?" in message


def test_missing_deltalake_is_an_infrastructure_error(run_cli, delta_gate, monkeypatch):
    monkeypatch.setitem(sys.modules, "deltalake", None)  # what an uninstalled package looks like
    code, message = _error(run_cli, delta_gate("{delta: reference_table, version: 0}"))
    assert code == 3
    assert message == data_module.MSG_NO_DELTALAKE.format(key="data.reference")


def test_schema_infer_reads_a_delta_folder(run_cli, delta_gate, tmp_path):
    delta_gate("{delta: reference_table}")
    code, out, err = run_cli("schema", "infer", str(tmp_path / "reference_table"))
    assert code == 0, err
    assert "reference_table@v1 (569 rows)" in out.splitlines()[0]
