"""The GitHub composite action and the Azure step template: their shell scripts, run for real.

Each script is taken from the YAML and run with bash against a real gate, with the environment
the CI system would give it, so a change to the CLI that breaks them fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
checks:
  performance:
    roc_auc: {{min: {min_auc}}}
"""


@pytest.fixture
def gate_folder(tmp_path, binary_frame, binary_model, save_model):
    save_model(binary_model)
    binary_frame.to_csv(tmp_path / "eval.csv", index=False)
    return tmp_path


def _step_script(path: Path, name: str) -> tuple[str, dict]:
    document = yaml.safe_load(path.read_text())
    steps = document["runs"]["steps"] if "runs" in document else document["steps"]
    for step in steps:
        if step.get("name") == name or step.get("displayName") == name:
            return step.get("run") or step["bash"], step.get("env", {})
    raise AssertionError(f"no step {name!r} in {path}")


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **env},
        check=False,
    )


@pytest.mark.parametrize(("min_auc", "code", "status"), [(0.5, 0, "passed"), (0.9999, 1, "failed")])
def test_github_action_sets_outputs_summary_and_exit_code(gate_folder, min_auc, code, status):
    (gate_folder / "mlgate.yaml").write_text(GATE.format(min_auc=min_auc))
    script, step_env = _step_script(ROOT / "github-actions" / "action.yml", "Run the gate")
    assert set(step_env) == {"MLGATE_GATE_FILE", "MLGATE_REPORT_DIR"}
    outputs, summary = gate_folder / "out.txt", gate_folder / "summary.md"
    env = {
        "MLGATE_GATE_FILE": "mlgate.yaml",
        "MLGATE_REPORT_DIR": "reports",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = _bash(script, gate_folder, env)
    assert done.returncode == code, done.stderr
    assert outputs.read_text().splitlines() == [
        f"status={status}",
        f"exit-code={code}",
        "report=reports/mlgate-report.json",
    ]
    assert summary.read_text().startswith(f"### mlgate: {status}\n```\n")
    assert (gate_folder / "reports" / "mlgate-report.json").is_file()


def test_github_action_reports_an_unusable_gate_as_error(gate_folder):
    script, _ = _step_script(ROOT / "github-actions" / "action.yml", "Run the gate")
    outputs = gate_folder / "out.txt"
    env = {
        "MLGATE_GATE_FILE": "missing.yaml",
        "MLGATE_REPORT_DIR": "reports",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(gate_folder / "s.md"),
    }
    done = _bash(script, gate_folder, env)
    assert done.returncode == 2
    assert "status=error" in outputs.read_text().splitlines()


@pytest.mark.parametrize(("min_auc", "code", "status"), [(0.5, 0, "passed"), (0.9999, 1, "failed")])
def test_azure_step_sets_the_status_variable(gate_folder, min_auc, code, status):
    (gate_folder / "mlgate.yaml").write_text(GATE.format(min_auc=min_auc))
    path = ROOT / "azure-pipelines" / "templates" / "mlgate-step.yml"
    script, _ = _step_script(path, "Run the mlgate gate")
    done = _bash(script, gate_folder, {"MLGATE_GATE_FILE": "mlgate.yaml", "MLGATE_REPORT_DIR": "r"})
    assert done.returncode == code, done.stderr
    assert f"##vso[task.setvariable variable=MLGATE_STATUS]{status}" in done.stdout.splitlines()


def test_example_workflows_parse_and_use_the_templates():
    workflow = yaml.safe_load((ROOT / "github-actions/examples/model-gate.yml").read_text())
    uses = [step.get("uses", "") for step in workflow["jobs"]["gate"]["steps"]]
    assert any(u.split("@")[0].endswith("/mlgate/github-actions") for u in uses)
    pipeline = yaml.safe_load((ROOT / "azure-pipelines/examples/azure-pipelines.yml").read_text())
    templates = [step.get("template", "") for step in pipeline["steps"]]
    template = "azure-pipelines/templates/mlgate-step.yml"
    assert f"{template}@mlgate" in templates and (ROOT / template).is_file()
