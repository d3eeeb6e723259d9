"""The check-family registry: each family registers one function by decorator.

A family function reads the evaluation context and the gate spec, and returns one
``CheckResult`` per configured check; it never raises for a single bad check, it reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult

FamilyFunction = Callable[["EvaluationContext"], list["CheckResult"]]


@dataclass(frozen=True)
class CheckFamily:
    """A family of checks (performance, comparison...) and how to run it."""

    name: str
    description: str
    run: FamilyFunction


FAMILIES: dict[str, CheckFamily] = {}


def check_family(name: str, description: str) -> Callable[[FamilyFunction], FamilyFunction]:
    """Register ``run`` as the check family ``name``."""

    def register(run: FamilyFunction) -> FamilyFunction:
        if name in FAMILIES:
            raise ValueError(f"check family {name!r} is registered twice")
        FAMILIES[name] = CheckFamily(name=name, description=description, run=run)
        return run

    return register
