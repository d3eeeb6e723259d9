"""Collection: the gate file becomes ``GateFile > family > check`` nodes, one item per check.

Node ids read ``mlgate.yaml::performance::roc_auc``, so ``-k``, ``-m mlgate``, ``--junitxml`` and
explicit node ids work as for any test. Items are built from the gate file alone; the model is
evaluated when the first item runs (in setup), not at collection.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from mlgate.pytest_plugin import MARKER_NAME
from mlgate.pytest_plugin._gate import gate_session

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from mlgate.result import CheckResult


class CheckFailedError(AssertionError):
    """A check's outcome is 'failed'; its message is the whole failure report."""


class GateFile(pytest.File):
    """The gate file (``mlgate.yaml`` or ``pyproject.toml``): one child per check family."""

    def collect(self) -> Iterator[FamilyNode]:
        from mlgate.checks import families

        spec = gate_session(self.config).spec()
        registered = families()
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for family, entries in spec.document.get("checks", {}).items():
            lister = registered[family].names if family in registered else None
            if lister is not None:  # a family whose keys are not one check each
                names = lister(spec.family_configs[family])
            elif isinstance(entries, Mapping):
                names = [n for n, v in entries.items() if _names_checks(v)]
            else:
                continue
            if names:
                found = key_lines(lines, family, names)
                yield FamilyNode.from_parent(self, name=family, checks=found)


def _names_checks(value: Any) -> bool:
    """Whether a family's key holds checks: a threshold, a group of limits, a list or ``true``.

    Options (``budget_seconds: 2``, ``severity: warn``) and checks switched off (``false``) are
    not test items.
    """
    return value is True or isinstance(value, Mapping | list)


class FamilyNode(pytest.Collector):
    """One check family (``performance``, ``comparison``...) of the gate file."""

    def __init__(self, *, checks: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checks = checks

    def collect(self) -> Iterator[CheckItem]:
        for name, line in self.checks.items():
            yield CheckItem.from_parent(self, name=name, check_id=f"{self.name}.{name}", line=line)


class CheckItem(pytest.Item):
    """One check of the gate. Passed, warned (a ``GateCheckWarning``), skipped and failed map to
    pytest's outcomes; an errored check, or a gate that could not be evaluated, is an error."""

    def __init__(self, *, check_id: str, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_id = check_id
        self.line = line
        self.add_marker(MARKER_NAME)
        self.check: CheckResult | None = None

    def setup(self) -> None:
        """Evaluate the gate (once per process) and fetch this check; errors surface here."""
        from mlgate.result import ERRORED

        self.check = gate_session(self.config).check(self.check_id)
        self.user_properties.extend(junit_properties(self.check))
        if self.check.status == ERRORED:
            pytest.fail(self.check.message, pytrace=False)

    def runtest(self) -> None:
        from mlgate.result import FAILED, SKIPPED, WARNED
        from mlgate.testing import GateCheckWarning

        assert self.check is not None
        if self.check.status == FAILED:
            raise CheckFailedError(self.check.message)
        if self.check.status == SKIPPED:
            pytest.skip(self.check.message)
        if self.check.status == WARNED:
            warnings.warn_explicit(
                GateCheckWarning(f"{self.check_id}: {self.check.message}"),
                GateCheckWarning,
                filename=str(self.path),
                lineno=0 if self.line is None else self.line + 1,
            )

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """The check's message alone: mlgate's own frames would only be noise."""
        if isinstance(excinfo.value, CheckFailedError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, self.line, self.check_id


def key_lines(lines: list[str], family: str, names: list[str]) -> dict[str, int | None]:
    """Each check's 0-based line in the gate file (YAML or TOML), for locations and warnings.

    A best-effort text search: the first line after the family's that starts with the check's
    key; None when the layout hides it (flow style, dotted TOML keys).
    """
    header = re.compile(
        rf"^\s*(\[.*\b{re.escape(family)}\]|[\"']?{re.escape(family)}[\"']?\s*[:=])"
    )
    start = next((i for i, text in enumerate(lines) if header.match(text)), 0)
    found: dict[str, int | None] = {}
    for name in names:
        stem = name.split("[")[0].rsplit(".", 1)[-1] if "]" in name else name  # metric[group]
        key = re.compile(rf"^\s*[\"']?{re.escape(stem)}[\"']?\s*[:=]")
        found[name] = next((i for i in range(start, len(lines)) if key.match(lines[i])), None)
    return found


def junit_properties(check: CheckResult) -> list[tuple[str, str]]:
    """``--junitxml`` properties: status, value and threshold (JSON) of the check."""
    properties = [("mlgate_check", check.id), ("status", check.status)]
    if check.value is not None:
        properties.append(("value", _text(check.value)))
    if check.threshold is not None:
        properties.append(("threshold", json.dumps(check.threshold, sort_keys=True, default=str)))
    return properties


def _text(value: Any) -> str:
    """Full precision for numbers (numpy scalars included), ``str`` for anything else."""
    if callable(getattr(value, "item", None)):
        value = value.item()
    return repr(value) if isinstance(value, float) else str(value)
