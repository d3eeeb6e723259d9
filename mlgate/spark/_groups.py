"""Groups of rows for the slice and fairness checks, formed and measured in Spark.

The same groupings as :class:`mlgate.checks._groups.RowGroups` (names, order, ``<missing>``, the
limit of groups) over every row of the scored data; instead of row codes, each grouping carries
what the checks read of it, computed by aggregation: rows and weight per group, the binary
confusion counts of each model, and every metric of each model per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention
from pyspark.sql import types as T  # noqa: N812

from mlgate.checks._groups import (
    MAX_GROUPS,
    MISSING,
    NAME_SEPARATOR,
    BinaryCounts,
    Grouping,
    GroupTotals,
    TooMany,
    quantile_binning,
)
from mlgate.checks._where import Filter
from mlgate.spark._classification import classification_metrics_by_group
from mlgate.spark._columns import Rows, is_label, named, weight_of
from mlgate.spark._errors import spark_errors
from mlgate.spark._regression import regression_metrics_by_group
from mlgate.spark._selection import exact_quantiles
from mlgate.spark._where import spark_condition

FLOATS = (T.FloatType, T.DoubleType)


@dataclass
class SparkGroups:
    """The context's ``groups`` under the Spark engine (see the module's docstring)."""

    rows_by_role: dict[str, Rows]
    task: str
    labels: list[Any] | None
    pos_label: Any
    source: str

    @property
    def frame(self) -> Any:
        return next(iter(self.rows_by_role.values())).frame

    def by_column(self, column: str, too_many: TooMany) -> Grouping:
        return self._grouping(column, _missing_as_null(self.frame, column), too_many)

    def by_filter(self, flt: Filter, name: str, other: str) -> Grouping:
        chosen = spark_condition(flt, list(self.frame.columns), self.source)
        key = F.when(chosen, F.lit(0)).otherwise(F.lit(1))
        return self._measured(
            Grouping(label=name, columns=(), codes=None, names=[name, other], parts=[{}, {}]),
            [key],
            {(0,): 0, (1,): 1},
        )

    def by_quantile_bins(self, column: str, bins: int, too_many: TooMany) -> Grouping:
        """``pandas.qcut``'s bins over every row: exact quantile edges, its interval labels."""
        value = _missing_as_null(self.frame, column).cast("double")
        probabilities = list(np.linspace(0, 1, bins + 1))
        with spark_errors(f"computing the quantiles of {column}"):
            quantiles = exact_quantiles(self.frame.select(value.alias("v")), 0, probabilities)
        edges = np.unique(np.asarray(quantiles[()], dtype=float))
        intervals = pd.cut(
            pd.Series(edges), bins=edges, include_lowest=True, precision=3, duplicates="drop"
        ).cat.categories
        index = None  # the bin of each value, as pandas.cut assigns it (right edges included)
        for position in range(len(edges) - 1, 0, -1):
            index = F.when(value <= F.lit(float(edges[position])), F.lit(position - 1)).otherwise(
                index if index is not None else F.lit(None)
            )
        assert index is not None
        within = F.when(value >= F.lit(float(edges[0])), index)
        grouping = self._grouping(column, within, too_many, [str(i) for i in intervals])
        grouping.notes["binning"] = quantile_binning(bins, edges)
        return grouping

    def cross(self, groupings: Sequence[Grouping], too_many: TooMany) -> Grouping:
        """One group per combination that occurs, in the order of the parts' own groups."""
        columns = [c for g in groupings for c in g.columns]
        keys = [_missing_as_null(self.frame, c) for c in columns]
        orders = [{name: index for index, name in enumerate(g.names)} for g in groupings]
        present = self._sizes(keys, too_many)
        combos = []
        for key in present:
            parts = [_name(value) for value in key]
            combos.append((tuple(o[p] for o, p in zip(orders, parts, strict=True)), key, parts))
        combos.sort()
        grouping = Grouping(
            label="&".join(columns),
            columns=tuple(columns),
            codes=None,
            names=[NAME_SEPARATOR.join(parts) for _, _, parts in combos],
            parts=[dict(zip(columns, parts, strict=True)) for _, _, parts in combos],
        )
        return self._measured(
            grouping, keys, {key: code for code, (_, key, _) in enumerate(combos)}, present
        )

    def _grouping(
        self, column: str, key: Any, too_many: TooMany, labels: list[str] | None = None
    ) -> Grouping:
        """Groups by the values of ``key`` (an expression on ``column``); ``labels`` name
        integer bin codes."""
        keys = [key]
        present = self._sizes(keys, too_many)
        values = [key[0] for key in present]
        known = sorted(v for v in values if v is not None)
        names = [labels[v] if labels is not None else _name(v) for v in known]
        codes = {(v,): index for index, v in enumerate(known)}
        if None in values:
            codes[(None,)] = len(names)
            names.append(MISSING)
        grouping = Grouping(
            label=column,
            columns=(column,),
            codes=None,
            names=names,
            parts=[{column: n} for n in names],
        )
        return self._measured(grouping, keys, codes, present)

    def _sizes(
        self, keys: list[Any], too_many: TooMany
    ) -> dict[tuple[Any, ...], tuple[int, float]]:
        """Rows and weight per group key; ``too_many`` is raised past :data:`MAX_GROUPS`."""
        rows = next(iter(self.rows_by_role.values()))
        aliased = [key.alias(f"g{index}") for index, key in enumerate(keys)]
        counted = (
            self.frame.groupBy(*aliased)
            .agg(F.count(F.lit(1)).alias("n"), F.sum(weight_of(rows.weight)).alias("w"))
            .limit(MAX_GROUPS + 1)
            .collect()
        )
        if len(counted) > MAX_GROUPS:
            raise too_many(self.frame.select(*aliased).distinct().count())
        return {
            tuple(row[f"g{index}"] for index in range(len(keys))): (row["n"], row["w"])
            for row in counted
        }

    def _measured(
        self,
        grouping: Grouping,
        keys: list[Any],
        codes: dict[tuple[Any, ...], int],
        present: dict[tuple[Any, ...], tuple[int, float]] | None = None,
    ) -> Grouping:
        """``grouping`` with every number the checks read, computed over every row."""
        if present is None:
            present = self._sizes(keys, lambda count: AssertionError(count))
        sizes = np.zeros(grouping.n_groups, dtype=np.int64)
        weights = np.zeros(grouping.n_groups)
        for key, (n, w) in present.items():
            sizes[codes[key]], weights[codes[key]] = n, w
        grouping.totals = GroupTotals(sizes=sizes, weights=weights)
        with spark_errors("computing the metrics of each group"):
            self._measure_roles(grouping, keys, codes)
        return grouping

    def _measure_roles(
        self, grouping: Grouping, keys: list[Any], codes: dict[tuple[Any, ...], int]
    ) -> None:
        for role, rows in self.rows_by_role.items():
            keyed = Rows(
                frame=rows.frame.select(
                    "*", *[k.alias(f"__mlgate_group_{i}") for i, k in enumerate(keys)]
                ),
                target=rows.target,
                weight=rows.weight,
                columns=rows.columns,
            )
            by = [f"__mlgate_group_{i}" for i in range(len(keys))]
            if self.task == "regression":
                metrics = regression_metrics_by_group(keyed, by)
            else:
                assert self.labels is not None
                metrics = classification_metrics_by_group(
                    keyed, by, task=self.task, labels=self.labels, pos_label=self.pos_label
                )
                if self.task == "binary":
                    grouping.counts_by_role[role] = self._binary_counts(
                        keyed, by, codes, grouping.n_groups
                    )
            grouping.metrics_by_role[role] = {codes[key]: values for key, values in metrics.items()}

    def _binary_counts(
        self, rows: Rows, by: list[str], codes: dict[tuple[Any, ...], int], n_groups: int
    ) -> BinaryCounts:
        """(tn, fp, fn, tp) per group, weighted and in rows."""
        truth = is_label(named(rows.target), self.pos_label).cast("int")
        predicted = is_label(named(rows.columns.label), self.pos_label).cast("int")
        cells = (
            rows.frame.groupBy(*by, (2 * truth + predicted).alias("cell"))
            .agg(F.count(F.lit(1)).alias("n"), F.sum(weight_of(rows.weight)).alias("w"))
            .collect()
        )
        counts = np.zeros((n_groups, 4), dtype=np.int64)
        weighted = np.zeros((n_groups, 4))
        for row in cells:
            code = codes[tuple(row[column] for column in by)]
            counts[code, row["cell"]] = row["n"]
            weighted[code, row["cell"]] = row["w"]
        return BinaryCounts(weighted=weighted, counts=counts)


def _missing_as_null(frame: Any, column: str) -> Any:
    """The column, with NaN read as missing (pandas counts NaN among missing values)."""
    value = F.col(f"`{column}`")
    if isinstance(frame.schema[column].dataType, FLOATS):
        return F.when(F.isnan(value), F.lit(None)).otherwise(value)
    return value


def _name(value: Any) -> str:
    return MISSING if value is None else str(value)
