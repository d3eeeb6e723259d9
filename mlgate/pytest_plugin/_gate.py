"""The gate of one pytest process: where its file is, and its result, evaluated at most once.

Imported by the pytest plugin only when ``--mlgate`` is given or an mlgate fixture is used. The
model is evaluated lazily, on the first check item or fixture that needs it, so ``pytest --co``
and runs that deselect every check never pay for it; under pytest-xdist each worker evaluates at
most once and the controller evaluates never (see :mod:`mlgate.pytest_plugin._session`).
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mlgate.errors import EXIT_USAGE, GateFileError, MlgateError

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult, GateResult
    from mlgate.spec import GateSpec

MSG_ERROR = "mlgate: {message}"
MSG_NOT_FOUND = (
    "no gate file in {folders}: create mlgate.yaml (or [tool.mlgate] in pyproject.toml), pass "
    "--mlgate=PATH, or set mlgate_gate in the pytest configuration"
)
MSG_MISSING = "gate file {path} (from {origin}) does not exist"
MSG_INTERNAL = "internal error: {error}; the traceback is in the errors above, please report it"
MSG_NO_RESULT = "the gate produced no result for {check_id}; the check cannot pass"
ORIGIN_OPTION = "--mlgate"
ORIGIN_INI = "mlgate_gate in {ini}"
INTERNAL = pytest.ExitCode.INTERNAL_ERROR


class GateSession:
    """The configured gate of one pytest process and, once evaluated, its context and result.

    An evaluation that fails is not retried: its error is raised again to every later caller, so
    a broken gate costs one evaluation, not one per item.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._spec: GateSpec | None = None
        self._outcome: tuple[EvaluationContext, GateResult] | None = None
        self._checks: dict[str, CheckResult] = {}
        self.error: str | None = None
        self.exit_code = pytest.ExitCode.OK

    @property
    def evaluated(self) -> bool:
        """Whether this process evaluated the gate (successfully or not)."""
        return self._outcome is not None or self.error is not None

    @property
    def result(self) -> GateResult | None:
        return None if self._outcome is None else self._outcome[1]

    def spec(self) -> GateSpec:
        """The validated gate file; raises GateFileError naming the option or ini key at fault."""
        if self._spec is None:
            from mlgate.spec import load_spec

            self._spec = load_spec(locate_gate_file(self.config))
        return self._spec

    def evaluate(self) -> tuple[EvaluationContext, GateResult]:
        """The context and result, computed on the first call; fails the caller on bad input.

        An invalid gate or input fails the caller with mlgate's one-line message and no
        traceback. An unexpected exception (an mlgate bug) propagates to the first caller, with
        its traceback; later callers fail with a one-line pointer to it.
        """
        if not self.evaluated:
            from mlgate import engine

            try:
                self._outcome = engine.evaluate(self.spec())
            except MlgateError as error:
                usage = error.exit_code == EXIT_USAGE
                self._record(str(error), pytest.ExitCode.USAGE_ERROR if usage else INTERNAL)
            except Exception as error:  # an mlgate bug: its first caller shows the traceback
                text = f"{type(error).__name__}: {error}"
                self._record(MSG_INTERNAL.format(error=text), INTERNAL)
                raise
        if self._outcome is None:
            pytest.fail(MSG_ERROR.format(message=self.error), pytrace=False)
        return self._outcome

    def _record(self, message: str, exit_code: pytest.ExitCode) -> None:
        self.error = " ".join(message.split())
        self.exit_code = exit_code

    def check(self, check_id: str) -> CheckResult:
        """The result of one check; a family that crashed answers for each of its checks."""
        result = self.evaluate()[1]
        if not self._checks:
            self._checks = {check.id: check for check in result.checks}
        family, _, name = check_id.partition(".")
        found = self._checks.get(check_id) or _group(result.checks, check_id)
        found = found or self._checks.get(family)
        if found is not None:
            return found
        from mlgate.result import ERRORED, CheckResult

        message = MSG_NO_RESULT.format(check_id=check_id)
        return CheckResult(id=check_id, family=family, name=name, status=ERRORED, message=message)

    def to_wire(self) -> dict[str, Any] | None:
        """What an xdist worker sends its controller: the JSON report, or the error."""
        if self.error is not None:
            return {"error": self.error, "exit_code": int(self.exit_code)}
        if self._outcome is None:
            return None
        from mlgate.reporting.json_report import to_json

        return {"report": to_json(self._outcome[1])}


GATE_KEY = pytest.StashKey[GateSession]()


def gate_session(config: pytest.Config) -> GateSession:
    """The process's GateSession, created on first use."""
    if GATE_KEY not in config.stash:
        config.stash[GATE_KEY] = GateSession(config)
    return config.stash[GATE_KEY]


def ini_folder(config: pytest.Config) -> Path:
    """The folder ini values are relative to: the ini file's, else the rootdir."""
    return config.inipath.parent if config.inipath is not None else config.rootpath


def locate_gate_file(config: pytest.Config) -> Path:
    """``--mlgate=PATH``, else the ``mlgate_gate`` ini key, else the gate file found in the
    invocation folder or the rootdir. A folder stands for the gate file inside it."""
    given = config.getoption("mlgate")
    ini_value = config.getini("mlgate_gate")
    if given:
        path, origin = config.invocation_params.dir / given, ORIGIN_OPTION
    elif ini_value:
        path, origin = ini_folder(config) / ini_value, ORIGIN_INI.format(ini=config.inipath)
    else:
        folders = list(dict.fromkeys([config.invocation_params.dir, config.rootpath]))
        return _find(folders)
    if path.is_dir():
        return _find([path])
    if not path.is_file():
        raise GateFileError(MSG_MISSING.format(path=path, origin=origin))
    return path.resolve()


def _find(folders: list[Path]) -> Path:
    from mlgate.spec import find_gate_file

    for folder in folders:
        try:
            return find_gate_file(folder).resolve()
        except GateFileError:
            continue
    raise GateFileError(MSG_NOT_FOUND.format(folders=" or ".join(str(f) for f in folders)))


def result_from_report(report: dict[str, Any]) -> GateResult:
    """Rebuild a GateResult from its JSON report (what xdist workers send the controller)."""
    from mlgate.result import CheckResult, GateResult

    known = {f.name for f in fields(GateResult)} - {"checks", "reports"}
    values = {key: value for key, value in report.items() if key in known}
    return GateResult(checks=[CheckResult(**check) for check in report["checks"]], **values)


def decode_wire(wire: dict[str, Any]) -> tuple[GateResult | None, str | None, pytest.ExitCode]:
    """The result, or the error and the exit code it calls for, that a worker sent."""
    if "report" in wire:
        return result_from_report(json.loads(wire["report"])), None, pytest.ExitCode.OK
    return None, wire["error"], pytest.ExitCode(wire["exit_code"])


def evaluate_python_gate(
    gate: Any,
    *,
    data: Any,
    model: Any = None,
    baseline: Any = None,
    reference: Any = None,
    predictions: Any = None,
) -> GateResult:
    """Evaluate a gate given as a dict (or path) on Python objects; the ``mlgate_gate`` factory."""
    __tracebackhide__ = True
    from mlgate.engine import run_gate

    try:
        return run_gate(
            gate,
            data=data,
            model=model,
            baseline=baseline,
            reference=reference,
            predictions=predictions,
        )
    except MlgateError as error:
        pytest.fail(MSG_ERROR.format(message=" ".join(str(error).split())), pytrace=False)


def _group(checks: list[CheckResult], key: str) -> CheckResult | None:
    """One result for a gate-file key holding several checks (``latency.comparison``): the
    worst status, with the messages of the checks that have it."""
    from mlgate.result import ERRORED, FAILED, PASSED, SKIPPED, WARNED, CheckResult

    members = [c for c in checks if c.id.startswith(key + ".")]
    if not members:
        return None
    worst = next(
        s for s in (ERRORED, FAILED, WARNED, SKIPPED, PASSED) if any(c.status == s for c in members)
    )
    chosen = [c for c in members if c.status == worst]
    family, _, name = key.partition(".")
    return CheckResult(
        id=key,
        family=family,
        name=name,
        status=worst,
        message="; ".join(f"{c.name}: {c.message}" for c in chosen),
        details={"checks": [c.id for c in members]},
        severity=chosen[0].severity,
    )
