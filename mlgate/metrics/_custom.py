"""Custom metrics: user functions named ``module:function`` in the gate file."""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlgate.errors import GateFileError

MSG_BAD_REFERENCE = "metrics.{name}.function must look like 'package.module:function', got {ref!r}"
MSG_IMPORT_FAILED = (
    "metrics.{name}.function: cannot import module '{module}' ({error}); make it importable "
    "from {base_dir} or install it"
)
MSG_NO_FUNCTION = "metrics.{name}.function: module '{module}' has no callable '{function}'"


def load_function(name: str, ref: str, base_dir: Path) -> Callable[..., Any]:
    """Import the function behind ``ref``, looking in the gate file's folder first.

    The gate file's folder is put on ``sys.path`` (as pytest does with rootdir) so a
    ``metrics.py`` next to ``mlgate.yaml`` works without packaging it.
    """
    module_name, sep, function_name = ref.partition(":")
    if not sep or not module_name or not function_name:
        raise GateFileError(MSG_BAD_REFERENCE.format(name=name, ref=ref))
    folder = str(base_dir)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import-time failure is the user's module at fault
        raise GateFileError(
            MSG_IMPORT_FAILED.format(name=name, module=module_name, error=error, base_dir=folder)
        ) from error
    target: Any = module
    for part in function_name.split("."):
        target = getattr(target, part, None)
    if not callable(target):
        raise GateFileError(
            MSG_NO_FUNCTION.format(name=name, module=module_name, function=function_name)
        )
    return target


def accepts_keyword(function: Callable[..., Any], keyword: str) -> bool:
    """Whether ``function`` takes ``keyword`` (by name or through ``**kwargs``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == keyword or p.kind is p.VAR_KEYWORD for p in parameters)
