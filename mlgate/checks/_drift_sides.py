"""What the drift checks read of the reference and eval tables, asked as questions.

The drift family asks for each compared column's profile, sizes, kind and test result instead
of reading two Series, so an engine that keeps no rows answers from aggregations (the Spark
engine's :class:`mlgate.spark._drift.SparkSides`, set as ``context.drift``). The pandas engine's
:class:`FrameSides` answers from the frames it holds. Both answer a whole list of columns at once:
an engine that scans a table does it once for every column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mlgate.checks._drift_stats import (
    NUMERIC,
    Measured,
    categorical_drift,
    column_kind,
    is_number,
    numeric_drift,
)

if TYPE_CHECKING:
    import pandas as pd

PREDICTION_ROLE = "prediction"


@dataclass(frozen=True)
class Compared:
    """A column to compare: its name, its role (feature, prediction, label), and its kind when
    the role fixes it (a classifier's labels are categorical)."""

    name: str
    role: str
    kind: str | None = None


@dataclass(frozen=True)
class Planned:
    """A column with its kind and the test chosen for it."""

    column: Compared
    kind: str
    test: str


@dataclass(frozen=True)
class Sizes:
    """Non-missing and missing rows of a column on each side."""

    n_reference: int
    n_eval: int
    missing_reference: int
    missing_eval: int


@dataclass(frozen=True)
class Profile:
    """What decides whether a column can be compared: its type and emptiness on each side."""

    numeric_reference: bool
    numeric_eval: bool
    dtype_reference: str
    dtype_eval: str
    empty_reference: bool
    empty_eval: bool


class DriftSides(Protocol):
    """The two tables as the drift family asks about them (one implementation per engine)."""

    reference_source: str
    reference_columns: list[str]
    eval_columns: list[str]

    def profiles(self, columns: list[str]) -> dict[str, Profile]: ...

    def kinds(self, columns: list[str], seed: int) -> dict[str, str]: ...

    def sizes(self, columns: list[Compared]) -> dict[str, Sizes]: ...

    def measure(
        self, planned: list[Planned], *, bins: int, max_categories: int
    ) -> dict[str, Measured]: ...


class FrameSides:
    """The pandas engine's answers, from two DataFrames in memory.

    ``prediction`` gives the model's output on (reference, eval) when first asked, so a gate that
    does not compare predictions never scores the reference.
    """

    def __init__(
        self,
        reference: pd.DataFrame,
        evaluation: pd.DataFrame,
        reference_source: str,
        prediction: Callable[[], tuple[pd.Series, pd.Series]] | None = None,
    ) -> None:
        self.reference = reference
        self.evaluation = evaluation
        self.reference_source = reference_source
        self.reference_columns = [str(c) for c in reference.columns]
        self.eval_columns = [str(c) for c in evaluation.columns]
        self._prediction = prediction
        self._predicted: tuple[pd.Series, pd.Series] | None = None

    def profiles(self, columns: list[str]) -> dict[str, Profile]:
        return {
            column: Profile(
                numeric_reference=is_number(self.reference[column]),
                numeric_eval=is_number(self.evaluation[column]),
                dtype_reference=str(self.reference[column].dtype),
                dtype_eval=str(self.evaluation[column].dtype),
                empty_reference=bool(self.reference[column].isna().all()),
                empty_eval=bool(self.evaluation[column].isna().all()),
            )
            for column in columns
        }

    def kinds(self, columns: list[str], seed: int) -> dict[str, str]:
        return {column: column_kind(self.reference[column], seed) for column in columns}

    def sizes(self, columns: list[Compared]) -> dict[str, Sizes]:
        sizes = {}
        for column in columns:
            reference, evaluation = self._pair(column)
            missing_ref, missing_eval = int(reference.isna().sum()), int(evaluation.isna().sum())
            sizes[column.name] = Sizes(
                n_reference=len(reference) - missing_ref,
                n_eval=len(evaluation) - missing_eval,
                missing_reference=missing_ref,
                missing_eval=missing_eval,
            )
        return sizes

    def measure(
        self, planned: list[Planned], *, bins: int, max_categories: int
    ) -> dict[str, Measured]:
        measured = {}
        for plan in planned:
            reference, evaluation = self._pair(plan.column)
            name = plan.column.name
            if plan.kind == NUMERIC:
                measured[name] = numeric_drift(reference, evaluation, plan.test, bins=bins)
            else:
                measured[name] = categorical_drift(
                    reference, evaluation, plan.test, max_categories=max_categories
                )
        return measured

    def _pair(self, column: Compared) -> tuple[Any, Any]:
        if column.role != PREDICTION_ROLE:
            return self.reference[column.name], self.evaluation[column.name]
        if self._predicted is None:
            assert self._prediction is not None, "no prediction to compare"
            self._predicted = self._prediction()
        return self._predicted
