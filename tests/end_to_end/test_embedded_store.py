"""The registry flow without a server: the embedded sqlite store, as ``mlgate demo`` and a gate file
without ``mlflow.tracking_uri`` use it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from mlgate.integrations import _records
from tests.end_to_end.conftest import Registry, log_models, tracking

pytestmark = pytest.mark.integration


def test_demo_registers_gates_tags_and_promotes_in_its_own_store(tmp_path):
    folder = tmp_path / "mlgate-demo"
    process = subprocess.run(
        [sys.executable, "-m", "mlgate", "demo", "--dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )

    assert process.returncode == 0, process.stderr
    assert "gate PASSED" in process.stdout
    assert "registry: moved mlgate-demo-cancer@champion to version 2 (was 1)" in process.stdout
    assert "): gate passed" in process.stdout  # the `mlgate status` it prints
    for check in ("data.schema", "data.signature", "drift.features", "drift.prediction"):
        assert re.search(rf"PASS  {re.escape(check)} ", process.stdout), check
    store = Registry(f"sqlite:///{folder / 'mlflow.db'}", {})
    assert store.alias("mlgate-demo-cancer", "champion") == "2"
    assert store.tags("mlgate-demo-cancer", 2)[_records.STATUS] == "passed"
    assert store.client.get_model_version("mlgate-demo-cancer", "2").tags["team"] == "demo"
    for name in (
        "mlgate-report.json",
        "mlgate-report.html",
        "mlgate-report.md",
        "mlgate-junit.xml",
    ):
        assert (folder / "reports" / name).is_file(), name
    assert f"HTML report: {folder / 'reports' / 'mlgate-report.html'}" in process.stdout
    assert not (tmp_path / "mlflow.db").exists()  # nothing written outside the demo folder


def test_gate_without_tracking_uri_uses_the_store_under_the_working_directory(
    run_cli, monkeypatch, tmp_path, fitted_models, gate_for
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    (tmp_path / ".mlgate").mkdir()
    store = f"sqlite:///{tmp_path / '.mlgate' / 'mlflow.db'}"
    registry = Registry(store, log_models(store, fitted_models))
    with tracking(store):  # a sqlite registry looks the logged models up in the global store
        name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, store)
    gate.write_text(re.sub(r"(?m)^mlflow:.*\n", "", gate.read_text()))

    code, out, err = run_cli("run", "-c", str(gate))

    assert code == 0, err
    assert f"at {store}" in out
    assert registry.alias(name, "champion") == "2"
    assert registry.tags(name, 2)[_records.STATUS] == "passed"
    code, out, _ = run_cli("status", f"models:/{name}@champion")
    assert code == 0
    assert f"models:/{name}@champion (models:/{name}/2): gate passed" in out
