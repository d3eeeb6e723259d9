"""``mlgate run --report``, ``report.formats`` and ``mlgate report``, through the command line."""

from __future__ import annotations

import pytest

from mlgate.reporting import FILE_NAMES

GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: y
checks:
  performance:
    r2_score: {{min: 0.3}}
report:
  dir: out
{extra}"""


@pytest.fixture
def gate(tmp_path, regression_frame, regression_model, write_inputs, write_gate):
    """Write a regression gate (model, data, gate file); return a writer for its report section."""
    write_inputs(regression_model, regression_frame)

    def write(extra: str = "") -> str:
        return str(write_gate(GATE.format(extra=extra)))

    return write


def _written(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_default_writes_all_four(gate, run_cli, tmp_path):
    code, out, _ = run_cli("run", "-c", gate())
    assert code == 0
    assert _written(tmp_path / "out") == sorted(FILE_NAMES.values())
    assert "\x1b[" not in out  # captured output is no terminal: no colour


def test_report_flag_chooses_formats(gate, run_cli, tmp_path):
    code, out, _ = run_cli("run", "-c", gate(), "--report", "html, md")
    assert code == 0
    assert _written(tmp_path / "out") == ["mlgate-report.html", "mlgate-report.md"]
    folder = tmp_path / "out"
    assert out.rstrip().endswith(
        f"reports: {folder / 'mlgate-report.html'}, {folder / 'mlgate-report.md'}"
    )


def test_gate_file_formats(gate, run_cli, tmp_path):
    code, _, _ = run_cli("run", "-c", gate("  formats: [junit, json]\n"))
    assert code == 0
    assert _written(tmp_path / "out") == ["mlgate-junit.xml", "mlgate-report.json"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "htm",
            "--report: unknown report format 'htm'; did you mean 'html'?; formats: json, html, "
            "md, junit",
        ),
        ("pdf", "--report: unknown report format 'pdf'; formats: json, html, md, junit"),
        (" , ", "--report: give at least one report format (json, html, md, junit)"),
    ],
)
def test_bad_report_flag(gate, run_cli, tmp_path, value, message):
    code, _, err = run_cli("run", "-c", gate(), "--report", value)
    assert (code, err) == (2, f"mlgate: error: {message}\n")
    assert _written(tmp_path / "out") == []


def test_bad_gate_file_format(gate, run_cli):
    path = gate("  formats: [pdf]\n")
    code, _, err = run_cli("run", "-c", path)
    assert code == 2
    assert err == (
        f"mlgate: error: {path}: 'report.formats[0]' must be one of 'json', 'html', 'md', "
        "'junit', got 'pdf'\n"
    )


def test_report_command_rerenders_from_the_json_alone(gate, run_cli, tmp_path):
    assert run_cli("run", "-c", gate())[0] == 0
    out = tmp_path / "out"
    original = {name: (out / name).read_text() for name in _written(out)}
    (tmp_path / "model.joblib").unlink()
    (tmp_path / "eval.csv").unlink()
    again = tmp_path / "again"
    code, stdout, _ = run_cli(
        "report", str(out / "mlgate-report.json"), "--format", "html,md,junit", "--out", str(again)
    )
    assert code == 0
    assert _written(again) == ["mlgate-junit.xml", "mlgate-report.html", "mlgate-report.md"]
    for name in _written(again):
        assert (again / name).read_text() == original[name], name
    assert stdout.startswith("reports: ")


def test_report_command_default_folder_is_the_reports(gate, run_cli, tmp_path):
    assert run_cli("run", "-c", gate(), "--report", "json")[0] == 0
    code, _, _ = run_cli("report", str(tmp_path / "out" / "mlgate-report.json"), "--format", "md")
    assert code == 0
    assert _written(tmp_path / "out") == ["mlgate-report.json", "mlgate-report.md"]


def test_report_command_bad_inputs(run_cli, tmp_path):
    missing = tmp_path / "nope.json"
    code, _, err = run_cli("report", str(missing))
    assert (code, err) == (
        2,
        f"mlgate: error: {missing}: no such JSON report; give the mlgate-report.json of "
        "'mlgate run'\n",
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"status": "passed"}')
    code, _, err = run_cli("report", str(broken))
    assert (code, err) == (
        2,
        f"mlgate: error: {broken}: not a JSON report of 'mlgate run' (missing key(s) checks, "
        "model, data, task)\n",
    )
    broken.write_text("not json")
    code, _, err = run_cli("report", str(broken), "--format", "html")
    assert code == 2
    assert err.startswith(f"mlgate: error: {broken}: not a JSON report of 'mlgate run' (Expecting")
