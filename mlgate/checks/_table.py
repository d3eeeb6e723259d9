"""What the data checks read of the evaluation table, from the rows the context holds.

The data family asks for facts about the whole table (row count, missing values, repeated rows,
class counts, schema violations, a column's kind) instead of reading a DataFrame, so an engine
that keeps no rows computes the same facts its own way (the Spark engine's
:class:`mlgate.spark._table.SparkTable`, set as ``context.table``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mlgate.checks._data_schema import (
    MAX_EXAMPLES,
    DataSchema,
    kind_matches,
    kind_of,
    validate_frame,
)

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext


class RowTable:
    """The pandas engine's facts: computed on ``context.data.frame`` (every row)."""

    def __init__(self, context: EvaluationContext) -> None:
        self.context = context
        self.frame = context.data.frame

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def schema_violations(self, schema: DataSchema) -> list[dict[str, Any]]:
        return validate_frame(self.frame, schema)

    def missing_counts(self, columns: list[str]) -> dict[str, int]:
        counts = self.frame[columns].isna().sum()
        return {str(c): int(n) for c, n in counts.items()}

    def duplicated_rows(self) -> tuple[int, list[Any]]:
        """Rows that repeat an earlier row, and the labels of the first five."""
        repeated = self.frame.duplicated()
        examples = [
            int(i) if isinstance(i, int) else str(i) for i in self.frame.index[repeated][:5]
        ]
        return int(repeated.sum()), examples

    def class_counts(self) -> pd.Series:
        """Rows per class of the target, in order of the classes' text."""
        counts = pd.Series(self.context.y_true).value_counts(sort=False)
        return counts.sort_index(key=lambda index: index.map(str))

    def reference_classes(self, target: str) -> list[Any] | None:
        reference = self.context.reference
        if reference is None or target not in reference.frame.columns:
            return None
        return reference.frame[target].dropna().unique().tolist()

    def kind_mismatch(self, column: str, expected: str) -> tuple[str, int, list[Any]] | None:
        """(actual kind, non-missing rows, examples) when ``column`` cannot hold ``expected``."""
        series = self.frame[column]
        if kind_matches(series, expected):
            return None
        values = series.dropna()
        return kind_of(series), len(values), values.head(MAX_EXAMPLES).tolist()


def data_table(context: EvaluationContext) -> Any:
    """The context's engine's table facts (pandas unless the engine set its own)."""
    return context.table if context.table is not None else RowTable(context)
