"""The pytest plugin: ``pytest --mlgate`` runs each check of the gate as a test item.

Installing mlgate registers this package (``pytest11`` entry point ``mlgate``), so every pytest
run in a project that has mlgate installed imports it, whether or not the run uses the gate. This
module therefore imports pytest and the standard library only; the gate machinery in its private
modules (``_gate``: evaluating once per session; ``_items``: check items; ``_session``: xdist
controller/worker hand-off) is imported when ``--mlgate`` is given or an mlgate fixture is first
used. Nothing happens unless asked, and
``pytest -p no:mlgate`` turns the plugin off entirely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from mlgate.context import EvaluationContext
    from mlgate.result import GateResult

MARKER_NAME = "mlgate"
MARKER_HELP = (
    "mlgate: the test needs the model gate (mlgate_result, mlgate_context...); it runs with "
    "--mlgate and is skipped otherwise, so plain test runs stay fast. The gate's check items "
    "carry this marker too: -m mlgate selects them and the tests marked so."
)
MSG_SKIPPED = "needs the model gate: run pytest with --mlgate"
GATE_SUFFIXES = (".yaml", ".yml", ".toml")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``mlgate`` option group and ini keys (declaring them imports nothing)."""
    group = parser.getgroup("mlgate", "model validation gate (mlgate)")
    group.addoption(
        "--mlgate",
        nargs="?",
        const="",
        default=None,
        metavar="PATH",
        dest="mlgate",
        help="Run the checks of the gate as test items. PATH is the gate file (--mlgate PATH "
        "for a .yaml/.yml/.toml file, else write --mlgate=PATH) or its folder; default: the "
        "mlgate_gate ini key, else mlgate.yaml or [tool.mlgate] in pyproject.toml in the "
        "current folder or rootdir.",
    )
    group.addoption(
        "--mlgate-report-dir",
        metavar="DIR",
        default=None,
        dest="mlgate_report_dir",
        help="Folder for the gate's reports (default: the mlgate_report_dir ini key, else "
        "report.dir of the gate file, else the gate file's folder).",
    )
    group.addoption(
        "--mlgate-no-report",
        action="store_true",
        default=False,
        dest="mlgate_no_report",
        help="Evaluate the gate but write no report files.",
    )
    parser.addini(
        "mlgate_gate",
        default="",
        help="Gate file (or its folder) for --mlgate and the mlgate fixtures, relative to the "
        "ini file",
    )
    parser.addini(
        "mlgate_report_dir",
        default="",
        help="Folder for the reports written under --mlgate, relative to the ini file",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(args: list[str]) -> None:
    """Let a bare ``--mlgate`` take the next argument only when it names a gate file.

    ``--mlgate`` has an optional value, and argparse would otherwise swallow the test path in
    ``pytest --mlgate tests/`` as the gate file. Rewriting ``args`` here is how pytest's docs
    show a plugin adjusting the command line.
    """
    for index, arg in enumerate(args):
        following = args[index + 1] if index + 1 < len(args) else ""
        if arg == "--mlgate" and not following.endswith(GATE_SUFFIXES):
            args[index] = "--mlgate="


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker; with ``--mlgate``, load the gate file now and join the session."""
    config.addinivalue_line("markers", MARKER_HELP)
    if config.getoption("mlgate") is not None:
        from mlgate.pytest_plugin._session import activate

        activate(config)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip tests marked ``mlgate`` before their fixtures evaluate the model, unless asked."""
    if item.config.getoption("mlgate") is None and item.get_closest_marker(MARKER_NAME):
        pytest.skip(MSG_SKIPPED)


@pytest.fixture(scope="session")
def mlgate_result(pytestconfig: pytest.Config) -> GateResult:
    """The :class:`~mlgate.result.GateResult` of the configured gate, evaluated once per session.

    The gate is the one ``--mlgate`` runs (``--mlgate=PATH``, the ``mlgate_gate`` ini key, or the
    gate file found in the current folder or rootdir). Its check items and this fixture share one
    evaluation.
    """
    from mlgate.pytest_plugin._gate import gate_session

    return gate_session(pytestconfig).evaluate()[1]


@pytest.fixture(scope="session")
def mlgate_context(pytestconfig: pytest.Config) -> EvaluationContext:
    """The :class:`~mlgate.context.EvaluationContext` of the configured gate, built once.

    It holds what the checks read, so custom tests need not call the model again: ``data``
    (``data.frame``), ``X``, ``y_true``, ``model`` and ``baseline`` (each with the estimator as
    ``.model.predictor``, ``y_pred`` and ``y_proba``), ``task``, ``labels`` and ``metrics_of``.
    """
    from mlgate.pytest_plugin._gate import gate_session

    return gate_session(pytestconfig).evaluate()[0]


@pytest.fixture
def mlgate_gate() -> Callable[..., GateResult]:
    """A factory that evaluates a gate built from Python objects inside a test.

    Call it as ``mlgate_gate(gate, *, data, model=None, baseline=None, reference=None,
    predictions=None)`` where ``gate`` is a dict with the gate file's keys (or a path), ``data``
    a DataFrame and ``model`` a fitted estimator. It returns the GateResult and writes no report;
    an invalid gate or input fails the test with mlgate's one-line message.
    """
    from mlgate.pytest_plugin._gate import evaluate_python_gate

    return evaluate_python_gate
