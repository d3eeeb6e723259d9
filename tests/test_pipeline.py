"""``mlgate.pipeline.run_pipeline``: the gate from Python, with an outcome instead of an exit code.

The registry path is tested against a real server in tests/end_to_end/test_registry_gate.py.
"""

from __future__ import annotations

import json

import pytest

from mlgate.errors import GateFileError
from mlgate.integrations.ci import open_reporter
from mlgate.pipeline import GateOptions, run_pipeline
from tests.test_cli import GATE


@pytest.fixture
def local_gate(tmp_path, binary_frame, binary_model, write_inputs, write_gate):
    write_inputs(binary_model, binary_frame)
    return lambda min_auc: write_gate(GATE.format(min_auc=min_auc))


def test_a_passing_gate_returns_its_result_and_prints_nothing(local_gate, tmp_path, capsys):
    outcome = run_pipeline(GateOptions(config=str(local_gate(0.9)), report_dir=str(tmp_path / "r")))
    assert outcome.passed and outcome.exit_code == 0
    assert outcome.result.check("performance.roc_auc").status == "passed"
    assert outcome.report_dir == tmp_path / "r"
    report = json.loads((tmp_path / "r" / "mlgate-report.json").read_text())
    assert report["status"] == "passed"
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "mlgate-junit.xml", "mlgate-report.html", "mlgate-report.json", "mlgate-report.md",
    ]  # fmt: skip
    assert outcome.registry_lines == () and outcome.registry_error is None
    assert capsys.readouterr() == ("", "")


def test_a_failing_gate_is_an_outcome_not_an_exception(local_gate):
    outcome = run_pipeline(GateOptions(config=str(local_gate(0.9999)), formats=("json",)))
    assert not outcome.passed and outcome.exit_code == 1
    assert [c.id for c in outcome.result.failed_checks()] == ["performance.roc_auc"]


def test_a_reporter_sees_what_the_cli_shows(local_gate, capsys):
    run_pipeline(GateOptions(config=str(local_gate(0.9)), formats=("json",), quiet=True),
                 open_reporter("none"))  # fmt: skip
    assert capsys.readouterr().out.strip().startswith("gate PASSED")


def test_a_bad_gate_file_raises_with_its_exit_code(tmp_path):
    (tmp_path / "mlgate.yaml").write_text("model: m.joblib\n")
    with pytest.raises(GateFileError) as raised:
        run_pipeline(GateOptions(config=str(tmp_path / "mlgate.yaml")))
    assert raised.value.exit_code == 2
