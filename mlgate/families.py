"""The check-family registry: built-in families and users' own, each registered once.

A family owns its whole slice of the gate file (``checks.<name>``). It registers its ``run``
function with :func:`check_family` and may add:

- ``parse(document, source)`` turns the family's section into a typed config (a dataclass) when
  the gate file is read, before any data is loaded; it raises ``GateFileError`` (exit 2) naming the
  key at fault. The family reads it back with ``GateSpec.config(name, ConfigClass)``.
- ``validate(context)`` checks the config against the loaded inputs (columns exist, metric fits the
  task) before any check runs; it raises ``InputError``/``GateFileError`` (exit 2).
- ``names(config)`` lists the check names ``run`` will report, from the parsed config alone, for a
  family whose gate-file keys are not one check each. The pytest plugin collects one item per name;
  without it, one per key.
- ``spark_rows``: what the family reads under ``engine: spark``. ``"all"``: only what the Spark
  engine computes over every row (the context's metrics); ``"sample"``: rows of the data, so it runs
  on the engine's seeded sample (the report says so); ``None`` (the default): it is not available
  with ``engine: spark``, and a gate that configures it is refused before any data is read.
- ``schema``: the JSON Schema of the family's section. The built-in families' pieces are in the
  shipped ``schemas/gate.schema.json`` (editors read that file); a family from another package
  brings its own, merged under ``checks`` so a typo is still rejected with the closest name.

Users' own families come from the entry-point group ``mlgate.families``: the entry point's name is
the family's gate-file key, and loading it (a module, or an object in one) registers the family
with :func:`check_family`. This module imports the family modules only when asked for them, so
``spec`` reads family configs without importing ``mlgate.checks`` itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from mlgate.errors import EXIT_INFRASTRUCTURE, MlgateError

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult

FamilyFunction = Callable[["EvaluationContext"], list["CheckResult"]]
ConfigParser = Callable[[Mapping[str, Any], str], Any]
ContextValidator = Callable[["EvaluationContext"], None]
NameLister = Callable[[Any], list[str]]
SparkRows = Literal["all", "sample"] | None

ENTRY_POINT_GROUP = "mlgate.families"
BUILTIN_FAMILIES = (  # in report order
    "performance",
    "comparison",
    "slices",
    "fairness",
    "explainability",
    "data",
    "drift",
    "latency",
    "resources",
    "contract",
    "documentation",
)
MSG_TWICE = "check family {name!r} is registered twice"
MSG_PLUGIN_BROKEN = (
    "the check family '{name}' (entry point {value} in group " + ENTRY_POINT_GROUP + ") could not "
    "be loaded: {error}; reinstall or uninstall the package that provides it"
)
MSG_PLUGIN_UNREGISTERED = (
    "the entry point '{name}' = {value} (group " + ENTRY_POINT_GROUP + ") registered no check "
    "family named '{name}'; its module must call mlgate.families.check_family('{name}', ...)"
)
MSG_PLUGIN_NO_SCHEMA = (
    "the check family '{name}' (entry point {value}) gives no 'schema' for its section of the "
    "gate file; pass schema={{...}} to check_family"
)


class FamilyPluginError(MlgateError):
    """An installed check-family plugin is broken (exit 3: the installation, not the gate)."""

    exit_code = EXIT_INFRASTRUCTURE


@dataclass(frozen=True)
class CheckFamily:
    """A family of checks (performance, comparison...) and how to read, validate and run it."""

    name: str
    description: str
    run: FamilyFunction
    parse: ConfigParser | None = None
    validate: ContextValidator | None = None
    names: NameLister | None = None
    schema: Mapping[str, Any] | None = None
    spark_rows: SparkRows = None


FAMILIES: dict[str, CheckFamily] = {}


def check_family(
    name: str,
    description: str,
    *,
    parse: ConfigParser | None = None,
    validate: ContextValidator | None = None,
    names: NameLister | None = None,
    schema: Mapping[str, Any] | None = None,
    spark_rows: SparkRows = None,
) -> Callable[[FamilyFunction], FamilyFunction]:
    """Register ``run`` as the check family ``name`` (with its optional hooks)."""

    def register(run: FamilyFunction) -> FamilyFunction:
        # The same module imported again (pytester drops modules between in-process runs)
        # replaces its family; another module taking the name is a bug.
        if name in FAMILIES and FAMILIES[name].run.__module__ != run.__module__:
            raise ValueError(MSG_TWICE.format(name=name))
        FAMILIES[name] = CheckFamily(
            name=name,
            description=description,
            run=run,
            parse=parse,
            validate=validate,
            names=names,
            schema=schema,
            spark_rows=spark_rows,
        )
        return run

    return register


def families() -> dict[str, CheckFamily]:
    """Every family: the built-in ones in report order, then those of installed packages.

    In that order whatever imported a family module first (registration order is import order),
    so checks run and are reported in the same order in every process.
    """
    for name in BUILTIN_FAMILIES:
        importlib.import_module(f"mlgate.checks.{name}")
    _load_plugins()
    ordered = {name: FAMILIES[name] for name in BUILTIN_FAMILIES}
    ordered.update((name, family) for name, family in FAMILIES.items() if name not in ordered)
    return ordered


def plugin_schemas() -> dict[str, Mapping[str, Any]]:
    """The schema piece of each family from another package, by gate-file key."""
    return {
        name: family.schema
        for name, family in families().items()
        if name not in BUILTIN_FAMILIES and family.schema is not None
    }


def parse_family_configs(document: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Typed configs of the families the gate file configures (bad keys raise GateFileError)."""
    configured = document.get("checks", {})
    return {
        name: family.parse(document, source)
        for name, family in families().items()
        if name in configured and family.parse is not None
    }


@cache
def _load_plugins() -> None:
    """Import every ``mlgate.families`` entry point once; a broken one fails closed (exit 3)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception as error:  # any failure of a third-party import: name it, stop
            message = " ".join(str(error).split()) or type(error).__name__
            raise FamilyPluginError(
                MSG_PLUGIN_BROKEN.format(name=entry.name, value=entry.value, error=message)
            ) from error
        family = FAMILIES.get(entry.name)
        if family is None:
            raise FamilyPluginError(
                MSG_PLUGIN_UNREGISTERED.format(name=entry.name, value=entry.value)
            )
        if family.schema is None:
            raise FamilyPluginError(MSG_PLUGIN_NO_SCHEMA.format(name=entry.name, value=entry.value))
