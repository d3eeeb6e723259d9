"""A check family from another package, installed for real: ``examples/cost-family``.

The example is installed with ``uv pip install --target`` into a folder of its own and put on
``PYTHONPATH`` of a real ``mlgate`` process, exactly as an installed package is found (its
``.dist-info`` entry points), without touching the environment the rest of the suite runs in.
Broken plugins are built and installed the same way.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlgate.families import MSG_PLUGIN_BROKEN, MSG_PLUGIN_NO_SCHEMA, MSG_PLUGIN_UNREGISTERED

pytestmark = pytest.mark.integration  # builds and installs packages, runs mlgate processes

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cost-family"
FALSE_NEGATIVE, FALSE_POSITIVE = 100.0, 5.0
GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: churned
checks:
  performance:
    accuracy_score: {{min: 0.5}}
  cost:
    matrix:
      "yes": {{"no": 100}}
      "no": {{"yes": 5}}
    expected_cost: {bound}
"""
BROKEN_MODULES = {
    # entry point name -> (module source, the message mlgate prints)
    "crashes": ("raise RuntimeError('no licence server')\n", MSG_PLUGIN_BROKEN),
    "silent": ("VALUE = 1\n", MSG_PLUGIN_UNREGISTERED),
    "schemaless": (
        "from mlgate.families import check_family\n"
        "@check_family('schemaless', 'no schema')\n"
        "def run(context):\n"
        "    return []\n",
        MSG_PLUGIN_NO_SCHEMA,
    ),
}


def install(source: Path, target: Path) -> Path:
    """``source`` (a package folder) installed into ``target``, without its dependencies.

    Built from a copy, so the build leaves no ``build/`` or ``*.egg-info`` in the checkout.
    """
    copy = target.with_name(f"{target.name}-source")
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    source = copy
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--no-deps",
         "--python", sys.executable, "--target", str(target), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return target


def environment(site: Path) -> dict[str, str]:
    drop = ("PYTEST_ADDOPTS", "MLFLOW_TRACKING_URI")
    env = {
        k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST_XDIST_")
    }
    env["PYTHONPATH"] = str(site)
    return env


def mlgate(folder: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mlgate", *args],
        cwd=folder, env=environment(site), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return install(EXAMPLE, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def churn(tmp_path_factory):
    """A churn classifier (labels 'yes'/'no') saved with joblib, and its evaluation rows."""
    import joblib
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    X, y = make_classification(n_samples=600, n_features=5, random_state=3)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    frame["churned"] = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(frame.iloc[:400, :5], frame["churned"][:400])
    folder = tmp_path_factory.mktemp("churn")
    joblib.dump(model, folder / "model.joblib")
    evaluation = frame.iloc[400:]
    evaluation.to_csv(folder / "eval.csv", index=False)
    truth, predicted = evaluation["churned"].to_numpy(), model.predict(evaluation.iloc[:, :5])
    cost = np.where((truth == "yes") & (predicted == "no"), FALSE_NEGATIVE, 0.0)
    cost += np.where((truth == "no") & (predicted == "yes"), FALSE_POSITIVE, 0.0)
    return folder, float(cost.mean())


def gate_in(folder: Path, bound: str) -> Path:
    (folder / "mlgate.yaml").write_text(GATE.format(bound=bound), encoding="utf-8")
    return folder


def cost_check(folder: Path) -> dict:
    report = json.loads((folder / "mlgate-report.json").read_text(encoding="utf-8"))
    (check,) = [c for c in report["checks"] if c["id"] == "cost.expected_cost"]
    return check


def test_the_installed_family_gates_with_the_expected_cost(site, churn):
    folder, expected = churn
    assert expected > 0  # the model makes both kinds of mistakes on these rows

    passing = mlgate(
        gate_in(folder, f"{{max: {expected * 1.01}}}"), site, "run", "--report", "json"
    )
    assert passing.returncode == 0, passing.stderr
    check = cost_check(folder)
    assert check["status"] == "passed"
    assert check["value"] == pytest.approx(expected, rel=1e-12)

    failing = mlgate(
        gate_in(folder, f"{{max: {expected * 0.99}}}"), site, "run", "--report", "json"
    )
    assert failing.returncode == 1, failing.stderr
    assert cost_check(folder)["status"] == "failed"

    warned = f"{{max: {expected * 0.99}, severity: warn}}"
    softened = mlgate(gate_in(folder, warned), site, "run", "--report", "json")
    assert softened.returncode == 0, softened.stderr
    assert cost_check(folder)["status"] == "warned"


def test_without_the_package_the_key_is_unknown(churn, tmp_path):
    folder, _ = churn
    done = mlgate(gate_in(folder, "{max: 1}"), tmp_path, "run", "--report", "json")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "'cost'" in done.stderr


def test_a_typo_under_the_family_is_refused_with_the_closest_key(site, churn):
    folder, _ = churn
    gate_in(folder, "{max: 1}")
    text = (folder / "mlgate.yaml").read_text().replace("expected_cost:", "expected_cots:")
    (folder / "mlgate.yaml").write_text(text)
    done = mlgate(folder, site, "run")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "unknown key 'expected_cots' in 'checks.cost'; did you mean 'expected_cost'?" in (
        done.stderr
    )


def example_constant(name: str) -> str:
    """A message constant of the example, read from its source: importing the module here would
    register its family in this test process, for every test file that runs after this one."""
    tree = ast.parse((EXAMPLE / "mlgate_cost" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(node, ast.Assign) and targets == [name]:
            return ast.literal_eval(node.value)
    raise LookupError(name)


def test_a_label_that_is_not_a_class_is_refused_before_any_check_runs(site, churn):
    folder, _ = churn
    gate_in(folder, "{max: 1}")
    text = (folder / "mlgate.yaml").read_text().replace('"no": {"yes": 5}', '"nope": {"yes": 5}')
    (folder / "mlgate.yaml").write_text(text)
    done = mlgate(folder, site, "run")
    assert done.returncode == 2
    message = example_constant("MSG_UNKNOWN_CLASS").format(
        path="nope", label="nope", classes=["no", "yes"]
    )
    assert done.stderr.strip().endswith(message), done.stderr


def test_the_pytest_plugin_collects_and_runs_the_family_check(site, churn):
    folder, expected = churn
    gate_in(folder, f"{{max: {expected * 1.01}}}")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--mlgate", "mlgate.yaml", "-v", "-p", "no:cacheprovider",
         "--mlgate-no-report"],
        cwd=folder, env=environment(site), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert "mlgate.yaml::cost::expected_cost PASSED" in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("name", sorted(BROKEN_MODULES))
def test_a_broken_plugin_fails_closed_with_exit_3_and_one_line(name, churn, tmp_path):
    source, template = BROKEN_MODULES[name]
    package = tmp_path / "package"
    (package / f"broken_{name}").mkdir(parents=True)
    (package / f"broken_{name}" / "__init__.py").write_text(source)
    (package / "pyproject.toml").write_text(
        "[build-system]\nrequires = ['setuptools>=68']\nbuild-backend = 'setuptools.build_meta'\n"
        f"[project]\nname = 'broken-{name}'\nversion = '0.1'\n"
        f"[project.entry-points.'mlgate.families']\n{name} = 'broken_{name}'\n"
        f"[tool.setuptools]\npackages = ['broken_{name}']\n"
    )
    site = install(package, tmp_path / "site")
    folder, _ = churn
    done = mlgate(gate_in(folder, "{max: 1}"), site, "run")
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    value = f"broken_{name}"
    expected = template.format(name=name, value=value, error="no licence server")
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_interval_bound_is_refused_when_the_gate_file_is_read(site, churn):
    folder, _ = churn
    done = mlgate(gate_in(folder, "{max: 1, on: upper}"), site, "run")
    assert done.returncode == 2
    expected = example_constant("MSG_NO_INTERVAL").format(source=folder / "mlgate.yaml")
    assert done.stderr == f"mlgate: error: {expected}\n"
