"""MLflow plumbing flows one way: loading and the integrations use ``mlgate.mlflow_gateway``.

The gateway imports neither of them, and loading imports nothing from the integrations, so the
two cannot grow back into a cycle. Imports are read from the source with :mod:`ast`, including
those inside functions and ``TYPE_CHECKING`` blocks, which an import-time check would miss.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import mlgate

PACKAGE_ROOT = Path(mlgate.__file__).parent
GATEWAY = "mlgate.mlflow_gateway"
LOADING = "mlgate.loading"
INTEGRATIONS = "mlgate.integrations"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(source: str, module: str, is_package: bool) -> Iterator[str]:
    """Every module name ``source`` imports, relative imports resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _imports_of(package: str) -> dict[str, set[str]]:
    """Module name -> the mlgate modules it imports, for ``package`` or every module under it."""
    folder = PACKAGE_ROOT.parent.joinpath(*package.split("."))
    paths = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
    found = {}
    for path in paths:
        module = _module_name(path)
        names = _imported(path.read_text(), module, path.name == "__init__.py")
        found[module] = {name for name in names if name.split(".")[0] == "mlgate"}
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [(GATEWAY, (LOADING, INTEGRATIONS)), (LOADING, (INTEGRATIONS,))],
    ids=["gateway-imports-neither", "loading-imports-no-integration"],
)
def test_mlflow_plumbing_flows_one_way(package, forbidden):
    imports = _imports_of(package)
    assert imports, f"no modules found under {package}"
    wrong = {
        module: sorted(name for name in names if any(_within(name, f) for f in forbidden))
        for module, names in imports.items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


CHECKS = "mlgate.checks"
CLI = "mlgate.cli"
FACES = (CLI, "mlgate.pytest_plugin", "mlgate.reporting", "mlgate.pipeline")


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("mlgate.spec", (CHECKS,)),
        ("mlgate.thresholds", (CHECKS,)),
        ("mlgate.families", (CHECKS,)),
        (CHECKS, (INTEGRATIONS, LOADING, *FACES)),
        ("mlgate.model", (LOADING, CHECKS)),
        (INTEGRATIONS, (CLI,)),
    ],
    ids=[
        "spec-reads-no-family-code",
        "thresholds-import-no-check",
        "the-registry-imports-families-by-name-only",
        "checks-import-no-integration-loader-or-face",
        "a-loaded-model-needs-no-loader",
        "integrations-never-re-enter-the-cli",
    ],
)
def test_the_layers_depend_one_way(package, forbidden):
    """Issue 20's seams: the gate file is read without the checks, the checks run without the
    registry integrations, the loaders or any face (CLI, pytest plugin, reports), and
    ``mlgate serve``'s gate child calls the pipeline, not the command line."""
    imports = _imports_of(package)
    assert imports, f"no modules found under {package}"
    wrong = {
        module: sorted(name for name in names if any(_within(name, f) for f in forbidden))
        for module, names in imports.items()
    }
    assert {module: names for module, names in wrong.items() if names} == {}


def test_loading_and_integrations_reach_mlflow_through_the_gateway():
    """Both sides really use the gateway (a check that holds vacuously would prove nothing)."""
    for package in (LOADING, INTEGRATIONS):
        imported = set().union(*_imports_of(package).values())
        assert any(_within(name, GATEWAY) for name in imported), package


def test_the_scan_sees_every_import_form():
    """Guard against a scan that could never fail: nested, relative and TYPE_CHECKING imports."""
    source = """
from typing import TYPE_CHECKING
from . import _mlflow
from ..integrations import _records
if TYPE_CHECKING:
    from mlgate.integrations.release import Decision
def later():
    import mlgate.integrations.mlflow_registry
"""
    found = set(_imported(source, "mlgate.loading.models", is_package=False))
    assert {
        "mlgate.loading._mlflow",
        "mlgate.integrations._records",
        "mlgate.integrations.release",
        "mlgate.integrations.mlflow_registry",
    } <= found
