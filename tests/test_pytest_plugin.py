"""The pytest plugin, run with pytester in throw-away projects.

Each project holds a small logistic regression (joblib) and its evaluation data (CSV), generated
here, plus a conftest that logs every gate evaluation and every report write with the process id,
so "evaluated once" and "written once" are observed, not assumed. Runs are in-process (fast)
except where a separate process matters: xdist, and the import-cost probe.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlgate.checks import performance
from mlgate.checks._format import fmt
from mlgate.errors import GateFileError
from mlgate.pytest_plugin import MSG_SKIPPED
from mlgate.pytest_plugin._gate import MSG_INTERNAL, MSG_MISSING, MSG_NOT_FOUND, ORIGIN_OPTION
from mlgate.pytest_plugin._session import MSG_NOT_EVALUATED, MSG_SELECTED

HEAVY = ("numpy", "pandas", "sklearn", "shap", "mlflow", "matplotlib", "jinja2")
ROWS = 300
FEATURES = ["f0", "f1", "f2", "f3"]

GATE_HEAD = """\
model: model.joblib
data:
  eval: eval.csv
target: y
"""
PASSING = (
    GATE_HEAD
    + """\
checks:
  performance:
    roc_auc: {min: 0.9}
    "recall_score[0]": {min: 0.5}
"""
)
FAILING = (
    GATE_HEAD
    + """\
checks:
  performance:
    roc_auc: {min: 0.9}
    accuracy_score: {min: 0.99}
"""
)

# Logs every evaluation and report write as "<pid> <xdist worker or 'main'>" lines; with
# MLGATE_TEST_CRASH set, evaluation raises RuntimeError as a bug in mlgate would.
CONFTEST = """\
import os
from pathlib import Path

import pytest

import mlgate.engine
import mlgate.reporting

HERE = Path(__file__).parent
PATCH = pytest.MonkeyPatch()


def _logged(log, real):
    def wrapper(*args, **kwargs):
        with open(HERE / log, "a") as handle:
            handle.write(f"{os.getpid()} {os.environ.get('PYTEST_XDIST_WORKER', 'main')}\\n")
        if os.environ.get("MLGATE_TEST_CRASH"):  # stands in for a bug inside mlgate
            raise RuntimeError(os.environ["MLGATE_TEST_CRASH"])
        return real(*args, **kwargs)

    return wrapper


def pytest_configure(config):
    PATCH.setattr(mlgate.engine, "evaluate", _logged("evaluations.log", mlgate.engine.evaluate))
    PATCH.setattr(
        mlgate.reporting, "write_reports", _logged("writes.log", mlgate.reporting.write_reports)
    )


def pytest_unconfigure(config):
    PATCH.undo()
"""
PLAIN_TEST = """\
def test_plain():
    assert True
"""


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A fitted LogisticRegression (joblib), its evaluation data, and the true metric values."""
    import joblib
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score

    folder = tmp_path_factory.mktemp("model")
    X, y = make_classification(n_samples=ROWS, n_features=len(FEATURES), random_state=0)
    frame = pd.DataFrame(X, columns=FEATURES).assign(y=y)
    model = LogisticRegression().fit(frame[FEATURES], y)
    joblib.dump(model, folder / "model.joblib")
    frame.to_csv(folder / "eval.csv", index=False)
    accuracy = accuracy_score(y, model.predict(frame[FEATURES]))
    assert accuracy < 0.99, "the failing gate below relies on an imperfect model"
    return {"folder": folder, "accuracy": accuracy}


@pytest.fixture
def project(pytester, model_files, monkeypatch):
    """A project with the model, data, the logging conftest and one plain test; no gate yet.

    When this suite itself runs under xdist, its worker's variables would make the inner pytest
    believe it is a worker too (the plugin then never writes the reports): they are removed.
    """
    for name in [n for n in os.environ if n.startswith("PYTEST_XDIST_")]:
        monkeypatch.delenv(name)
    for name in ("model.joblib", "eval.csv"):
        shutil.copy(model_files["folder"] / name, pytester.path / name)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_plain=PLAIN_TEST)
    return pytester


def log_lines(pytester, name: str) -> list[str]:
    log = pytester.path / name
    return log.read_text().splitlines() if log.exists() else []


def error_lines(result) -> list[str]:
    return [line for line in result.errlines if line]


def gate(pytester, text: str, name: str = "mlgate.yaml") -> Path:
    path = pytester.path / name
    path.write_text(text)
    return path


def test_without_the_option_nothing_happens(project):
    gate(project, FAILING)
    result = project.runpytest("-q")
    result.assert_outcomes(passed=1)
    assert "mlgate:" not in result.stdout.str()
    assert log_lines(project, "evaluations.log") == []
    assert not (project.path / "mlgate-report.json").exists()


def test_checks_are_items_named_by_file_family_and_check(project):
    gate(project, PASSING)
    result = project.runpytest("--mlgate", "--co", "-q")
    result.stdout.fnmatch_lines(
        [
            "mlgate.yaml::performance::roc_auc",
            "mlgate.yaml::performance::recall_score[[]0[]]",
            "test_plain.py::test_plain",
        ]
    )
    assert log_lines(project, "evaluations.log") == [], "collection must not evaluate the model"


def test_passing_gate_writes_the_report_mlgate_run_writes(project):
    import mlgate

    path = gate(project, PASSING)
    result = project.runpytest("--mlgate", "-q")
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.OK
    report = project.path / "mlgate-report.json"
    others = [project.path / name for name in ("mlgate-report.html", "mlgate-report.md")]
    listed = ", ".join(map(str, [report, *others, project.path / "mlgate-junit.xml"]))
    assert result.outlines[-2] == f"mlgate: gate PASSED: 2 passed; reports: {listed}"
    assert len(log_lines(project, "evaluations.log")) == 1
    assert len(log_lines(project, "writes.log")) == 1
    written = json.loads(report.read_text())
    expected = json.loads(json.dumps(mlgate.run_gate(path).to_dict()))
    for document in (written, expected):
        for key in ("started_at", "duration_s"):
            document.pop(key)
        document["model"].pop("predict_seconds")
    assert written == expected


def test_failed_check_fails_its_item_with_the_check_message_only(project, model_files):
    gate(project, FAILING)
    result = project.runpytest("--mlgate", "-q", "test_plain.py")
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    message = performance.MSG_BELOW.format(
        name="accuracy_score", value=fmt(model_files["accuracy"]), bound="0.99", rows=ROWS
    )
    output = result.stdout.str()
    failure = output.split("___ performance.accuracy_score ___")[1].split("=====")[0]
    assert failure.strip("_ \n") == message
    assert "Traceback" not in output and "pytest_plugin/_items" not in output
    assert result.outlines[-2].startswith("mlgate: gate FAILED: 1 passed, 1 failed; reports: ")


def test_errored_check_is_an_error_not_a_failure(project):
    project.makepyfile(
        gate_metrics="def boom(y_true, y_pred):\n    raise ValueError('no signal')\n"
    )
    gate(
        project,
        GATE_HEAD
        + "metrics:\n  boom: {function: 'gate_metrics:boom'}\n"
        + "checks:\n  performance:\n    boom: {min: 0}\n    roc_auc: {min: 0.5}\n",
    )
    result = project.runpytest("--mlgate", "-q")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of performance.boom*",
            "boom could not be computed: ValueError: no signal",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert result.outlines[-2].startswith("mlgate: gate FAILED: 1 passed, 1 errored")


def test_warned_check_passes_with_a_warning(project):
    gate(
        project, GATE_HEAD + "checks:\n  performance:\n    roc_auc: {min: 0.999, severity: warn}\n"
    )
    # In-process runs warn that mlgate (already imported here) cannot be assertion-rewritten.
    result = project.runpytest("--mlgate", "-q", "-W", "ignore::pytest.PytestAssertRewriteWarning")
    result.assert_outcomes(passed=2, warnings=1)
    warning = "*mlgate.yaml:7: GateCheckWarning: performance.roc_auc: roc_auc = 0.9* < 0.999 (min,*"
    result.stdout.fnmatch_lines([warning, "    roc_auc: {min: 0.999, severity: warn}"])
    assert result.outlines[-2].startswith("mlgate: gate PASSED: 1 warned; reports: ")


def test_missing_gate_file_is_a_usage_error(project):
    result = project.runpytest("--mlgate=nowhere.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    missing = MSG_MISSING.format(path=project.path / "nowhere.yaml", origin=ORIGIN_OPTION)
    assert error_lines(result) == [f"ERROR: mlgate: {missing}"]

    result = project.runpytest("--mlgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert error_lines(result) == [f"ERROR: mlgate: {MSG_NOT_FOUND.format(folders=project.path)}"]


def test_bad_gate_file_is_a_usage_error_with_mlgate_message(project):
    from mlgate.spec import load_spec

    path = gate(project, FAILING.replace("target:", "tagret:"))
    with pytest.raises(GateFileError) as expected:
        load_spec(path)
    result = project.runpytest("--mlgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert error_lines(result) == [f"ERROR: mlgate: {expected.value}"]


def test_bad_input_errors_each_item_once_evaluated_and_exits_4(project):
    gate(project, FAILING.replace("target: y", "target: label"))
    result = project.runpytest("--mlgate", "-q")
    result.assert_outcomes(passed=1, errors=2)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = "mlgate: target: column 'label' is not in *eval.csv*; columns are: f0, f1, f2, f3, y"
    result.stdout.fnmatch_lines([line, line])
    assert result.outlines[-2].startswith("mlgate: target: column 'label'")
    assert "Traceback" not in result.stdout.str()
    assert len(log_lines(project, "evaluations.log")) == 1


def test_internal_error_shows_its_traceback_once_and_exits_3(project, monkeypatch):
    gate(project, FAILING)
    monkeypatch.setenv("MLGATE_TEST_CRASH", "a bug")
    result = project.runpytest("--mlgate", "-q", "-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=2)
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    message = MSG_INTERNAL.format(error="RuntimeError: a bug")
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of performance.roc_auc*", "E * RuntimeError: a bug"]
    )
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of performance.accuracy_score*", f"mlgate: {message}"]
    )
    assert result.outlines[-2] == f"mlgate: {message}"
    assert len(log_lines(project, "evaluations.log")) == 1


def test_keyword_selection_node_ids_and_exitfirst(project):
    gate(project, FAILING + '    "recall_score[0]": {min: 0.5}\n')
    result = project.runpytest("--mlgate", "-q", "-k", "recall_score[0]")
    result.assert_outcomes(passed=1, deselected=3)
    result = project.runpytest("--mlgate", "-q", "-k", "performance and not accuracy")
    result.assert_outcomes(passed=2, deselected=2)
    result = project.runpytest("--mlgate", "-q", "mlgate.yaml::performance::accuracy_score")
    result.assert_outcomes(failed=1)
    result = project.runpytest("--mlgate", "-q", "-x", "mlgate.yaml")
    result.assert_outcomes(passed=1, failed=1)


@pytest.mark.parametrize(
    "selection",
    [("-k", "not accuracy"), ("mlgate.yaml::performance::roc_auc",)],
    ids=["keyword", "node-id"],
)
def test_a_selection_summary_says_what_the_selected_checks_decided(project, selection):
    """Issue 19: with -k deselecting the failing check, pytest exited 0 under 'gate FAILED'."""
    gate(project, FAILING)
    result = project.runpytest("--mlgate", "-q", *selection)
    assert result.ret == pytest.ExitCode.OK
    assert result.outlines[-2].startswith(
        MSG_SELECTED.format(
            decision="PASSED", counts="1 passed", selected=1, total=2, status="FAILED",
            left_out="performance.accuracy_score",
        )
    )  # fmt: skip


def test_a_selection_that_fails_says_failed_and_exits_1(project):
    gate(project, FAILING + "    log_loss: {max: 10}\n")
    result = project.runpytest("--mlgate", "-q", "-k", "not roc_auc")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert result.outlines[-2].startswith(
        MSG_SELECTED.format(
            decision="FAILED", counts="1 passed, 1 failed", selected=2, total=3, status="FAILED",
            left_out="performance.roc_auc",
        )
    )  # fmt: skip


def test_everything_deselected_means_nothing_evaluated(project):
    gate(project, PASSING)
    result = project.runpytest("--mlgate", "-q", "-m", "not mlgate")
    result.assert_outcomes(passed=1, deselected=2)
    assert result.outlines[-2] == MSG_NOT_EVALUATED
    assert log_lines(project, "evaluations.log") == []


def test_fixtures_and_items_share_one_evaluation(project):
    gate(project, PASSING)
    project.makepyfile(
        test_model="""
        import pytest
        from mlgate.testing import assert_metric

        def test_result(mlgate_result):
            assert mlgate_result.check("performance.roc_auc").status == "passed"

        def test_context(mlgate_context, mlgate_result):
            assert mlgate_context.n_rows == 300
            assert list(mlgate_context.model.y_pred) == list(
                mlgate_context.model.model.predictor.predict(mlgate_context.X)
            )
            assert mlgate_context.metrics_of(mlgate_context.model).values == mlgate_result.metrics
            assert_metric(mlgate_context, "roc_auc", ">=", 0.9)
        """
    )
    result = project.runpytest("--mlgate", "-q")
    result.assert_outcomes(passed=5)
    assert len(log_lines(project, "evaluations.log")) == 1


def test_fixture_errors_carry_the_one_line_message(project):
    project.makepyfile(test_model="def test_result(mlgate_result):\n    pass\n")
    result = project.runpytest("-q", "test_model.py")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"mlgate: {MSG_NOT_FOUND.format(folders=project.path)}"])


def test_marked_tests_run_only_with_the_option(project):
    gate(project, PASSING)
    project.makepyfile(
        test_model="""
        import pytest

        @pytest.mark.mlgate
        def test_needs_gate(mlgate_result):
            assert mlgate_result.passed
        """
    )
    result = project.runpytest("-q", "-rs", "test_model.py")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"*{MSG_SKIPPED}"])
    assert log_lines(project, "evaluations.log") == []
    result = project.runpytest("-q", "--mlgate", "test_model.py", "-m", "mlgate")
    result.assert_outcomes(passed=3)


def test_gate_in_pyproject_and_ini_options(project):
    (project.path / "gates").mkdir()
    shutil.move(project.path / "model.joblib", project.path / "gates" / "model.joblib")
    shutil.move(project.path / "eval.csv", project.path / "gates" / "eval.csv")
    gate(project, PASSING, name="gates/churn.yaml")
    project.makepyprojecttoml(
        """
        [tool.pytest.ini_options]
        mlgate_gate = "gates/churn.yaml"
        mlgate_report_dir = "out"
        """
    )
    result = project.runpytest("--mlgate", "--co", "-q")
    result.stdout.fnmatch_lines(["gates/churn.yaml::performance::roc_auc"])
    result = project.runpytest("--mlgate", "-q")
    result.assert_outcomes(passed=3)
    assert (project.path / "out" / "mlgate-report.json").is_file()


def test_tool_mlgate_table_is_found(project):
    project.makepyprojecttoml(
        """
        [tool.mlgate]
        model = "model.joblib"
        data = {eval = "eval.csv"}
        target = "y"

        [tool.mlgate.checks.performance]
        roc_auc = {min = 0.9}
        """
    )
    result = project.runpytest("--mlgate", "-q", "--mlgate-no-report")
    result.assert_outcomes(passed=2)
    assert result.outlines[-2] == "mlgate: gate PASSED: 1 passed"
    assert not (project.path / "mlgate-report.json").exists()


def test_report_folder_that_cannot_be_written_is_reported(project):
    gate(project, PASSING)
    (project.path / "taken").write_text("a file, not a folder")
    result = project.runpytest("--mlgate", "-q", "--mlgate-report-dir=taken")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["mlgate: gate PASSED: 2 passed; could not write the reports: *"])


def test_junitxml_properties_carry_value_and_threshold(project, model_files):
    gate(project, FAILING)
    result = project.runpytest("--mlgate", "-q", "--junitxml=junit.xml")
    result.assert_outcomes(passed=2, failed=1)
    cases = {
        case.get("name"): case for case in ET.parse(project.path / "junit.xml").iter("testcase")
    }
    accuracy = cases["accuracy_score"]
    properties = {p.get("name"): p.get("value") for p in accuracy.iter("property")}
    assert properties == {
        "mlgate_check": "performance.accuracy_score",
        "status": "failed",
        "value": repr(model_files["accuracy"]),
        "threshold": '{"min": 0.99}',
    }
    assert accuracy.find("failure").get("message").startswith("accuracy_score = ")
    assert accuracy.get("classname") == "mlgate.yaml.performance"
    assert {p.get("name") for p in cases["roc_auc"].iter("property")} >= {"value", "threshold"}


def test_help_markers_and_plugin_switch(project):
    result = project.runpytest("--help")
    lines = result.stdout.lines
    start = lines.index("model validation gate (mlgate):")
    group = lines[start + 1 : lines.index("", start)]
    options = [line.split()[0] for line in group if line.startswith("  -")]
    assert options == ["--mlgate=[PATH]", "--mlgate-report-dir=DIR", "--mlgate-no-report"]
    result.stdout.fnmatch_lines(["*mlgate_gate (string):*", "*mlgate_report_dir (string):*"])
    result = project.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mlgate: the test needs the model gate*"])
    result = project.runpytest("-p", "no:mlgate", "--mlgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --mlgate*"])


def test_xdist_evaluates_at_most_once_per_worker_and_writes_once(project):
    pytest.importorskip("xdist")
    gate(project, FAILING + '    "recall_score[0]": {min: 0.5}\n')
    project.makepyfile(test_more="\n".join(f"def test_{i}():\n    pass\n" for i in range(6)))
    single = project.runpytest_subprocess("--mlgate", "-q", "-p", "no:randomly")
    single.assert_outcomes(passed=9, failed=1)
    alone = json.loads((project.path / "mlgate-report.json").read_text())
    for log in ("evaluations.log", "writes.log"):
        (project.path / log).unlink()

    result = project.runpytest_subprocess("--mlgate", "-q", "-n", "2", "-p", "no:randomly")
    result.assert_outcomes(passed=9, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    evaluations = log_lines(project, "evaluations.log")
    workers = [line.split()[1] for line in evaluations]
    assert 1 <= len(evaluations) <= 2 and len(set(workers)) == len(workers)
    assert set(workers) <= {"gw0", "gw1"}
    assert [line.split()[1] for line in log_lines(project, "writes.log")] == ["main"]
    assert result.outlines[-2] == single.outlines[-2]
    distributed = json.loads((project.path / "mlgate-report.json").read_text())
    for document in (alone, distributed):
        for key in ("started_at", "duration_s"):
            document.pop(key)
        document["model"].pop("predict_seconds")
    assert distributed == alone

    gate(project, FAILING.replace("target: y", "target: label"))
    broken = project.runpytest_subprocess("--mlgate", "-q", "-n", "2", "-p", "no:randomly")
    broken.assert_outcomes(passed=7, errors=2)
    assert broken.ret == pytest.ExitCode.USAGE_ERROR
    assert broken.outlines[-2].startswith("mlgate: target: column 'label' is not in ")


IMPORT_PROBE = """
import json, sys
import pytest
import mlgate.pytest_plugin
code = pytest.main(["--co", "-q", "-p", "no:cacheprovider", sys.argv[1]])
loaded = "mlgate.pytest_plugin" in sys.modules and pytest.ExitCode(code) == pytest.ExitCode.OK
print(json.dumps({{"plugin_loaded": loaded, "heavy": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def import_probe(folder: Path) -> dict:
    """Import the plugin and run ``pytest --co -q`` in a fresh interpreter; what got loaded."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE.format(heavy=HEAVY), str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_plugin_import_and_plain_collection_import_nothing_heavy(pytester):
    """A user's project with a gate file, collected without --mlgate."""
    gate(pytester, PASSING)
    pytester.makepyfile(test_plain=PLAIN_TEST)
    assert import_probe(pytester.path) == {"plugin_loaded": True, "heavy": []}


def test_import_probe_can_see_heavy_modules(pytester):
    """The probe above would notice: collecting a test module that imports numpy shows it."""
    pytester.makepyfile(test_numpy="import numpy\n")
    assert import_probe(pytester.path)["heavy"] == ["numpy"]


def test_gate_factory_fixture(mlgate_gate, binary_frame, binary_model):
    """``mlgate_gate`` is offered to every test (the plugin is installed with mlgate)."""
    checks = {"performance": {"roc_auc": {"min": 0.9}, "accuracy_score": {"min": 0.999}}}
    result = mlgate_gate(
        {"target": "label", "checks": checks}, data=binary_frame, model=binary_model
    )
    assert result.check("performance.roc_auc").status == "passed"
    assert result.check("performance.accuracy_score").status == "failed"
    assert result.data["eval"]["rows"] == len(binary_frame)


def test_gate_factory_turns_bad_input_into_a_clean_failure(mlgate_gate, binary_frame, binary_model):
    with pytest.raises(pytest.fail.Exception) as failed:
        mlgate_gate({"target": "nope"}, data=binary_frame, model=binary_model)
    assert str(failed.value).startswith("mlgate: target: column 'nope' is not in")
    assert not failed.value.pytrace


MODEL_CHECKS = (
    GATE_HEAD.replace("target: y\n", "baseline: model.joblib\ntarget: y\n")
    + """\
checks:
  latency:
    comparison: {single_row_p95_ms: {max_relative_delta: 1000}}
    budget_seconds: 1
    warmup_calls: 1
  contract:
    determinism: true
    column_order: false
    probe_rows: 5
"""
)


def test_family_options_are_not_items_and_a_group_of_limits_is_one_item(project):
    gate(project, MODEL_CHECKS)

    collected = project.runpytest("--mlgate", "--co", "-q")
    result = project.runpytest("--mlgate", "-q")

    lines = [line for line in collected.outlines if line.startswith("mlgate.yaml::")]
    assert lines == ["mlgate.yaml::latency::comparison", "mlgate.yaml::contract::determinism"]
    result.assert_outcomes(passed=3)
