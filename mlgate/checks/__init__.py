"""Check families. Each module registers one family with :func:`check_family`.

Public API: :func:`run_checks`, :func:`families`, :data:`FAMILIES`.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from mlgate.checks._registry import FAMILIES, CheckFamily, check_family

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult

__all__ = ["FAMILIES", "CheckFamily", "check_family", "families", "run_checks"]

MSG_FAMILY_CRASHED = "the {family} checks could not run: {error}"


def families() -> dict[str, CheckFamily]:
    """Every registered family, importing the built-in family modules first."""
    from mlgate.checks import performance, comparison  # noqa: F401, I001  (registers, in report order)

    return FAMILIES


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
