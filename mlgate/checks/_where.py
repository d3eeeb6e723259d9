"""Safe row filters for ``checks.slices[].where``: pandas query syntax, no code execution.

``DataFrame.query`` evaluates its text with ``eval`` semantics (``@var``, attribute access and
function calls reach Python objects), which a gate file from a pull request must not do. Here the
expression is parsed with :mod:`ast` into a whitelisted subset and evaluated by this module with
vectorised pandas operations:

- column names (``tenure``, or ```monthly charges``` in backticks), numbers, strings, booleans,
  ``None``, and lists/tuples of them;
- comparisons ``== != < <= > >=`` (chained too), ``in`` / ``not in`` a list;
- ``and or not`` and ``& | ~``; arithmetic ``+ - * / // %`` and unary minus.

Anything else (calls, attributes, subscripts, ``@var``, dunder names, ``**``) is refused with
one line naming the gate-file key.
"""

from __future__ import annotations

import ast
import io
import operator
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError, InputError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd

MSG_WHERE_SYNTAX = "'{key}' does not parse as a filter: {error} (in {text!r})"
MSG_WHERE_REFUSED = (
    "'{key}' is refused: {what} is not allowed in a filter; use column names, literals, "
    "comparisons, in/not in, and/or/not and arithmetic"
)
MSG_WHERE_COLUMN = "'{key}': column '{column}' is not in {source}{hint}"
MSG_WHERE_NOT_BOOLEAN = "'{key}' must give true or false per row, got {dtype} values"
MSG_WHERE_FAILED = "'{key}' could not be evaluated on {source}: {error}"

_BACKTICKED = re.compile(r"`([^`]+)`")
_PLACEHOLDER = "mlgate_column_{index}_"

COMPARISONS = {  # the comparison operators a filter may use
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
}
_LITERALS = (int, float, str, bool, type(None))


@dataclass(frozen=True)
class Filter:
    """A checked ``where`` expression, ready to evaluate on a DataFrame."""

    key: str
    text: str
    tree: ast.Expression
    columns: dict[str, str]  # name used in the tree -> data column

    @property
    def referenced(self) -> list[str]:
        """The data columns the expression reads, in order of appearance."""
        names = [n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name)]
        return list(dict.fromkeys(self.columns.get(n, n) for n in names))


def parse_filter(text: str, key: str, source: str) -> Filter:
    """Parse and whitelist ``text``; raise GateFileError naming ``key`` otherwise."""
    columns: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = _PLACEHOLDER.format(index=len(columns))
        columns[name] = match.group(1)
        return name

    rewritten = _BACKTICKED.sub(placeholder, text)
    if _has_at_sign(rewritten):
        _refuse(key, "'@' (a reference to a Python variable)", source)
    try:
        tree = ast.parse(rewritten.strip(), mode="eval")
    except SyntaxError as error:
        message = MSG_WHERE_SYNTAX.format(key=key, error=error.msg, text=text)
        raise GateFileError(f"{source}: {message}") from None
    for node in ast.walk(tree):
        _check_node(node, key, source)
    return Filter(key=key, text=text, tree=tree, columns=columns)


def _has_at_sign(text: str) -> bool:
    """Whether ``@`` appears as an operator (not inside a string literal)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return "@" in text
    return any(token.type == tokenize.OP and token.string == "@" for token in tokens)


def _refuse(key: str, what: str, source: str) -> None:
    raise GateFileError(f"{source}: " + MSG_WHERE_REFUSED.format(key=key, what=what))


def _check_node(node: ast.AST, key: str, source: str) -> None:
    allowed = (
        ast.Expression,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.UnaryOp,
        ast.Not,
        ast.Invert,
        ast.USub,
        ast.UAdd,
        ast.Compare,
        ast.In,
        ast.NotIn,
        ast.Load,
        ast.List,
        ast.Tuple,
        *COMPARISONS,
        *_ARITHMETIC,
    )
    if isinstance(node, ast.Name):
        if node.id.startswith("__") or node.id.endswith("__"):
            _refuse(key, f"the name '{node.id}'", source)
        return
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, _LITERALS):
            _refuse(key, f"the literal {node.value!r}", source)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITHMETIC:
            _refuse(key, f"the operator '{type(node.op).__name__}'", source)
        return
    if not isinstance(node, allowed):
        _refuse(key, _describe(node), source)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return "a function call"
    if isinstance(node, ast.Attribute):
        return f"attribute access ('.{node.attr}')"
    if isinstance(node, ast.Subscript):
        return "indexing ('[...]')"
    return f"'{type(node).__name__}'"


def evaluate_filter(flt: Filter, frame: pd.DataFrame, source: str) -> Any:
    """The boolean mask of the rows ``flt`` selects (a numpy array; missing counts as False)."""
    import numpy as np
    import pandas as pd

    require_referenced(flt, [str(c) for c in frame.columns], source)
    try:
        with np.errstate(all="ignore"):
            result = _Evaluator(flt, frame).visit(flt.tree.body)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        reason = " ".join(str(error).split())[:200] or type(error).__name__
        raise InputError(
            MSG_WHERE_FAILED.format(key=flt.key, source=source, error=reason)
        ) from error
    if isinstance(result, pd.Series):
        if not (pd.api.types.is_bool_dtype(result) or result.dtype == object):
            raise InputError(MSG_WHERE_NOT_BOOLEAN.format(key=flt.key, dtype=result.dtype))
        values = result.astype("boolean").fillna(False).to_numpy(dtype=bool)
        return values
    if isinstance(result, bool | np.bool_):
        return np.full(len(frame), bool(result))
    raise InputError(MSG_WHERE_NOT_BOOLEAN.format(key=flt.key, dtype=type(result).__name__))


def require_referenced(flt: Filter, columns: list[str], source: str) -> None:
    """Exit 2 naming the first column ``flt`` reads that ``columns`` lacks (and the closest)."""
    for column in flt.referenced:
        if column not in columns:
            hint = did_you_mean(column, columns)
            raise InputError(
                MSG_WHERE_COLUMN.format(key=flt.key, column=column, source=source, hint=hint)
            )


class FilterWalker:
    """Walks a whitelisted filter tree; each engine says what a column and an operator are
    (:class:`_Evaluator` here for pandas, :mod:`mlgate.spark._where` for Spark)."""

    def __init__(self, flt: Filter) -> None:
        self.flt = flt

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:  # noqa: N802 - ast visitor naming
        return node.value

    def visit_List(self, node: ast.List) -> Any:  # noqa: N802
        return [self.visit(element) for element in node.elts]

    visit_Tuple = visit_List  # noqa: N815


class _Evaluator(FilterWalker):
    """Evaluates the whitelisted nodes with pandas operations (columns are Series)."""

    def __init__(self, flt: Filter, frame: pd.DataFrame) -> None:
        super().__init__(flt)
        self.frame = frame

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802 - ast visitor naming
        return self.frame[self.flt.columns.get(node.id, node.id)]

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:  # noqa: N802
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        values = [self._boolean(self.visit(value)) for value in node.values]
        result = values[0]
        for value in values[1:]:
            result = combine(result, value)
        return result

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:  # noqa: N802
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not | ast.Invert):
            return ~self._boolean(operand) if not isinstance(operand, bool) else not operand
        return -operand if isinstance(node.op, ast.USub) else +operand

    def visit_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.BitAnd | ast.BitOr):
            left, right = self._boolean(left), self._boolean(right)
        return _ARITHMETIC[type(node.op)](left, right)

    def visit_Compare(self, node: ast.Compare) -> Any:  # noqa: N802
        import pandas as pd

        result = None
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.visit(comparator)
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(left, pd.Series) or not isinstance(right, list):
                    raise ValueError("'in' needs a column on the left and a list on the right")
                step = left.isin(right)
                if isinstance(op, ast.NotIn):
                    step = ~step
            else:
                step = COMPARISONS[type(op)](left, right)
            result = step if result is None else result & step
            left = right
        return result

    @staticmethod
    def _boolean(value: Any) -> Any:
        import pandas as pd

        if isinstance(value, pd.Series):
            return value.astype("boolean").fillna(False).astype(bool)
        return value
