"""Check families. Each module registers one family with :func:`check_family`.

The registry itself is :mod:`mlgate.families` (so the gate-file reader needs nothing from here);
this package runs the families over an evaluation context.

Public API: :func:`run_checks`, :func:`families`, :func:`parse_family_configs`,
:func:`validate_families`, :data:`FAMILIES`, and for families of other packages
:func:`check_family` and :func:`evaluate_threshold` (a measured value, its bounds and severity as
a ``CheckResult``, worded like every built-in threshold check).
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from mlgate.checks.performance import evaluate_threshold
from mlgate.families import (
    FAMILIES,
    CheckFamily,
    check_family,
    families,
    parse_family_configs,
)

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult

__all__ = [
    "FAMILIES",
    "CheckFamily",
    "check_family",
    "evaluate_threshold",
    "families",
    "parse_family_configs",
    "run_checks",
    "validate_families",
]

MSG_FAMILY_CRASHED = "the {family} checks could not run: {error}"


def validate_families(context: EvaluationContext) -> None:
    """Check each configured family against the loaded inputs before any check runs (exit 2)."""
    configured = context.spec.document.get("checks", {})
    for name, family in families().items():
        if name in configured and family.validate is not None:
            family.validate(context)


def run_checks(context: EvaluationContext) -> list[CheckResult]:
    """Run every family the gate configures; a family that crashes yields one errored result."""
    from mlgate.result import ERRORED, CheckResult

    results: list[CheckResult] = []
    configured = context.spec.document.get("checks", {})
    for name, family in families().items():
        if name not in configured:
            continue
        try:
            results.extend(family.run(context))
        except Exception as error:  # fail closed: one broken family must not hide the others
            results.append(
                CheckResult(
                    id=name,
                    family=name,
                    name=name,
                    status=ERRORED,
                    message=MSG_FAMILY_CRASHED.format(family=name, error=error),
                    details={"traceback": traceback.format_exc(limit=5)},
                )
            )
    return results
