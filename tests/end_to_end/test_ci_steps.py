"""The GitHub action's steps and the Azure template's gate script, run as the CI systems run them.

GitHub: ``tests/integrations/ci/_runner.py`` runs the composite action's steps with the
runner's files and variables (``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_EVENT_PATH``
with a pull-request event, ``GITHUB_REPOSITORY``, ``GITHUB_API_URL`` on a loopback server that
answers like GitHub's REST API). Azure: the template's gate script runs with ``TF_BUILD=True``.
Both run a real gate on a model fitted on scikit-learn's breast-cancer data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from mlgate.integrations.ci import FAIL_ON_WARNED_NOT_PROMOTED
from tests.integrations.ci._fake_github import fake_github
from tests.integrations.ci._runner import ActionRun, run_action, substitute
from tests.integrations.ci._templates import (
    ACTION_DIR,
    README_PIPELINE,
    README_WORKFLOW,
    azure_step,
)

pytestmark = pytest.mark.integration

TOKEN = "ghs_secretTokenNeverPrinted123"
MLFLOW_TOKEN = "mlflow-secret-token-456"
GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
checks:
  performance:
    roc_auc: {{min: {min_auc}, severity: {severity}}}
"""
NOT_HERE = ("Install mlgate",)  # installs from the action's checkout; see test_ci_templates


@pytest.fixture
def workspace(tmp_path, binary_frame, binary_model):
    import joblib

    folder = tmp_path / "repo"
    folder.mkdir()
    joblib.dump(binary_model, folder / "model.joblib")
    binary_frame.to_csv(folder / "eval.csv", index=False)
    return folder


@pytest.fixture
def github_api():
    with fake_github(TOKEN) as api:
        yield api


def pr_context(workspace: Path, api) -> tuple[dict, dict]:
    """The github context and the runner variables of a pull_request event on PR #5."""
    event = workspace.parent / "event.json"
    event.write_text(json.dumps({"action": "opened", "pull_request": {"number": 5}}))
    env = {
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": api.url,
        "GITHUB_RUN_ID": "99",
    }
    return {"event_name": "pull_request", "token": TOKEN}, env


def gate(workspace: Path, min_auc: float, severity: str = "error") -> None:
    (workspace / "mlgate.yaml").write_text(GATE.format(min_auc=min_auc, severity=severity))


def assert_no_secret_leaks(run: ActionRun, workspace: Path) -> None:
    """No secret in any file, output or summary; in stdout only on the runner's add-mask lines."""
    for secret in (TOKEN, MLFLOW_TOKEN):
        for path in workspace.rglob("*"):
            if path.is_file():
                assert secret not in path.read_text(errors="replace"), path
        for step in run.steps:
            shown = [line for line in step.stdout.splitlines() if secret in line]
            assert shown in ([], [f"::add-mask::{secret}"]), step.name
            assert secret not in step.stderr + step.summary
        assert all(secret not in value for value in run.outputs.values())


def run_gate_action(workspace: Path, with_: dict, env: dict, github: dict) -> ActionRun:
    return run_action(
        ACTION_DIR, with_, workspace=workspace, env=env, github=github, skip_run=NOT_HERE
    )


def readme_step(github: dict) -> tuple[dict, dict]:
    """The README workflow's mlgate step: its ``with:`` and its ``env:`` as the runner sets them."""
    workflow = yaml.safe_load(README_WORKFLOW.read_text())
    [checkout, step] = workflow["jobs"]["gate"]["steps"]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"] == {"persist-credentials": False}
    assert step["uses"].split("@")[0].endswith("/mlgate/github-actions")
    context = {
        "github": github,
        "vars": {"MLFLOW_TRACKING_URI": ""},  # unset repository variable: the default store
        "secrets": {"MLFLOW_TRACKING_TOKEN": MLFLOW_TOKEN},
    }
    with_ = {k: substitute(str(v), context) for k, v in step["with"].items()}
    env = {k: substitute(v, context) for k, v in step["env"].items()}
    return with_, {k: v for k, v in env.items() if v}


def test_readme_workflow_on_a_pull_request_gates_reports_and_keeps_one_comment(
    workspace, github_api
):
    github, env = pr_context(workspace, github_api)
    with_, step_env = readme_step(github)
    assert with_ == {"python-version": "3.12", "promote": "false"}
    env.update(step_env)
    gate(workspace, 0.5)
    passed = run_gate_action(workspace, with_, env, github)
    assert not passed.failed, str(passed)
    report_dir = workspace / "mlgate-reports"
    assert passed.outputs["status"] == "passed"
    assert passed.outputs["report-path"] == str(report_dir / "mlgate-report.json")
    assert passed.outputs["failed-checks"] == "" and passed.outputs["exit-code"] == "0"
    assert "mlgate: gate PASSED" in passed.summary
    assert "performance.roc\\_auc" in passed.summary  # Markdown-escaped check id
    assert passed.step("Set up Python").with_ == {"python-version": "3.12"}
    upload = passed.step("Upload the reports")
    assert upload.uses == "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f"
    assert upload.with_ == {
        "name": "mlgate-reports",
        "path": str(report_dir),
        "if-no-files-found": "warn",
    }
    assert {p.name for p in report_dir.iterdir()} >= {"mlgate-report.json", "mlgate-report.md"}
    [comment] = github_api.comments[5]
    assert comment["body"].startswith("<!-- mlgate:pr-comment key=mlgate.yaml -->")
    assert "gate PASSED" in comment["body"]
    assert f"::add-mask::{MLFLOW_TOKEN}" in passed.step("Run the gate").stdout

    gate(workspace, 0.99999)
    failed = run_gate_action(workspace, with_, env, github)
    assert failed.failed and failed.step("Run the gate").returncode == 1, str(failed)
    assert failed.outputs["status"] == "failed"
    assert failed.outputs["failed-checks"] == "performance.roc_auc"
    out = failed.step("Run the gate").stdout
    assert re.search(r"^::error title=mlgate performance\.roc_auc::roc_auc = ", out, re.M)
    assert "::group::mlgate: evaluate the model and run the checks" in out
    assert re.search(r"^::stop-commands::(\S+)$(.|\n)*^::\1::$", out, re.M)
    assert failed.step("Upload the reports").ran
    [comment] = github_api.comments[5]  # the same comment, updated in place
    assert "gate FAILED" in comment["body"]
    assert [r.method for r in github_api.requests] == ["GET", "POST", "GET", "PATCH"]
    assert_no_secret_leaks(passed, workspace)
    assert_no_secret_leaks(failed, workspace)


@pytest.mark.parametrize(
    ("fail_on", "min_auc", "severity", "step_fails", "status"),
    [("never", 0.99999, "error", False, "failed"), ("warned", 0.99999, "warn", True, "passed")],
)
def test_fail_on_decides_the_step(
    workspace, github_api, fail_on, min_auc, severity, step_fails, status
):
    github, env = pr_context(workspace, github_api)
    gate(workspace, min_auc, severity)
    with_ = {"fail-on": fail_on, "comment-on-pr": False}
    run = run_gate_action(workspace, with_, env, github)
    assert run.failed is step_fails, str(run)
    assert run.outputs["status"] == status
    if severity == "warn":
        assert run.outputs["warned-checks"] == "performance.roc_auc"
        assert "::warning title=mlgate performance.roc_auc::" in run.stdout
    assert not run.step("Comment on the pull request").ran and github_api.requests == []


def test_action_reports_an_unusable_gate_as_error(workspace, github_api):
    github, env = pr_context(workspace, github_api)
    with_ = {"gate-file": "missing.yaml", "comment-on-pr": False}
    run = run_gate_action(workspace, with_, env, github)
    assert run.failed and run.step("Run the gate").returncode == 2
    assert run.outputs["status"] == "error" and run.outputs["exit-code"] == "2"
    assert re.search(r"^::error title=mlgate::.*missing\.yaml", run.stdout, re.M)
    assert "### mlgate: ERROR" in run.summary


def test_action_rejects_a_promote_input_that_is_not_a_boolean(workspace, github_api):
    github, env = pr_context(workspace, github_api)
    with_ = {"promote": "yes; rm -rf /", "comment-on-pr": False}
    run = run_gate_action(workspace, with_, env, github)
    step = run.step("Run the gate")
    assert step.returncode == 2
    assert step.stdout == "::error title=mlgate::the input 'promote' must be true or false\n"


def run_azure(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """The script as the agent runs a bash step: TF_BUILD=True, no GitHub variables."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    hidden = ("GITHUB_", "MLFLOW_TRACKING_TOKEN")
    base = {k: v for k, v in os.environ.items() if not k.startswith(hidden)}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**base, "PATH": path, "TF_BUILD": "True", **env},
        check=False,
    )


def vso(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(("##vso[", "##["))]


def test_azure_failing_gate_logging_commands_and_junit(workspace):
    gate(workspace, 0.99999)
    script, env = azure_step("Run the mlgate gate", {"reportDir": "out/mlgate"})
    env["MLFLOW_TRACKING_TOKEN"] = MLFLOW_TOKEN
    env["MLFLOW_TRACKING_PASSWORD"] = "$(MLFLOW_TRACKING_PASSWORD)"  # an undefined secret
    done = run_azure(script, env, workspace)
    assert done.returncode == 1, done.stderr
    commands = vso(done.stdout)
    folder = workspace / "out" / "mlgate"
    report = folder / "mlgate-report.json"
    junit = ElementTree.parse(folder / "mlgate-junit.xml").getroot()
    [case] = junit.iter("testcase")
    failure = case.find("failure")
    assert case.get("name") == "performance.roc_auc" and failure is not None
    assert junit.tag == "testsuite" and junit.get("failures") == "1"
    assert commands == [
        f"##vso[task.setsecret]{MLFLOW_TOKEN}",
        "##[group]mlgate: evaluate the model and run the checks",
        "##[endgroup]",
        f"##vso[task.logissue type=error;]mlgate performance.roc_auc: {failure.get('message')}",
        "##vso[task.setvariable variable=status;isOutput=true;]failed",
        "##vso[task.setvariable variable=exitCode;isOutput=true;]1",
        f"##vso[task.setvariable variable=reportDir;isOutput=true;]{folder}",
        f"##vso[task.setvariable variable=reportPath;isOutput=true;]{report}",
        "##vso[task.setvariable variable=failedChecks;isOutput=true;]performance.roc_auc",
        f"##vso[task.uploadsummary]{folder / 'mlgate-report.md'}",
        "##vso[task.complete result=Failed;]mlgate: gate failed",
    ]
    assert "$(MLFLOW" not in done.stdout
    for path in folder.iterdir():
        assert MLFLOW_TOKEN not in path.read_text()


def test_azure_readme_pipeline_parameters_pass_a_good_model(workspace):
    [step] = yaml.safe_load(README_PIPELINE.read_text())["steps"]
    gate(workspace, 0.5)
    script, env = azure_step("Run the mlgate gate", step["parameters"])
    env["MLGATE_REPORT_DIR"] = "r"  # $(Build.ArtifactStagingDirectory) is the agent's
    done = run_azure(script, env, workspace)
    assert done.returncode == 0, done.stderr
    commands = vso(done.stdout)
    assert "##vso[task.setvariable variable=status;isOutput=true;]passed" in commands
    assert not any("logissue" in c or "task.complete" in c for c in commands)
    assert "--no-promote" not in done.stdout


def test_azure_fail_on_warned_and_no_promote_parameters(workspace):
    gate(workspace, 0.99999, "warn")
    script, env = azure_step("Run the mlgate gate", {"failOnWarned": True, "promote": False})
    env["MLGATE_REPORT_DIR"] = "r"
    done = run_azure(script, env, workspace)
    assert done.returncode == 1
    commands = vso(done.stdout)
    assert any(c.startswith("##vso[task.logissue type=warning;]mlgate ") for c in commands)
    assert commands[-1] == "##vso[task.complete result=Failed;]mlgate: gate passed"


def test_fail_on_warned_does_not_promote_a_warned_gate(run_cli, registry, tmp_path, eval_csv):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate_file = tmp_path / "registry-gate.yaml"
    gate_file.write_text(
        f"model: models:/{name}@challenger\ndata: {{eval: {eval_csv}}}\ntarget: label\n"
        f'mlflow: {{tracking_uri: "{registry.uri}"}}\n'
        "promote: {on_pass: {alias: champion}}\n"
        "checks:\n  performance:\n    roc_auc: {min: 0.99999, severity: warn}\n"
    )
    code, out, err = run_cli("run", "-c", str(gate_file), "--ci", "none", "--fail-on", "warned")
    assert code == 1, err
    assert FAIL_ON_WARNED_NOT_PROMOTED.format(count=1) in out
    assert registry.alias(name, "champion") == "1"
    assert registry.tags(name, 2)["mlgate.status"] == "passed"  # the gate itself passed


def test_formats_input_reaches_mlgate_run(workspace, github_api, capsys):
    """The action passes `formats` to `mlgate run --report` (the reports feature)."""
    from mlgate.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    if "--report " not in capsys.readouterr().out:
        pytest.skip("mlgate run --report is not on this branch yet")
    github, env = pr_context(workspace, github_api)
    gate(workspace, 0.5)
    run = run_gate_action(workspace, {"formats": "json,md", "comment-on-pr": False}, env, github)
    assert not run.failed, str(run)
    assert (workspace / "mlgate-reports" / "mlgate-report.md").is_file()
