"""The check-family registry: each family registers its functions by decorator.

A family owns its whole slice of the gate file. It may register three functions:

- ``run(context)`` returns one ``CheckResult`` per configured check; it never raises for a single
  bad check, it reports it (errored).
- ``parse(document, source)`` turns the family's section of the gate file into a typed config when
  the gate file is read, before any data is loaded; it raises ``GateFileError`` (exit 2) naming the
  key at fault. The result is in ``GateSpec.family_configs[name]``.
- ``validate(context)`` checks the config against the loaded inputs (columns exist, metric fits the
  task) before any check runs; it raises ``InputError``/``GateFileError`` (exit 2).
- ``names(config)`` lists the check names ``run`` will report, from the parsed config alone, for a
  family whose gate-file keys are not one check each (one check per metric and group column, or a
  list of slices). The pytest plugin collects one item per name; without it, one per key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult

FamilyFunction = Callable[["EvaluationContext"], list["CheckResult"]]
ConfigParser = Callable[[Mapping[str, Any], str], Any]
ContextValidator = Callable[["EvaluationContext"], None]
NameLister = Callable[[Any], list[str]]


@dataclass(frozen=True)
class CheckFamily:
    """A family of checks (performance, comparison...) and how to read, validate and run it."""

    name: str
    description: str
    run: FamilyFunction
    parse: ConfigParser | None = None
    validate: ContextValidator | None = None
    names: NameLister | None = None


FAMILIES: dict[str, CheckFamily] = {}


def check_family(
    name: str,
    description: str,
    *,
    parse: ConfigParser | None = None,
    validate: ContextValidator | None = None,
    names: NameLister | None = None,
) -> Callable[[FamilyFunction], FamilyFunction]:
    """Register ``run`` as the check family ``name`` (with its optional hooks)."""

    def register(run: FamilyFunction) -> FamilyFunction:
        # The same module imported again (pytester drops modules between in-process runs)
        # replaces its family; another module taking the name is a bug.
        if name in FAMILIES and FAMILIES[name].run.__module__ != run.__module__:
            raise ValueError(f"check family {name!r} is registered twice")
        FAMILIES[name] = CheckFamily(
            name=name,
            description=description,
            run=run,
            parse=parse,
            validate=validate,
            names=names,
        )
        return run

    return register
