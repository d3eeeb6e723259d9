"""mlgate: stop bad machine-learning models before they reach production.

Public API: :func:`run_gate`, :func:`load_spec`, :func:`write_reports`, the result types
:class:`GateResult` and :class:`CheckResult`, and :class:`MlgateError`. Importing this package is
cheap: nothing heavy (numpy, pandas, scikit-learn, mlflow...) loads until a gate runs.
"""

from __future__ import annotations

from typing import Any

from mlgate._version import __version__
from mlgate.errors import MlgateError

__all__ = [
    "CheckResult",
    "GateResult",
    "MlgateError",
    "__version__",
    "load_spec",
    "run_gate",
    "write_reports",
]

_LAZY = {
    "run_gate": "mlgate.engine",
    "load_spec": "mlgate.spec",
    "write_reports": "mlgate.reporting",
    "GateResult": "mlgate.result",
    "CheckResult": "mlgate.result",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use, so ``import mlgate`` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mlgate' has no attribute {name!r}")
