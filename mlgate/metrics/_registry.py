"""The metric registry: every built-in metric, registered by a decorator with its direction.

Importing this module is cheap (no numpy); the registered functions import scikit-learn when
they run. Names and definitions follow ``mlflow.models.evaluate`` so thresholds carry over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

TASKS = ("regression", "binary", "multiclass")
# Short names people type, read as the canonical (mlflow.evaluate) name everywhere a metric is
# named: check ids, the JSON report and pytest items show the canonical name.
METRIC_ALIASES = {
    "rmse": "root_mean_squared_error",
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "r2": "r2_score",
    "auc": "roc_auc",
}
PER_CLASS_METRICS = ("precision_score", "recall_score", "f1_score")


@dataclass(eq=False)
class MetricInput:
    """What a metric function reads: labels, predictions, and probabilities of one model.

    ``y_proba`` columns follow ``labels``; for binary tasks ``pos_label`` is one of ``labels``.
    Derived values (positive-class probabilities, sufficient statistics) are computed once.
    """

    y_true: np.ndarray
    y_pred: np.ndarray
    y_proba: np.ndarray | None = None
    labels: np.ndarray | None = None
    pos_label: Any = None
    sample_weight: np.ndarray | None = None

    @cached_property
    def pos_proba(self) -> np.ndarray:
        """Probability of the positive class (binary tasks)."""
        assert self.y_proba is not None and self.labels is not None
        index = list(self.labels).index(self.pos_label)
        return self.y_proba[:, index]

    @cached_property
    def sufficient(self) -> Any:
        """Classification sufficient statistics, built once and shared by every metric."""
        from mlgate.metrics._sufficient import ClassificationStatistics

        return ClassificationStatistics(self)

    @cached_property
    def point_values(self) -> dict[str, float | str]:
        """Every classification metric's value (or why it is undefined), computed in one pass."""
        return self.sufficient.point()


@dataclass(frozen=True)
class MetricDefinition:
    """One built-in metric for one task."""

    name: str
    task: str
    description: str
    greater_is_better: bool | None
    needs_proba: bool
    compute: Callable[[MetricInput], float]


_REGISTRY: dict[tuple[str, str], MetricDefinition] = {}


def metric(
    name: str,
    tasks: tuple[str, ...],
    *,
    description: str,
    greater_is_better: bool | None,
    needs_proba: bool = False,
) -> Callable[[Callable[[MetricInput], float]], Callable[[MetricInput], float]]:
    """Register ``compute`` as metric ``name`` for each of ``tasks``.

    ``greater_is_better`` is ``None`` for descriptive values (counts) that have no direction.
    """

    def register(compute: Callable[[MetricInput], float]) -> Callable[[MetricInput], float]:
        for task in tasks:
            if (task, name) in _REGISTRY:
                raise ValueError(f"metric {name!r} is registered twice for task {task!r}")
            _REGISTRY[(task, name)] = MetricDefinition(
                name, task, description, greater_is_better, needs_proba, compute
            )
        return compute

    return register


def _load_definitions() -> None:
    from mlgate.metrics import _classification, _regression  # noqa: F401  (registers)


def definitions(task: str) -> dict[str, MetricDefinition]:
    """Built-in metrics of ``task`` by name, in registration order."""
    _load_definitions()
    return {name: d for (t, name), d in _REGISTRY.items() if t == task}


def all_metric_names() -> list[str]:
    """Every built-in metric name across tasks, without duplicates, in registration order."""
    _load_definitions()
    return list(dict.fromkeys(name for _, name in _REGISTRY))


def metric_hint(name: str, known: list[str]) -> str:
    """What to tell a user whose metric ``name`` is not among ``known`` (this task's metrics).

    A metric of another task gets no look-alike suggestion (``recall_score`` on a regressor is
    not a typo of ``r2_score``): the hint says which tasks it belongs to. Anything else is a typo
    and gets the closest known name.
    """
    from mlgate.errors import did_you_mean

    base = split_per_class(name)
    plain = base[0] if base is not None else name
    tasks = [task for task in TASKS if plain in definitions(task)]
    if tasks:
        return f"; it is a {' and '.join(tasks)} metric"
    return did_you_mean(name, known)


def split_per_class(name: str) -> tuple[str, str] | None:
    """Split ``'recall_score[cat]'`` into ``('recall_score', 'cat')``; None for other names."""
    if name.endswith("]") and "[" in name:
        base, _, label = name[:-1].partition("[")
        if base in PER_CLASS_METRICS and label:
            return base, label
    return None
