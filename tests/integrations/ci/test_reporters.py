"""Escaping, outputs and decisions of the CI reporters, and ``mlgate run --ci/--fail-on``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlgate.cli import main
from mlgate.integrations import ci
from mlgate.integrations.ci import azure, github
from mlgate.integrations.ci._base import secret_values
from mlgate.result import CheckResult, GateResult

GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
checks:
  performance:
    roc_auc: {{min: {min_auc}, severity: {severity}}}
"""


def result(*statuses: str) -> GateResult:
    checks = [
        CheckResult(f"performance.m{i}", "performance", f"m{i}", s, message=f"msg {i}")
        for i, s in enumerate(statuses)
    ]
    status = "failed" if any(c.blocks_gate for c in checks) else "passed"
    return GateResult(status, checks, {}, {"uri": "m"}, None, {}, "binary", "", "t", 0.0, {})


@pytest.mark.parametrize(
    ("environ", "choice", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, "auto", "github"),
        ({"TF_BUILD": "True"}, "auto", "azure"),
        ({}, "auto", "none"),
        ({"GITHUB_ACTIONS": "true"}, "none", "none"),
        ({}, "azure", "azure"),
    ],
)
def test_detect(environ, choice, expected):
    assert ci.detect(choice, environ) == expected


def test_github_escaping_matches_the_runner():
    assert github.escape_data("50% a\r\nb:c,d") == "50%25 a%0D%0Ab:c,d"
    assert github.escape_property("50% a\nb:c,d") == "50%25 a%0Ab%3Ac%2Cd"
    line = github.command("error", "x\n::add-mask::y", title="mlgate a:b,c")
    assert line == "::error title=mlgate a%3Ab%2Cc::x%0A::add-mask::y"
    assert "\n" not in line


def test_azure_escaping_matches_the_task_library():
    assert azure.escape_data("50% a\r\nb;]") == "50%AZP25 a%0D%0Ab;]"
    assert azure.escape_property("a;b]c%\n") == "a%3Bb%5Dc%AZP25%0A"
    line = azure.command("task.logissue", "bad\n##vso[task.complete result=Succeeded;]", type="e;]")
    assert line == "##vso[task.logissue type=e%3B%5D;]bad%0A##vso[task.complete result=Succeeded;]"
    assert azure.defuse("col ##vso[task.setvariable variable=x]1") == (
        "col ##vso [task.setvariable variable=x]1"
    )


def test_github_outputs_use_a_random_delimiter_for_every_value(tmp_path):
    outputs = tmp_path / "out"
    reporter = github.GitHubReporter({"GITHUB_OUTPUT": str(outputs)})
    gate = result("failed", "errored", "warned", "passed")
    outcome = ci.StepOutcome(gate, tmp_path / "r", 1, 1)
    reporter._outputs(outcome)
    text = outputs.read_text()
    entries = re.findall(r"^([\w-]+)<<(ghadelimiter_[0-9a-f-]{36})\n(.*?)\n\2$", text, re.M | re.S)
    values = {name: value for name, _, value in entries}
    assert values["failed-checks"] == "performance.m0\nperformance.m1"
    assert values["warned-checks"] == "performance.m2" and values["status"] == "failed"
    assert len({delimiter for _, delimiter, _ in entries}) == len(entries) == 6


@pytest.mark.parametrize(
    ("code", "statuses", "fail_on", "expected"),
    [
        (0, ("passed",), "failed", 0),
        (0, ("warned",), "failed", 0),
        (0, ("warned",), "warned", 1),
        (1, ("failed",), "never", 0),
        (1, ("failed",), "warned", 1),
        (2, (), "never", 2),
        (3, (), "never", 3),
    ],
)
def test_step_exit_code(code, statuses, fail_on, expected):
    assert ci.step_exit_code(code, result(*statuses), fail_on) == expected


def test_secret_values_include_uri_passwords_and_skip_blanks():
    environ = {
        "GITHUB_TOKEN": "ghs_abc",
        "MLFLOW_TRACKING_TOKEN": " ",
        "MLFLOW_TRACKING_URI": "https://user:p%40ss@host/mlflow",
    }
    assert secret_values(environ) == ["ghs_abc", "p%40ss"]


def test_markdown_and_junit_files_replace_a_stale_one(tmp_path):
    from mlgate.integrations.ci._base import junit_file, markdown_file

    (tmp_path / "mlgate-report.md").write_text("stale")
    assert "gate FAILED" in markdown_file(result("failed"), tmp_path).read_text()
    (tmp_path / "mlgate-report.md").write_text("written by the reporters in this run")
    gate = result("passed")
    gate.reports["md"] = str(tmp_path / "mlgate-report.md")
    assert markdown_file(gate, tmp_path).read_text() == "written by the reporters in this run"
    from xml.etree import ElementTree

    suite = ElementTree.parse(junit_file(result("failed", "skipped"), tmp_path)).getroot()
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")


@pytest.fixture
def gate_dir(tmp_path, binary_frame, binary_model, write_inputs, monkeypatch):
    write_inputs(binary_model, binary_frame)
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "TF_BUILD", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_run_ci_none_prints_no_commands_even_under_github(gate_dir, monkeypatch, capsys):
    (gate_dir / "mlgate.yaml").write_text(GATE.format(min_auc=0.99999, severity="error"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_never_shown_1234")
    assert main(["run", "--ci", "none"]) == 1
    out = capsys.readouterr().out
    assert "::" not in out and "ghs_never_shown_1234" not in out
    assert main(["run"]) == 1  # auto: GitHub
    out = capsys.readouterr().out
    assert out.startswith("::add-mask::ghs_never_shown_1234\n::group::")
    assert "::error title=mlgate performance.roc_auc::" in out


def test_run_fail_on_warned_and_never(gate_dir, capsys):
    (gate_dir / "mlgate.yaml").write_text(GATE.format(min_auc=0.99999, severity="warn"))
    assert main(["run", "--ci", "none"]) == 0
    assert main(["run", "--ci", "none", "--fail-on", "warned"]) == 1
    (gate_dir / "mlgate.yaml").write_text(GATE.format(min_auc=0.99999, severity="error"))
    assert main(["run", "--ci", "none", "--fail-on", "never"]) == 0
    capsys.readouterr()


def test_run_rejects_an_unknown_ci(gate_dir, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--ci", "jenkins"])
    assert exit_info.value.code == 2
    assert "argument --ci: invalid choice: 'jenkins'" in capsys.readouterr().err


def test_run_azure_error_before_the_gate_ran(gate_dir, capsys):
    assert main(["run", "--ci", "azure", "-c", "nope.yaml", "--report-dir", "r"]) == 2
    captured = capsys.readouterr()
    commands = captured.out.splitlines()
    assert commands[0].startswith("##vso[task.logissue type=error;]mlgate: ")
    assert "##vso[task.setvariable variable=status;isOutput=true;]error" in commands
    assert commands[-1].startswith("##vso[task.complete result=Failed;]mlgate: ")
    assert captured.err.startswith("mlgate: error: ")
    assert not Path("r").exists()


def folded(out: str) -> dict[str, list[str]]:
    """Each ``::group::`` title with the lines GitHub folds under it (up to ``::endgroup::``)."""
    groups: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("::group::"):
            current = line.removeprefix("::group::")
            groups[current] = []
        elif line == "::endgroup::":
            current = None
        elif current is not None:
            groups[current].append(line)
    return groups


def test_github_groups_fold_the_lines_of_their_step(gate_dir, monkeypatch, capsys):
    """Issue 19: '::group::' was opened and closed at once, so nothing was folded."""
    (gate_dir / "mlgate.yaml").write_text(GATE.format(min_auc=0.5, severity="error"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["run"]) == 0
    out = capsys.readouterr().out
    groups = folded(out)
    steps = groups["mlgate: evaluate the model and run the checks"]
    assert steps[:3] == ["mlgate: loading data", "mlgate: loading models", "mlgate: predicting"]
    assert "mlgate: running checks" in steps
    assert "gate PASSED" not in "\n".join(steps)  # the decision stays unfolded, in sight
    assert "gate PASSED" in out
