"""Fail closed: a registry that is down, dies mid-gate, or dies before promotion never ends with a
``passed`` tag it should not have or a moved alias, and the exit code and one-line message say so.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from mlgate.integrations import _records
from mlgate.mlflow_gateway import BACKOFF_SECONDS
from tests.end_to_end.conftest import Registry, free_port, log_models, mlgate_process

pytestmark = pytest.mark.integration

KILLER = """\
import os, signal, socket, time

def kill_server(y_true, y_pred):
    \"\"\"A custom metric that stops the MLflow server while the gate evaluates.\"\"\"
    try:
        os.killpg({pgid}, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while socket.socket().connect_ex(("127.0.0.1", {port})) == 0:
        time.sleep(0.05)
    return 0.0
"""


def test_unreachable_registry_exits_3_quickly_with_one_line(gate_for):
    port = free_port()  # nothing listens there
    gate = gate_for("churn", f"http://127.0.0.1:{port}")
    started = time.perf_counter()
    process = mlgate_process("run", "-c", str(gate))
    out, err = process.communicate(timeout=180)
    elapsed = time.perf_counter() - started

    assert process.returncode == 3, err
    assert err.startswith("mlgate: error: could not read registered model 'churn'")
    assert f"http://127.0.0.1:{port}" in err and err.count("\n") == 1
    assert "Traceback" not in err and out == ""
    # Bounded: 3 attempts and their pauses, not MLflow's own retries (7 attempts, backoff factor
    # 2: over two minutes). The margin is wide so a loaded CI machine's slow start-up cannot flap.
    assert elapsed < sum(BACKOFF_SECONDS) + 50


def test_credentials_never_appear_in_output_report_tags_or_params(registry, gate_for):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    password, token = f"pw-{uuid.uuid4().hex}", f"tok-{uuid.uuid4().hex}"
    uri = registry.uri.replace("http://", f"http://alice:{password}@")
    gate = gate_for(name, uri)
    process = mlgate_process("run", "-c", str(gate), env={"MLFLOW_TRACKING_TOKEN": token})
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    report = (gate.parent / "mlgate-report.json").read_text()
    run = registry.client.get_run(json.loads(report)["registry"]["run_id"])
    version = registry.client.get_model_version(name, "2")
    recorded = [out, err, report, str(version.tags), str(run.data.params), str(run.data.tags)]
    assert "http://alice:***@127.0.0.1" in out  # redacted, not dropped
    for text in recorded:
        assert password not in text and token not in text

    # The same credentials on a closed port: the error line is redacted too.
    closed = f"http://alice:{password}@127.0.0.1:{free_port()}"
    process = mlgate_process(
        "run", "-c", str(gate_for(name, closed)), env={"MLFLOW_TRACKING_TOKEN": token}
    )
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3
    assert "alice:***@" in err and password not in err and token not in err


def test_server_dying_during_evaluation_leaves_no_tag_and_no_alias(
    run_cli, fragile_server, fitted_models, gate_for, tmp_path
):
    registry = Registry(fragile_server.url, log_models(fragile_server.url, fitted_models))
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    module = f"killer_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{module}.py").write_text(
        KILLER.format(pgid=fragile_server.process.pid, port=fragile_server.port)
    )
    extra = f"metrics: {{killer: {{function: '{module}:kill_server'}}}}\n"
    gate = gate_for(name, registry.uri, extra=extra)

    code, _, err = run_cli("run", "-c", str(gate))

    assert code == 3, err
    assert f"at {fragile_server.url}" in err
    report = json.loads((gate.parent / "mlgate-report.json").read_text())
    assert report["status"] == "passed"  # the evaluation itself was fine...
    assert "error" in report["registry"]  # ...but it could not be recorded, and says so
    # The server's own store, read directly: nothing was written, nothing moved.
    stored = Registry(fragile_server.backend_uri, {})
    assert stored.tags(name, 2) == {}
    assert stored.alias(name, "champion") == "1"


def test_promotion_failing_after_tagging_exits_3_and_says_so(
    fragile_server, fitted_models, gate_for
):
    from mlgate.engine import run_gate
    from mlgate.integrations.mlflow_registry import RegistrySession
    from mlgate.reporting import write_reports
    from mlgate.spec import load_spec

    registry = Registry(fragile_server.url, log_models(fragile_server.url, fitted_models))
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    spec = load_spec(gate_for(name, registry.uri))
    session = RegistrySession.open(spec)
    result = run_gate(spec)
    write_reports(result, spec.base_dir, spec.report_json)
    session.record(result)  # tagged 'passed'...
    fragile_server.stop()  # ...then the registry goes away before the alias moves

    outcome = session.promote(result)

    assert outcome.exit_code == 3
    assert outcome.error.startswith(f"models:/{name}/2 is tagged passed but promotion to @champion")
    assert session.promotion.outcome == "failed"
    stored = Registry(fragile_server.backend_uri, {})
    assert stored.tags(name, 2)[_records.STATUS] == "passed"
    assert stored.alias(name, "champion") == "1"
