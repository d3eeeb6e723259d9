"""``mlgate run`` against a real MLflow server: the run, the version tags, the alias, the report.

These call the CLI in-process (same exit codes, no 3 s of imports per call); the tests that need a
separate process (credentials in the real environment, races) start one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlgate.engine import MSG_FIRST_MODEL
from mlgate.integrations import _records
from mlgate.integrations._promotion import MSG_ALREADY
from tests.end_to_end.conftest import log_models
from tests.integrations.ci.test_reporters import folded

pytestmark = pytest.mark.integration


def _report(gate):
    return json.loads((gate.parent / "mlgate-report.json").read_text())


def test_passing_challenger_is_tagged_and_promoted(run_cli, registry, gate_for, tmp_path):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, registry.uri)

    code, out, err = run_cli("run", "-c", str(gate))

    assert code == 0, err
    assert f"registry: moved {name}@champion to version 2 (was 1)" in out
    assert registry.alias(name, "champion") == "2"
    tags = registry.tags(name, 2)
    report = _report(gate)
    run_id = report["registry"]["run_id"]
    assert tags == {
        _records.STATUS: "passed",
        _records.RUN_ID: run_id,
        _records.REPORT: report["registry"]["report_uri"],
        _records.GATE_DIGEST: report["gate"]["digest"],
        _records.FAILED_CHECKS: "",
        _records.EVALUATED_AT: report["started_at"],
        _records.BASELINE: f"models:/{name}/1",
    }
    assert registry.client.get_model_version(name, "2").tags["team"] == "risk"
    assert registry.tags(name, 1) == {}  # the champion is not touched
    assert report["registry"]["promotion"] == {
        "alias": "champion",
        "expected": "1",
        "outcome": "promoted",
        "reason": f"moved {name}@champion to version 2 (was 1)",
        "took_over": None,
    }

    run = registry.client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["model.version"] == f"models:/{name}/2"
    assert run.data.params["baseline.version"] == f"models:/{name}/1"
    assert run.data.params["gate.digest"] == report["gate"]["digest"]
    assert run.data.params["data.eval.rows"] == "569"
    assert run.data.params["data.eval.digest"] == report["data"]["eval"]["digest"]
    assert run.data.metrics["roc_auc"] == pytest.approx(report["metrics"]["roc_auc"])
    assert run.data.metrics["baseline.roc_auc"] == pytest.approx(
        report["baseline_metrics"]["roc_auc"]
    )
    # The uploaded report is the final one, promotion outcome included.
    assert tags[_records.REPORT].endswith(f"/{run_id}/artifacts/mlgate-report.json")
    uploaded = registry.client.download_artifacts(run_id, "mlgate-report.json", str(tmp_path))
    assert json.loads(Path(uploaded).read_text())["registry"]["promotion"]["outcome"] == "promoted"


def test_failing_challenger_is_tagged_failed_and_never_promoted(run_cli, registry, gate_for):
    name = registry.register(("strong", "champion"), ("weak", "challenger"))
    gate = gate_for(name, registry.uri)

    code, out, _ = run_cli("run", "-c", str(gate))

    assert code == 1
    assert "FAIL  comparison.roc_auc" in out
    assert registry.alias(name, "champion") == "1"
    tags = registry.tags(name, 2)
    assert tags[_records.STATUS] == "failed"
    assert tags[_records.FAILED_CHECKS] == "comparison.roc_auc"
    assert tags["mlgate.check.comparison.roc_auc"] == "failed"
    assert "team" not in registry.client.get_model_version(name, "2").tags  # tags only on pass
    assert _report(gate)["registry"]["promotion"]["outcome"] == "skipped"

    assert run_cli("status", f"models:/{name}/2", "--tracking-uri", registry.uri)[0] == 1


def test_regating_replaces_stale_check_tags(run_cli, registry, gate_for):
    name = registry.register(("strong", "champion"), ("weak", "challenger"))
    gate = gate_for(name, registry.uri, promote=False)
    assert run_cli("run", "-c", str(gate))[0] == 1
    assert "mlgate.check.comparison.roc_auc" in registry.tags(name, 2)

    # The same version gated again with a looser comparison limit passes: no stale failures.
    gate.write_text(gate.read_text().replace("min_delta: -0.005", "min_delta: -0.2"))
    assert run_cli("run", "-c", str(gate))[0] == 0
    tags = registry.tags(name, 2)
    assert tags[_records.STATUS] == "passed"
    assert not [key for key in tags if key.startswith(_records.CHECK_PREFIX)]


def test_first_model_without_champion_skips_comparison_and_becomes_champion(
    run_cli, registry, gate_for
):
    name = registry.register(("strong", "challenger"))
    gate = gate_for(name, registry.uri)

    code, out, err = run_cli("run", "-c", str(gate))

    assert code == 0, err
    reason = MSG_FIRST_MODEL.format(uri=f"models:/{name}@champion")
    assert "SKIP  comparison.roc_auc" in out
    assert f"no baseline to compare with: {reason}" in out
    report = _report(gate)
    assert report["baseline"] is None
    assert report["registry"]["promotion"]["expected"] is None
    assert registry.alias(name, "champion") == "1"
    assert registry.tags(name, 1)[_records.BASELINE] == "none"


def test_missing_model_alias_is_a_bad_reference(run_cli, registry, gate_for):
    name = registry.register(("weak", "champion"))
    code, _, err = run_cli("run", "-c", str(gate_for(name, registry.uri)))
    assert code == 2
    assert f"models:/{name}@challenger" in err
    assert registry.tags(name, 1) == {}


def test_unknown_model_is_a_bad_reference_before_anything_runs(run_cli, registry, gate_for):
    code, _, err = run_cli("run", "-c", str(gate_for("no-such-model", registry.uri)))
    assert code == 2
    assert "could not read registered model 'no-such-model'" in err
    assert registry.uri in err


def test_artifact_download_failure_fails_closed(
    run_cli, registry, gate_for, mlflow_server, fitted_models
):
    # A challenger whose files vanished from the artifact store after it was registered.
    lost = log_models(registry.uri, {"lost": fitted_models["strong"]})["lost"]
    name = registry.register(("weak", "champion"))
    version = registry.client.create_model_version(
        name, source=lost.model_uri, run_id=lost.run_id, model_id=lost.model_id
    ).version
    registry.client.set_registered_model_alias(name, "challenger", version)
    for folder in (mlflow_server.root / "artifacts").rglob(lost.model_id):
        shutil.rmtree(folder)

    code, _, err = run_cli("run", "-c", str(gate_for(name, registry.uri)))

    assert code == 2, err  # the version names files that are not there: a bad reference
    (line,) = [line for line in err.splitlines() if line.startswith("mlgate: error: ")]
    assert f"models:/{name}@challenger" in line
    assert registry.tags(name, version) == {}
    assert registry.alias(name, "champion") == "1"


def test_no_promote_then_promote_from_the_report(run_cli, registry, gate_for):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, registry.uri)

    code, out, _ = run_cli("run", "-c", str(gate), "--no-promote")

    assert code == 0
    assert "champion not moved (--no-promote)" in out
    assert registry.alias(name, "champion") == "1"
    assert registry.tags(name, 2)[_records.STATUS] == "passed"
    assert _report(gate)["registry"]["promotion"]["outcome"] == "skipped"

    report = str(gate.parent / "mlgate-report.json")
    code, out, err = run_cli("promote", "--report", report, "--max-age", "1h")
    assert code == 0, err
    assert f"moved {name}@champion to version 2 (was 1)" in out
    assert registry.alias(name, "champion") == "2"
    status = run_cli("status", f"models:/{name}@champion", "--tracking-uri", registry.uri)
    assert status[0] == 0
    assert f"models:/{name}@champion (models:/{name}/2): gate passed" in status[1]


def test_promote_from_the_report_again_is_success(run_cli, registry, gate_for):
    """Issue 19: a CI retry after a successful promotion exited 1 ("champion changed")."""
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, registry.uri)
    code, out, _ = run_cli("run", "-c", str(gate), "--ci", "github")
    assert code == 0  # passed and promoted by the run itself
    assert registry.alias(name, "champion") == "2"
    recorded = folded(out)["mlgate: record in the MLflow registry"]  # folds what it did
    assert any(line.startswith(f"registry: moved {name}@champion") for line in recorded), out
    report = str(gate.parent / "mlgate-report.json")
    for _ in range(2):
        code, out, err = run_cli("promote", "--report", report)
        assert (code, err) == (0, "")
        assert (
            out == "registry: " + MSG_ALREADY.format(name=name, alias="champion", version=2) + "\n"
        )
    assert registry.alias(name, "champion") == "2"


def test_promote_from_report_refusals(run_cli, registry, gate_for, tmp_path):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, registry.uri)
    assert run_cli("run", "-c", str(gate), "--no-promote")[0] == 0
    superseded = json.loads((gate.parent / "mlgate-report.json").read_text())
    assert run_cli("run", "-c", str(gate), "--no-promote")[0] == 0  # gated again: a newer run
    good = json.loads((gate.parent / "mlgate-report.json").read_text())

    def promote(edit, *args):
        report = json.loads(json.dumps(good))
        edit(report)
        path = tmp_path / "edited-report.json"
        path.write_text(json.dumps(report))
        code, _, err = run_cli("promote", "--report", str(path), *args)
        return code, err

    def failed(report):
        report["status"] = "failed"

    def other_version(report):
        report["model"]["version"] = "1"

    def other_digest(report):
        report["gate"]["digest"] = "sha256:" + "0" * 64

    def old(report):
        report["started_at"] = "2020-01-01T00:00:00+00:00"

    code, err = promote(failed)
    assert code == 1 and "the report's gate status is 'failed', not 'passed'" in err
    code, err = promote(other_version)
    assert code == 1 and f"models:/{name}/1 in the registry comes from run" in err
    code, err = promote(other_digest)
    assert code == 1 and "does not match mlgate.gate_digest" in err
    code, err = promote(old, "--max-age", "24h")
    assert code == 1 and "over --max-age 1.0d" in err
    code, err = promote(lambda report: report.update(superseded))
    assert code == 1
    assert f"was last gated by run {good['registry']['run_id']} (mlgate.status=passed)" in err
    assert registry.alias(name, "champion") == "1"

    # Another champion was promoted after the gate ran: compare-and-set refuses the report.
    registry.add_version(name, "weak", "champion")
    code, err = promote(lambda report: None)
    assert code == 1 and f"{name}@champion changed since the gate started (was 1, now 3)" in err
    assert registry.alias(name, "champion") == "3"


def test_status_exit_codes(run_cli, registry, gate_for):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    assert run_cli("run", "-c", str(gate_for(name, registry.uri)), "--no-promote")[0] == 0

    def status(uri):
        return run_cli("status", uri, "--tracking-uri", registry.uri)

    code, out, _ = status(f"models:/{name}@challenger")
    assert code == 0
    assert f"  {_records.STATUS}: passed" in out
    assert "  aliases: challenger" in out
    code, out, _ = status(f"models:/{name}/1")
    assert (code, out.splitlines()[0]) == (
        2,
        f"models:/{name}/1: never gated (no mlgate.status tag)",
    )
    assert status(f"models:/{name}/9")[0] == 2
    assert status(f"models:/{name}@nope")[0] == 2
    assert status("runs:/abc/model")[0] == 2


def test_the_pipeline_from_python_promotes_and_returns_what_the_cli_prints(
    registry, gate_for, capsys
):
    """Issue 20: a Python job gets the outcome as an object; mlgate prints nothing."""
    from mlgate.pipeline import GateOptions, run_pipeline

    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    gate = gate_for(name, registry.uri)
    capsys.readouterr()

    outcome = run_pipeline(GateOptions(config=str(gate), formats=("json",)))

    assert outcome.passed and outcome.exit_code == 0
    assert outcome.registry_error is None
    assert f"registry: moved {name}@champion to version 2 (was 1)" in outcome.registry_lines
    assert registry.alias(name, "champion") == "2"
    assert registry.tags(name, 2)[_records.STATUS] == "passed"
    assert json.loads((outcome.report_dir / "mlgate-report.json").read_text())["status"] == "passed"
    assert capsys.readouterr().out == ""  # MLflow's own logging is the caller's to configure
