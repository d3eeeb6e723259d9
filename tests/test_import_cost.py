"""``import mlgate`` and ``mlgate --help`` must not pull in the heavy scientific stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "numpy",
    "pandas",
    "sklearn",
    "shap",
    "mlflow",
    "matplotlib",
    "jinja2",
    "prometheus_client",
)

HELP = """
from mlgate.cli import main
try:
    main({args!r})
except SystemExit:
    pass
"""
PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _heavy_modules_after(code: str) -> list[str]:
    script = PROBE.format(code=code, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import mlgate",
        "import mlgate.cli",
        "import mlgate.spec",
        "import mlgate.mlflow_gateway",
        HELP.format(args=["--help"]),
        HELP.format(args=["run", "--help"]),
        HELP.format(args=["serve", "--help"]),
        HELP.format(args=["init", "--help"]),
        HELP.format(args=["history", "--help"]),
        "import mlgate.integrations.webhooks.server",
    ],
    ids=[
        "import",
        "cli",
        "spec",
        "mlflow-gateway",
        "help",
        "run-help",
        "serve-help",
        "init-help",
        "history-help",
        "serve",
    ],
)
def test_light_entry_points_import_nothing_heavy(code):
    assert _heavy_modules_after(code) == []


def test_the_probe_does_see_heavy_imports():
    """Guard against a probe that could never fail."""
    assert _heavy_modules_after("import mlgate\nmlgate.run_gate") == []
    assert "numpy" in _heavy_modules_after("import mlgate.context")


GATE_RUN = """
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
import mlgate
rng = np.random.default_rng(0)
frame = pd.DataFrame({{"a": rng.normal(size=60), "b": rng.normal(size=60)}})
frame["label"] = (frame["a"] > 0).astype(int)
model = LogisticRegression().fit(frame[["a", "b"]], frame["label"])
checks = {{"performance": {{"roc_auc": {{"min": 0.5}}}}}}
checks.update({extra})
result = mlgate.run_gate({{"target": "label", "checks": checks}}, data=frame, model=model)
assert result.status == "passed", result.checks
"""


@pytest.mark.parametrize(
    ("extra", "imports_shap"),
    [({}, False), ({"explainability": {"sample": 20}}, True)],
    ids=["without-explainability", "with-explainability"],
)
def test_shap_is_imported_only_when_explainability_is_configured(extra, imports_shap):
    assert ("shap" in _heavy_modules_after(GATE_RUN.format(extra=extra))) is imports_shap


RENDER_HTML = """
from mlgate.reporting import render
assert render(result, "html").count("data:image/svg+xml") >= 4, "no plots drawn"
"""


def test_the_html_report_draws_its_plots_without_matplotlib():
    assert "matplotlib" not in _heavy_modules_after(GATE_RUN.format(extra={}) + RENDER_HTML)


LIGHT_ENTRY_POINTS = (
    "import mlgate",
    "import mlgate.pytest_plugin",
    "import mlgate.integrations.webhooks.server",
    "import mlgate.mlflow_gateway",
    HELP.format(args=["--help"]),
    HELP.format(args=["checks"]),
    # Reading a gate file imports every family's module (its parser and schema).
    "from mlgate.spec import spec_from_dict\nspec_from_dict({gate!r})",
    # A bad gate file is refused before the stack loads (mlgate run answers in a blink): one
    # that is missing, and one the engine refuses before loading anything (no model).
    "from mlgate.cli import main\nmain(['run', '-c', 'no-such-gate.yaml'])",
    "import pathlib, tempfile\n"
    "path = pathlib.Path(tempfile.mkdtemp()) / 'mlgate.yaml'\n"
    "path.write_text('target: y')\n"
    "from mlgate.cli import main\nmain(['run', '-c', str(path)])",
)
EVERY_FAMILY = {
    "target": "y",
    "model": "m.skops",
    "baseline": "b.skops",
    "sensitive_features": ["s"],
    "statistics": {"bootstrap": 100},
    "checks": {
        "performance": {"roc_auc": {"min": 0.5}},
        "comparison": {"roc_auc": {"min_delta": 0}},
        "slices": [{"where": "x > 1", "metrics": {"roc_auc": {"min": 0.5}}}],
        "fairness": {"demographic_parity_ratio": {"min": 0.5}},
        "explainability": {"max_feature_share": 0.9},
        "drift": {},
        "latency": {},
        "resources": {},
        "contract": {},
        "documentation": {},
        "data": {"missing": {"max_share": 0.5}},
    },
}


def _mlgate_modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return {name for name in loaded if name == "mlgate" or name.startswith("mlgate.")}


REPORT_MODULES = """
import json, sys


def pytest_unconfigure(config):
    print(json.dumps(sorted(sys.modules)))
"""


def _modules_of_pytest_refusing_a_bad_gate(folder) -> set[str]:
    """What ``pytest --mlgate`` loads to refuse a gate file with a typo (it must not be heavy)."""
    (folder / "mlgate.yaml").write_text("tagret: y\n")
    (folder / "conftest.py").write_text(REPORT_MODULES)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--mlgate", "--co", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    return {name for name in loaded if name == "mlgate" or name.startswith("mlgate.")}


def test_only_light_modules_may_defer_their_imports(tmp_path):
    """Issue 20's one rule: ``PLC0415`` (imports at the top) holds in every module of the
    package except those a light entry point loads, which pyproject.toml lists by file."""
    import tomllib
    from pathlib import Path

    import mlgate

    root = Path(mlgate.__file__).parent.parent
    ignores = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    exempt = [
        path
        for path, rules in ignores["per-file-ignores"].items()
        if path.startswith("mlgate/") and "PLC0415" in rules
    ]
    modules = {
        path: path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        for path in exempt
    }
    assert "mlgate/cli.py" in modules  # the table was read
    probes = [code.format(gate=EVERY_FAMILY) for code in LIGHT_ENTRY_POINTS]
    assert [_heavy_modules_after(code) for code in probes[-3:]] == [[], [], []]
    light = set().union(*(_mlgate_modules_after(code) for code in probes))
    light |= _modules_of_pytest_refusing_a_bad_gate(tmp_path)
    assert {path for path, module in modules.items() if module not in light} == set()
    assert all((root / path).is_file() for path in exempt)
