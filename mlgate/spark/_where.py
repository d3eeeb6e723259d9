"""A slice's ``where`` filter as a Spark condition: the same whitelisted expression, same rules.

The expression was parsed and whitelisted when the gate file was read
(:func:`mlgate.checks._where.parse_filter`); this walks the same tree into Spark column
operations. Missing values follow the pandas engine: a comparison with a missing value is false,
except ``!=`` and ``not in``, which are true (pandas compares NaN unequal to everything).
"""

from __future__ import annotations

import ast
import operator
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

from mlgate.checks._where import COMPARISONS, Filter, FilterWalker, require_referenced
from mlgate.errors import InputError


def spark_condition(flt: Filter, columns: list[str], source: str) -> Any:
    """The rows ``flt`` selects, as a boolean Spark column that is never null."""
    require_referenced(flt, columns, source)
    return _boolean(_Translator(flt).visit(flt.tree.body), default=False)


def _boolean(value: Any, default: bool) -> Any:
    if isinstance(value, Column):
        return F.coalesce(value.cast("boolean"), F.lit(default))
    return F.lit(bool(value))


class _Translator(FilterWalker):
    """Turns the whitelisted nodes into Spark column expressions."""

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802 - ast visitor naming
        return F.col(f"`{self.flt.columns.get(node.id, node.id)}`")

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:  # noqa: N802
        values = [_boolean(self.visit(value), default=False) for value in node.values]
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:  # noqa: N802
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not | ast.Invert):
            return ~_boolean(operand, default=False)
        return -operand if isinstance(node.op, ast.USub) else operand

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.BitAnd | ast.BitOr):
            combine = operator.and_ if isinstance(node.op, ast.BitAnd) else operator.or_
            return combine(_boolean(left, False), _boolean(right, False))
        left, right = _column(left), _column(right)
        if isinstance(node.op, ast.Div):
            return F.try_divide(left, right)
        if isinstance(node.op, ast.FloorDiv):
            return F.floor(F.try_divide(left, right))
        if isinstance(node.op, ast.Mod):
            return F.pmod(left, right)  # Python's sign rule: the divisor's
        arithmetic = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
        return arithmetic[type(node.op)](left, right)

    def visit_Compare(self, node: ast.Compare) -> Any:  # noqa: N802
        result = None
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(left, Column) or not isinstance(right, list):
                    raise InputError(
                        f"'{self.flt.key}': 'in' needs a column on the left and a list on the right"
                    )
                chosen = left.isin(right)
                step = (
                    _boolean(chosen, default=False)
                    if isinstance(op, ast.In)
                    else ~_boolean(chosen, default=False)
                )
            else:
                compared = COMPARISONS[type(op)](_column(left), _column(right))
                step = _boolean(compared, default=isinstance(op, ast.NotEq))
            result = step if result is None else result & step
            left = right
        return result


def _column(value: Any) -> Any:
    return value if isinstance(value, Column) else F.lit(value)
