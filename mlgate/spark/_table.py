"""What the data checks read of the evaluation table, computed in Spark over every row.

The schema file's rules are compiled into one aggregation (a count per rule, in one scan of the
table), not a filter and a count per rule; uniqueness needs a grouping per unique column (or
combination). Only the rules that are broken then read their first examples (``limit``, at most
:data:`MAX_EXAMPLES` values each). Violations are listed in the pandas engine's order: kinds,
unexpected and missing columns, then per column nullable, unique, min, max, categories, then the
unique combination. Counts are exact; which rows give the examples may differ from the pandas
engine (a table has no row order), and repeated rows have no row labels to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.checks._data_schema import MAX_EXAMPLES, DataSchema, _expected, make_violation
from mlgate.spark._columns import FLOATS, is_missing, named

INTEGERS = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)


@dataclass
class SparkTable:
    """The context's ``table`` under the Spark engine."""

    frame: Any
    rows: int
    target: str
    reference: Any = None  # the reference table's Spark DataFrame, if any

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def missing_counts(self, columns: list[str]) -> dict[str, int]:
        found = self.frame.agg(
            *[F.sum(F.when(self._missing(c), 1).otherwise(0)).alias(c) for c in columns]
        ).first()
        return {c: int(found[c] or 0) for c in columns}

    def duplicated_rows(self) -> tuple[int, list[Any]]:
        """Rows that repeat an earlier one: rows minus distinct rows (no row labels to show)."""
        return self.rows - self.frame.distinct().count(), []

    def class_counts(self) -> pd.Series:
        counted = self.frame.groupBy(named(self.target).alias("y")).count().collect()
        counts = pd.Series({row["y"]: row["count"] for row in counted if row["y"] is not None})
        return counts.sort_index(key=lambda index: index.map(str))

    def reference_classes(self, target: str) -> list[Any] | None:
        if self.reference is None or target not in self.reference.columns:
            return None
        values = self.reference.select(named(target).alias("y")).where(F.col("y").isNotNull())
        return [row["y"] for row in values.distinct().collect()]

    def kind_mismatch(self, column: str, expected: str) -> tuple[str, int, list[Any]] | None:
        actual = self._kind(column)
        if actual == expected or (expected == "float" and actual == "integer"):
            return None
        value = named(column)
        present = ~self._missing(column)
        if expected == "integer" and actual == "float":
            fractional = self.frame.where(present & (value != F.floor(value))).limit(1).count()
            if not fractional:
                return None
        count = self.frame.where(present).count()
        return actual, count, self._examples(present, column)

    def schema_violations(self, schema: DataSchema) -> list[dict[str, Any]]:
        """Every violation of ``schema`` (see the module's docstring)."""
        violations = []
        wrong_kind = set()
        present = [c for c in schema.columns if c in self.columns]
        for name in present:
            mismatch = self.kind_mismatch(name, schema.columns[name].dtype)
            if mismatch is not None:
                wrong_kind.add(name)
                actual, count, examples = mismatch
                expected = f"{schema.columns[name].dtype} (got {actual})"
                violations.append(make_violation(name, "dtype", expected, count, examples))
        if schema.strict:
            for name in self.columns:
                if name not in schema.columns:
                    check, expected = _expected("column_in_schema", name, schema)
                    violations.append(make_violation(name, check, expected, self.rows, []))
        for name, rule in schema.columns.items():
            if name not in self.columns and rule.required:
                check, expected = _expected("column_in_dataframe", name, schema)
                violations.append(make_violation(name, check, expected, self.rows, []))
        rules = self._value_rules(schema, [c for c in present if c not in wrong_kind])
        counted = [
            F.sum(F.when(broken, 1).otherwise(0)).alias(key)
            for key, (_, _, broken) in rules.items()
        ]
        counts = self.frame.agg(*counted).first() if rules else {}
        for key, (column, check, broken) in rules.items():
            unique = check == "unique"
            count = self._duplicated([column]) if unique else int(counts[key] or 0)
            if count:
                name, expected = _expected(_PANDERA_NAMES[check], column, schema)
                examples = (
                    self._duplicate_examples([column]) if unique else self._examples(broken, column)
                )
                violations.append(make_violation(column, name, expected, count, examples))
        if schema.unique and all(c in self.columns for c in schema.unique):
            count = self._duplicated(list(schema.unique))
            if count:
                name, expected = _expected("multiple_fields_uniqueness", None, schema)
                examples = self._duplicate_examples(list(schema.unique))
                violations.append(
                    make_violation(", ".join(schema.unique), name, expected, count, examples)
                )
        return violations

    def _value_rules(
        self, schema: DataSchema, columns: list[str]
    ) -> dict[str, tuple[str, str, Any]]:
        """Per column, in the pandas engine's order: each rule's condition for a broken row."""
        rules: dict[str, tuple[str, str, Any]] = {}
        for column in columns:
            rule = schema.columns[column]
            value, present = named(column), ~self._missing(column)
            if not rule.nullable:
                rules[f"{len(rules)}"] = (column, "nullable", self._missing(column))
            if rule.unique:
                rules[f"{len(rules)}"] = (column, "unique", F.lit(False))
            if rule.min is not None:
                rules[f"{len(rules)}"] = (column, "min", present & (value < F.lit(rule.min)))
            if rule.max is not None:
                rules[f"{len(rules)}"] = (column, "max", present & (value > F.lit(rule.max)))
            if rule.categories is not None:
                allowed = list(rule.categories)
                rules[f"{len(rules)}"] = (column, "categories", present & ~value.isin(allowed))
        return rules

    def _kind(self, column: str) -> str:
        kind = self.frame.schema[column].dataType
        if isinstance(kind, T.BooleanType):
            return "boolean"
        if isinstance(kind, INTEGERS):
            return "integer"
        if isinstance(kind, (*FLOATS, T.DecimalType)):
            return "float"
        if isinstance(kind, (T.TimestampType, T.TimestampNTZType, T.DateType)):
            return "datetime"
        if isinstance(kind, T.StringType):
            return "string"
        return kind.simpleString()

    def _missing(self, column: str) -> Any:
        return is_missing(self.frame, column)

    def _examples(self, broken: Any, column: str) -> list[Any]:
        rows = self.frame.where(broken).select(named(column).alias("v")).limit(MAX_EXAMPLES * 4)
        numeric = isinstance(self.frame.schema[column].dataType, (*FLOATS, *INTEGERS))
        # A missing number is NaN in pandas, and shown as such.
        return [float("nan") if r["v"] is None and numeric else r["v"] for r in rows.collect()]

    def _duplicated(self, columns: list[str]) -> int:
        """Rows whose value (combination) appears more than once."""
        counted = self.frame.groupBy(*[named(c) for c in columns]).count()
        found = counted.where(F.col("count") > 1).agg(F.sum("count")).first()[0]
        return int(found or 0)

    def _duplicate_examples(self, columns: list[str]) -> list[Any]:
        counted = self.frame.groupBy(
            *[named(c).alias(f"c{i}") for i, c in enumerate(columns)]
        ).count()
        repeated = counted.where(F.col("count") > 1).limit(MAX_EXAMPLES).collect()
        if len(columns) == 1:
            return [row["c0"] for row in repeated]
        return [tuple(row[f"c{i}"] for i in range(len(columns))) for row in repeated]


_PANDERA_NAMES = {
    "nullable": "not_nullable",
    "unique": "field_uniqueness",
    "min": "greater_than_or_equal_to",
    "max": "less_than_or_equal_to",
    "categories": "isin",
}
