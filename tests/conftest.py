"""Shared fixtures: small real datasets shipped with scikit-learn, and models fitted on them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Under pytest-xdist (`--dist loadfile --no-loadscope-reorder`, pyproject.toml) each file goes
# whole to one worker, and all of tests/spark goes to one worker too (the scheduler below): one
# Spark session, one JVM with its Python workers warmed up once, for the whole run, not one per
# worker. Work goes to the workers in collection order, two units each to start, so the two files
# that run for minutes whatever else runs (the documentation build, every documented command;
# every benchmark at smoke size) start first, beside each other, and the Spark tests come next
# instead of last, where one worker would run them alone while the other idles. Then files with
# more tests first.
STARTED_FIRST = ("tests/docs/test_site.py", "tests/test_benchmarks_smoke.py")
SPARK = "tests/spark/"


def _unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, or all of tests/spark."""
    path = nodeid.split("::", 1)[0]
    return SPARK if path.startswith(SPARK) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's ``loadfile`` with tests/spark as one unit. (``--dist loadgroup`` cannot say so:
    under pytest 9 the group it appends to a test's id is lost.)"""
    from xdist.scheduler import LoadFileScheduling  # only under xdist

    class FilesAndSpark(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return FilesAndSpark(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the units as described above (a stable sort: the order inside a file is kept)."""
    counts: dict[str, int] = {}
    for item in items:
        counts[_unit(item.nodeid)] = counts.get(_unit(item.nodeid), 0) + 1

    def place(item: pytest.Item) -> tuple[int, int]:
        unit = _unit(item.nodeid)
        rank = 0 if unit in STARTED_FIRST else 1 if unit == SPARK else 2
        return rank, -counts[unit]

    items.sort(key=place)


pytest_plugins = ["pytester"]

# Property tests (tests/properties) run with a fixed budget: the same examples on every run
# (derandomize), no example database written into the checkout, and few enough examples that
# the whole property suite adds well under a minute on 2 cores. HYPOTHESIS_PROFILE=explore
# searches wider and at random when looking for new failures; keep what it finds as ordinary
# regression tests.
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "explore",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_mlflow_default_store(tmp_path_factory):
    """Point MLflow's default store at a temporary folder, so no test writes into the checkout."""
    folder = tmp_path_factory.mktemp("mlflow-default")
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder / 'mlflow.db'}"
    yield
    if previous is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = previous


@pytest.fixture(autouse=True)
def _no_ci_system(monkeypatch):
    """Tests run as outside CI even when the suite itself runs in GitHub Actions or Azure
    Pipelines: ``mlgate run`` would otherwise print logging commands and write to the job's
    own output files. Tests of the CI integrations set these variables themselves."""
    for name in ("GITHUB_ACTIONS", "TF_BUILD", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def binary_frame():
    """Breast-cancer data with a 0/1 target named 'label'."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "label"})
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    return frame


@pytest.fixture(scope="session")
def binary_model(binary_frame):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = binary_frame.drop(columns="label")
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, binary_frame["label"])


@pytest.fixture(scope="session")
def weak_binary_model(binary_frame):
    """A worse champion/challenger: two features only."""
    from sklearn.linear_model import LogisticRegression

    X = binary_frame[["mean_radius", "mean_texture"]]
    return LogisticRegression().fit(X, binary_frame["label"])


@pytest.fixture(scope="session")
def multiclass_frame():
    """Wine data (3 classes) with string class names in 'label'."""
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    names = {0: "barolo", 1: "grignolino", 2: "barbera"}
    frame["label"] = frame.pop("target").map(names).astype(object)
    return frame


@pytest.fixture(scope="session")
def multiclass_model(multiclass_frame):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = multiclass_frame.drop(columns="label")
    # Few iterations on few features: an imperfect model, so metrics are not all 1.0.
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.01)).fit(
        X.iloc[:, :3], multiclass_frame["label"]
    )


@pytest.fixture(scope="session")
def regression_frame():
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame.rename(columns={"target": "y"})


@pytest.fixture(scope="session")
def regression_model(regression_frame):
    from sklearn.linear_model import Ridge

    X = regression_frame.drop(columns="y")
    return Ridge(alpha=1.0).fit(X, regression_frame["y"])


@pytest.fixture
def write_gate(tmp_path: Path) -> Callable[[str], Path]:
    """Write a gate file's text into tmp_path/mlgate.yaml and return its path."""

    def write(text: str, name: str = "mlgate.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def save_model(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Dump a fitted model with joblib into tmp_path."""

    def save(model: Any, name: str = "model.joblib") -> Path:
        import joblib

        path = tmp_path / name
        joblib.dump(model, path)
        return path

    return save


@pytest.fixture
def write_inputs(tmp_path: Path, save_model) -> Callable[[Any, Any], Path]:
    """Write a gate's inputs into tmp_path: the model (model.joblib) and its evaluation data
    (eval.csv), as the gate files of the CLI tests name them; returns tmp_path."""

    def write(model: Any, frame: Any) -> Path:
        save_model(model)
        frame.to_csv(tmp_path / "eval.csv", index=False)
        return tmp_path

    return write


@pytest.fixture
def run_cli(capsys) -> Callable[..., tuple[int, str, str]]:
    """Run the mlgate command in-process; return (exit code, stdout, stderr)."""
    from mlgate.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def cli_error(run_cli) -> Callable[..., tuple[int, str]]:
    """Run the mlgate command where it must refuse: (exit code, its one error message)."""

    from tests._cli import one_error_line

    def run(*args: str) -> tuple[int, str]:
        code, _, err = run_cli(*args)
        return code, one_error_line(err)

    return run
