"""Map a scikit-learn transform's output columns back to the input columns they came from.

SHAP explains a pipeline's final estimator on the transformed features; a reader wants the input
columns. :func:`source_columns` says, for each output column, which input column it was made from
(one-hot columns from their categorical column, a scaled column from itself, a ColumnTransformer
branch from its own columns), or ``None`` when the transform mixes columns (PCA, polynomial
features) and no such mapping exists.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

PASSTHROUGH = "passthrough"
DROP = "drop"


def source_columns(transform: Any, inputs: list[str]) -> list[str] | None:
    """The input column behind each output column of a fitted ``transform``, or None."""
    if transform == PASSTHROUGH or transform is None:
        return list(inputs)
    if isinstance(transform, Pipeline):
        return _through_steps([step for _, step in transform.steps], inputs)
    if isinstance(transform, ColumnTransformer):
        return _through_columns(transform, inputs)
    outputs = _output_names(transform, inputs)
    if outputs is None:
        return None
    if outputs == list(inputs):
        return list(inputs)
    if isinstance(transform, OneHotEncoder):
        return _one_hot_sources(transform, outputs, inputs)
    return None


def _through_steps(steps: list[Any], inputs: list[str]) -> list[str] | None:
    """Compose the mappings of consecutive steps (outputs of one are inputs of the next)."""
    sources = list(inputs)
    names = list(inputs)
    for step in steps:
        mapped = source_columns(step, names)
        if mapped is None:
            return None
        position = {name: index for index, name in enumerate(names)}
        sources = [sources[position[name]] for name in mapped]
        outputs = names if step in (PASSTHROUGH, None) else _output_names(step, names)
        if outputs is None or len(outputs) != len(sources):
            return None
        names = outputs
    return sources


def _through_columns(transform: Any, inputs: list[str]) -> list[str] | None:
    """Concatenate each fitted branch's mapping, in the order ColumnTransformer stacks them."""
    sources: list[str] = []
    for _, branch, columns in transform.transformers_:
        if branch == DROP:
            continue
        selected = _selected(columns, inputs)
        if not selected:
            continue
        mapped = source_columns(branch, selected)
        if mapped is None:
            return None
        sources.extend(mapped)
    return sources


def _selected(columns: Any, inputs: list[str]) -> list[str]:
    """Column names a ColumnTransformer branch was given (names, positions or a boolean mask)."""
    if isinstance(columns, str):
        return [columns]
    chosen = list(np.asarray(columns).ravel()) if not callable(columns) else []
    if chosen and isinstance(chosen[0], bool | np.bool_):
        return [name for name, keep in zip(inputs, chosen, strict=True) if keep]
    if chosen and isinstance(chosen[0], int | np.integer):
        return [inputs[int(index)] for index in chosen]
    return [str(name) for name in chosen]


def _output_names(transform: Any, inputs: list[str]) -> list[str] | None:
    """``get_feature_names_out`` when the transform has it and it works, else None."""
    names_out = getattr(transform, "get_feature_names_out", None)
    if names_out is None:
        return None
    try:
        return [str(name) for name in names_out(inputs)]
    except Exception:  # a transformer without a meaningful naming: no mapping
        return None


def _one_hot_sources(encoder: Any, outputs: list[str], inputs: list[str]) -> list[str] | None:
    """Each input repeated once per output column it was encoded into, in order.

    The encoder's per-input output counts (which account for dropped and infrequent categories)
    are used when it has them; otherwise names are matched as ``<input>_<category>``.
    """
    counts = getattr(encoder, "_n_features_outs", None)
    if counts is not None and len(counts) == len(inputs) and sum(counts) == len(outputs):
        return [name for name, count in zip(inputs, counts, strict=True) for _ in range(count)]
    sources = []
    position = 0
    for name in outputs:
        while position < len(inputs) and not name.startswith(f"{inputs[position]}_"):
            position += 1
        if position == len(inputs):
            return None
        sources.append(inputs[position])
    return sources
