"""The session side of ``pytest --mlgate``: collection, reports, exit code and the summary line.

Registered by the plugin only under ``--mlgate``. Who writes the reports:

- without xdist, the one pytest process, at session end, if the gate was evaluated;
- with pytest-xdist, the controller and only the controller. Workers evaluate the gate lazily
  (at most once each, only if they run a check item or an mlgate fixture) and send their result
  to the controller as the JSON report text in ``workeroutput``; workers write nothing. The
  controller never evaluates: it rebuilds the result from the first worker (by id) that sent one
  and writes the reports once. Evaluation is deterministic, so every worker computes the same
  result and each item's outcome agrees with the report.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mlgate.errors import MlgateError
from mlgate.pytest_plugin._gate import (
    MSG_ERROR,
    GateSession,
    decode_wire,
    gate_session,
    ini_folder,
)
from mlgate.pytest_plugin._items import CheckItem, GateFile

if TYPE_CHECKING:
    from mlgate.result import GateResult

PLUGIN_NAME = "mlgate-session"
WORKER_OUTPUT_KEY = "mlgate"
MSG_SUMMARY = "mlgate: {line}"
MSG_SELECTED = (
    "mlgate: selected checks {decision}: {counts} ({selected} of {total} checks selected; the "
    "whole gate {status}, not run here: {left_out})"
)
SELECTED_KEY = "mlgate-selected"
SHOWN_LEFT_OUT = 5
MSG_NOT_EVALUATED = "mlgate: gate not evaluated (no gate check or mlgate fixture ran)"
MSG_WRITE_FAILED = "could not write the reports: {error}"
# A gate error replaces these outcomes only: an interrupted or crashed run keeps its own code.
REPLACEABLE = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)


def activate(config: pytest.Config) -> None:
    """Load the gate file now, so a missing or invalid one is a usage error (exit 4)."""
    gate = gate_session(config)
    try:
        gate.spec()
    except MlgateError as error:
        raise pytest.UsageError(MSG_ERROR.format(message=" ".join(str(error).split()))) from None
    config.pluginmanager.register(GateSessionPlugin(gate), PLUGIN_NAME)


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


class GateSessionPlugin:
    """Hooks active under ``--mlgate``."""

    def __init__(self, gate: GateSession) -> None:
        self.gate = gate
        self.gate_path = Path(gate.spec().source)
        self.from_workers: dict[str, dict[str, Any]] = {}
        self.summary: str | None = None
        # Check ids of the items this run kept (after -k, -m and node ids); None: not known.
        self.selected: set[str] | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Remember which checks the run selected, so the summary speaks for those."""
        self.selected = {i.check_id for i in session.items if isinstance(i, CheckItem)}

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> GateFile | None:
        """The gate file, when pytest walks its folder (``pytest --mlgate .``)."""
        if file_path.name == self.gate_path.name and file_path.resolve() == self.gate_path:
            return GateFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        """Add the gate's items unless the collected paths already gave some of them.

        ``pytest --mlgate tests/`` still runs every check; ``pytest --mlgate
        mlgate.yaml::performance`` runs only those asked for. ``tryfirst`` so that ``-k`` and
        ``-m``, which pytest applies in this same hook, see the added items.
        """
        if not any(isinstance(item, CheckItem) for item in items):
            items.extend(session.genitems(GateFile.from_parent(session, path=self.gate_path)))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: keep what a worker sent about the gate."""
        output = getattr(node, "workeroutput", {})
        wire = output.get(WORKER_OUTPUT_KEY)
        if wire is not None:
            self.from_workers[node.gateway.id] = wire
        if output.get(SELECTED_KEY) is not None:
            self.selected = (self.selected or set()) | set(output[SELECTED_KEY])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Workers hand their result over; the main process writes reports and sets the code."""
        config = session.config
        if config.option.collectonly:
            return
        if is_xdist_worker(config):
            wire = self.gate.to_wire()
            if wire is not None:
                config.workeroutput[WORKER_OUTPUT_KEY] = wire  # type: ignore[attr-defined]
            if self.selected is not None:
                config.workeroutput[SELECTED_KEY] = sorted(self.selected)  # type: ignore[attr-defined]
            return
        result, error, exit_code = self._outcome()
        if error is not None:
            self.summary = MSG_ERROR.format(message=error)
        elif result is None:
            self.summary = MSG_NOT_EVALUATED
        else:
            from mlgate.reporting.console import decision_line

            problem = ""
            try:
                self._write_reports(config, result)
            except OSError as error:
                problem = "; " + MSG_WRITE_FAILED.format(error=error)
                exit_code = pytest.ExitCode.INTERNAL_ERROR
            self.summary = self._selected_line(result) or MSG_SUMMARY.format(
                line=decision_line(result)
            )
            self.summary += problem
        if exit_code != pytest.ExitCode.OK and session.exitstatus in REPLACEABLE:
            session.exitstatus = exit_code

    def _selected_line(self, result: GateResult) -> str | None:
        """What the selected checks decided, when ``-k``/``-m``/node ids left some out.

        pytest's exit code follows the selected items only; a summary naming the whole gate's
        decision beside it would contradict it. The whole decision is still said, and the checks
        not run here are named.
        """
        if self.selected is None:
            return None
        left_out = [c.id for c in result.checks if c.id not in self.selected]
        if not left_out:
            return None
        chosen = [c for c in result.checks if c.id in self.selected]
        counts = {s: sum(c.status == s for c in chosen) for s in result.counts()}
        shown = ", ".join(left_out[:SHOWN_LEFT_OUT])
        if len(left_out) > SHOWN_LEFT_OUT:
            shown += f" and {len(left_out) - SHOWN_LEFT_OUT} more"
        line = MSG_SELECTED.format(
            decision="FAILED" if any(c.blocks_gate for c in chosen) else "PASSED",
            counts=", ".join(f"{n} {status}" for status, n in counts.items() if n) or "none ran",
            selected=len(chosen),
            total=len(result.checks),
            status=result.status.upper(),
            left_out=shown,
        )
        if result.reports:
            line += "; reports: " + ", ".join(result.reports.values())
        return line

    def _outcome(self) -> tuple[GateResult | None, str | None, pytest.ExitCode]:
        if self.gate.evaluated:
            return self.gate.result, self.gate.error, self.gate.exit_code
        for worker in sorted(self.from_workers):
            return decode_wire(self.from_workers[worker])
        return None, None, pytest.ExitCode.OK

    def _write_reports(self, config: pytest.Config, result: GateResult) -> None:
        """Write the reports as ``mlgate run`` does, unless ``--mlgate-no-report``."""
        if config.getoption("mlgate_no_report"):
            return
        from mlgate.reporting import write_reports

        spec = self.gate.spec()
        folder = report_folder(config, spec.resolve_path(spec.report_dir))
        write_reports(result, folder, spec.report_json, spec.report_formats)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None]:
        """One line after pytest's own summary sections: decision, counts, report paths."""
        try:
            return (yield)
        finally:
            if self.summary is not None:
                terminalreporter.write_line(self.summary)


def report_folder(config: pytest.Config, default: Path) -> Path:
    """``--mlgate-report-dir``, else the ``mlgate_report_dir`` ini key, else the gate's own."""
    option = config.getoption("mlgate_report_dir")
    if option:
        return (config.invocation_params.dir / option).resolve()
    ini_value = config.getini("mlgate_report_dir")
    if ini_value:
        return (ini_folder(config) / ini_value).resolve()
    return default
