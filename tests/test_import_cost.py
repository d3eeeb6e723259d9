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
    assert "numpy" in _heavy_modules_after("import mlgate.context\nimport numpy")


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
