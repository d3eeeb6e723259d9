"""One SHAP pass per model: pick the explainer that fits the model, return global importance.

The explainer follows the model. Tree ensembles use shap's tree algorithms: exact TreeSHAP
(``tree_path_dependent``) when its cost fits a budget, else Saabas attributions
(``approximate=True``) with their agreement to exact TreeSHAP measured on a small sub-sample;
binary boosted classifiers are explained on probabilities with interventional TreeSHAP on a small
background. Linear models use ``LinearExplainer``. Anything else gets a permutation explainer on a
small seeded background with a bounded budget. Classifiers are explained on probabilities, never on
hard labels, except linear ones, which ``LinearExplainer`` explains exactly on their margin
(log-odds for logistic regression).

scikit-learn ``Pipeline``: the final estimator is explained on the transformed features and the
per-row attributions of the columns made from one input column (one-hot columns) are summed into
that column; when the transform mixes columns the transformed names are reported instead.

XGBoost, LightGBM and CatBoost models (their scikit-learn wrappers, Boosters, or the final step of
a pipeline) are explained by their library's own exact TreeSHAP (:mod:`mlgate.boosters`), on
their margin (log-odds for a binary classifier, one margin per class for multiclass): the same
numbers shap's ``TreeExplainer`` gives for them, in the library's C++ threads, with native
categorical columns as the model reads them.

This module is imported only when the gate configures explainability (it imports shap).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shap
from scipy.stats import spearmanr
from sklearn.pipeline import Pipeline

from mlgate.boosters import (
    CategoricalInputs,
    has_native_contributions,
    library_of,
    native_contributions,
    unwrapped,
)
from mlgate.checks._feature_map import source_columns

BACKGROUND_ROWS = 100
AGNOSTIC_BACKGROUND_ROWS = 50
AGNOSTIC_MAX_ROWS = 200
AGREEMENT_ROWS = 32
AGREEMENT_TOP_K = 5
# Exact TreeSHAP costs about rows x nodes x depth^2 elementary steps; ~1e9 of them a second on
# one core. Above this many the forest is explained with Saabas attributions instead.
EXACT_TREE_BUDGET = 2.5e9

AVERAGING_TREES = frozenset(
    {
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "ExtraTreeClassifier",
        "ExtraTreeRegressor",
    }
)
BOOSTED_TREES = frozenset(
    {
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
        "HistGradientBoostingClassifier",
        "HistGradientBoostingRegressor",
    }
)

MSG_NO_PROBA = (
    "{type} has no predict_proba, and classifiers are explained on probabilities, never on hard "
    "labels; give a model with predict_proba (an MLflow model with the sklearn flavor, or "
    "SVC(probability=True)) or remove checks.explainability"
)
MSG_NOT_NUMERIC = (
    "the model takes non-numeric column(s) {columns} and {type} is not a scikit-learn Pipeline "
    "that encodes them; log the model as a Pipeline with its encoder or remove "
    "checks.explainability"
)
MSG_NOT_FINITE = "{count} of the {total} SHAP values are NaN or infinite"
NOTE_TRANSFORMED = (
    "the pipeline's transform mixes input columns, so importances are reported for the {count} "
    "transformed features it outputs, not for the input columns"
)
NOTE_MULTICLASS_BOOSTED = (
    "shap's tree algorithms do not explain {type} probabilities for more than two classes; a "
    "permutation explainer was used instead"
)
NOTE_CAPPED = "the model-agnostic explainer explains at most {cap} of the {rows} sampled rows"


class ExplainUnsupportedError(Exception):
    """No explainer fits this model; the message says what to change."""


@dataclass
class Importance:
    """Global SHAP importance of one model, and how it was obtained."""

    values: dict[str, float]
    algorithm: str
    explainer: str
    model_type: str
    output: str
    feature_space: str
    rows: int
    background: int | None
    seconds: float
    per_class: dict[str, dict[str, float]] | None = None
    agreement: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ranking(self) -> list[str]:
        """Features from most to least important (ties broken by name, for stable reports)."""
        return ranked(self.values)

    @property
    def shares(self) -> dict[str, float]:
        """Each feature's share of the total mean |SHAP| (0 for all when the total is 0)."""
        total = sum(self.values.values())
        return {name: (value / total if total > 0 else 0.0) for name, value in self.values.items()}


def ranked(values: dict[str, float]) -> list[str]:
    """Names by decreasing value, then by name."""
    return sorted(values, key=lambda name: (-values[name], name))


@dataclass
class _Target:
    """What is explained: the final estimator, the rows it sees and how columns map back."""

    estimator: Any
    rows: Any  # a matrix, or the data frame itself for a model explained by its own library
    background: Any
    names: list[str]
    inputs: list[str]
    sources: list[str] | None


def explain(
    predictor: Any,
    X: pd.DataFrame,
    rows: np.ndarray,
    *,
    task: str,
    classes: list[Any] | None,
    pos_label: Any,
    exact: bool,
    seed: int,
) -> Importance:
    """Global importance (mean |SHAP| by feature) of ``predictor`` on ``X.iloc[rows]``.

    ``rows`` are already sampled with the gate's seed; their first ``BACKGROUND_ROWS`` serve as
    the background where an explainer needs one. Raises ``ExplainUnsupportedError`` when no
    explainer fits, or shap's own error when attribution fails.
    """
    started = time.perf_counter()
    target = _target(_unwrap(predictor), X, rows)
    estimator = target.estimator
    kind = _kind(estimator)
    notes: list[str] = []
    if kind == "boosted" and task == "multiclass":
        notes.append(NOTE_MULTICLASS_BOOSTED.format(type=type(estimator).__name__))
        kind = "agnostic"
    if kind == "boosted" and task == "regression":
        kind = "tree"  # a boosted regressor's raw output is its prediction
    agreement = None
    background: int | None = None
    if kind == "native":
        values = native_contributions(estimator, target.rows)
        algorithm = "tree_path_dependent"
        explainer = f"{library_of(getattr(estimator, 'raw', estimator))} TreeSHAP (native)"
    elif kind == "tree":
        values, algorithm, agreement = _path_dependent(estimator, target, exact)
        explainer = "TreeExplainer"
    elif kind == "boosted":
        values, background = _interventional(estimator, target), len(target.background)
        algorithm, explainer = "interventional_tree", "TreeExplainer"
    elif kind == "linear":
        values, background = _linear(estimator, target), len(target.background)
        algorithm, explainer = "linear", "LinearExplainer"
    else:
        values, background, capped = _permutation(estimator, target, task, seed)
        algorithm, explainer = "permutation", "PermutationExplainer"
        if capped:
            notes.append(NOTE_CAPPED.format(cap=AGNOSTIC_MAX_ROWS, rows=len(target.rows)))
    _require_finite(values)
    per_output = _select_outputs(values, estimator, task, classes, pos_label)
    mapped = {label: _mean_abs(target, output) for label, output in per_output.items()}
    if target.sources is None:
        notes.append(NOTE_TRANSFORMED.format(count=len(target.names)))
    overall = _average(list(mapped.values()))
    return Importance(
        values=overall,
        algorithm=algorithm,
        explainer=explainer,
        model_type=type(estimator).__name__,
        output=_output_name(kind, task, pos_label, type(estimator).__name__),
        feature_space="input" if target.sources is not None else "transformed",
        rows=int(values.shape[0]),
        background=background,
        seconds=round(time.perf_counter() - started, 3),
        per_class=mapped if task == "multiclass" else None,
        agreement=agreement,
        notes=notes,
    )


def _unwrap(predictor: Any) -> Any:
    """The scikit-learn (or xgboost...) model inside an MLflow pyfunc, else the object itself."""
    raw_model = getattr(predictor, "get_raw_model", None)
    if callable(raw_model):
        try:
            inner = raw_model()
        except Exception:  # a pyfunc without a raw model: explain the pyfunc itself
            return predictor
        if callable(getattr(inner, "predict", None)):
            return inner
    return predictor


def _target(model: Any, X: pd.DataFrame, rows: np.ndarray) -> _Target:
    """Split a Pipeline into transform and final estimator; other models are explained as is."""
    inputs = [str(c) for c in X.columns]
    chosen = X.iloc[rows]
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        transform = model[:-1]
        transformed = _dense(transform.transform(chosen))
        names = _transformed_names(transform, inputs, transformed.shape[1])
        sources = source_columns(transform, inputs)
        if sources is not None and len(sources) != transformed.shape[1]:
            sources = None
        return _Target(
            estimator=model[-1],
            rows=transformed,
            background=transformed[:BACKGROUND_ROWS],
            names=names,
            inputs=inputs,
            sources=sources,
        )
    inner = unwrapped(model)
    if has_native_contributions(inner):
        prepared = model.prepared(chosen) if isinstance(model, CategoricalInputs) else chosen
        return _Target(
            estimator=inner,
            rows=prepared,
            background=prepared.iloc[:BACKGROUND_ROWS],
            names=inputs,
            inputs=inputs,
            sources=list(inputs),
        )
    numeric = [c for c in chosen.columns if chosen[c].dtype.kind in "biuf"]
    if len(numeric) != len(inputs):
        others = [str(c) for c in chosen.columns if c not in set(numeric)][:5]
        raise ExplainUnsupportedError(
            MSG_NOT_NUMERIC.format(columns=", ".join(others), type=type(model).__name__)
        )
    values = chosen.to_numpy(dtype=np.float64)
    return _Target(
        estimator=model,
        rows=values,
        background=values[:BACKGROUND_ROWS],
        names=inputs,
        inputs=inputs,
        sources=list(inputs),
    )


def _dense(matrix: Any) -> np.ndarray:
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=np.float64)


def _transformed_names(transform: Any, inputs: list[str], count: int) -> list[str]:
    try:
        names = [str(n) for n in transform.get_feature_names_out(inputs)]
    except Exception:  # a step without names: number the columns
        names = []
    return names if len(names) == count else [f"x{index}" for index in range(count)]


def _kind(estimator: Any) -> str:
    """'native' (XGBoost, LightGBM, CatBoost: their own TreeSHAP), 'tree' (averaging ensembles),
    'boosted' (scikit-learn's margin-output trees), 'linear', or 'agnostic'."""
    if has_native_contributions(estimator):
        return "native"
    name = type(estimator).__name__
    module = type(estimator).__module__
    if module.startswith("sklearn.") and name in AVERAGING_TREES:
        return "tree"
    if module.startswith("sklearn.") and name in BOOSTED_TREES:
        return "boosted"
    if module.startswith("sklearn.linear_model") and hasattr(estimator, "coef_"):
        return "linear"
    return "agnostic"


def _path_dependent(
    estimator: Any, target: _Target, exact: bool
) -> tuple[np.ndarray, str, dict[str, Any] | None]:
    """Exact TreeSHAP when affordable (or forced), else Saabas with measured agreement."""
    explainer = shap.TreeExplainer(estimator, feature_perturbation="tree_path_dependent")
    rows = target.rows
    if exact or _tree_cost(explainer, len(rows)) <= EXACT_TREE_BUDGET:
        return _as_array(explainer.shap_values(rows)), "tree_path_dependent", None
    approximate = _as_array(explainer.shap_values(rows, approximate=True))
    subsample = rows[:AGREEMENT_ROWS]
    started = time.perf_counter()
    exact_values = _as_array(explainer.shap_values(subsample))
    exact_seconds = time.perf_counter() - started
    agreement = _agreement(target, exact_values, approximate[: len(subsample)])
    agreement["exact_seconds_per_row"] = round(exact_seconds / len(subsample), 6)
    return approximate, "saabas", agreement


def _tree_cost(explainer: Any, rows: int) -> float:
    """Elementary steps exact TreeSHAP would take: rows x nodes x depth^2 (its complexity)."""
    model = explainer.model
    nodes = float(np.sum(model.num_nodes))
    depth = float(model.max_depth)
    return rows * nodes * depth * depth


def _agreement(target: _Target, exact: np.ndarray, approximate: np.ndarray) -> dict[str, Any]:
    """Spearman correlation and top-k overlap of the two global importances (same rows)."""
    exact_importance = _average([_mean_abs(target, v) for v in _columns_by_output(exact).values()])
    approximate_importance = _average(
        [_mean_abs(target, v) for v in _columns_by_output(approximate).values()]
    )
    names = list(exact_importance)
    correlation = spearmanr(
        [exact_importance[n] for n in names], [approximate_importance[n] for n in names]
    ).statistic
    k = min(AGREEMENT_TOP_K, len(names))
    top_exact = ranked(exact_importance)[:k]
    top_approximate = ranked(approximate_importance)[:k]
    return {
        "rows": int(exact.shape[0]),
        "spearman": float(correlation),
        "top_k": k,
        "top_k_overlap": len(set(top_exact) & set(top_approximate)) / k if k else 1.0,
        "exact_top_k": top_exact,
        "approximate_top_k": top_approximate,
    }


def _columns_by_output(values: np.ndarray) -> dict[str, np.ndarray]:
    if values.ndim == 2:
        return {"0": values}
    return {str(index): values[:, :, index] for index in range(values.shape[2])}


def _interventional(estimator: Any, target: _Target) -> np.ndarray:
    """Binary boosted trees on the probability scale (needs a background)."""
    explainer = shap.TreeExplainer(
        estimator,
        data=target.background,
        feature_perturbation="interventional",
        model_output="probability",
    )
    return _as_array(explainer.shap_values(target.rows))


def _linear(estimator: Any, target: _Target) -> np.ndarray:
    explainer = shap.LinearExplainer(estimator, shap.maskers.Independent(target.background))
    return _as_array(explainer.shap_values(target.rows))


def _permutation(
    estimator: Any, target: _Target, task: str, seed: int
) -> tuple[np.ndarray, int, bool]:
    """Permutation SHAP on probabilities (or predictions) with one antithetic permutation."""
    if task == "regression":
        function = estimator.predict
    elif callable(getattr(estimator, "predict_proba", None)):
        function = estimator.predict_proba
    else:
        raise ExplainUnsupportedError(MSG_NO_PROBA.format(type=type(estimator).__name__))

    fitted_names = getattr(estimator, "feature_names_in_", None)

    def model_output(matrix: np.ndarray) -> np.ndarray:
        if fitted_names is not None and len(fitted_names) == matrix.shape[1]:
            matrix = pd.DataFrame(matrix, columns=fitted_names)  # as the model was fitted
        return np.asarray(function(matrix), dtype=np.float64)

    background = target.background[:AGNOSTIC_BACKGROUND_ROWS]
    explainer = shap.PermutationExplainer(
        model_output, shap.maskers.Independent(background), seed=seed
    )
    rows = target.rows[:AGNOSTIC_MAX_ROWS]
    explanation = explainer(rows, max_evals=2 * rows.shape[1] + 1, silent=True)
    return _as_array(explanation.values), len(background), len(target.rows) > len(rows)


def _require_finite(values: np.ndarray) -> None:
    """NaN attributions (a model that returns NaN on masked rows) are a failure, not a ranking."""
    bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
    if bad:
        raise ValueError(MSG_NOT_FINITE.format(count=bad, total=np.size(values)))


def _as_array(values: Any) -> np.ndarray:
    """shap returns one array per output in older releases and a 3-D array in newer ones."""
    if isinstance(values, list):
        return np.stack([np.asarray(v, dtype=np.float64) for v in values], axis=-1)
    return np.asarray(values, dtype=np.float64)


def _select_outputs(
    values: np.ndarray,
    estimator: Any,
    task: str,
    classes: list[Any] | None,
    pos_label: Any,
) -> dict[str, np.ndarray]:
    """Per-row attributions of what is explained: the positive class, or each class."""
    if values.ndim == 2:
        return {"all": values}
    if values.shape[2] == 1:  # one output: a regressor, or a binary classifier's log-odds
        return {"all": values[:, :, 0]}
    model_classes = list(getattr(estimator, "classes_", classes or []))
    if task == "binary":
        index = model_classes.index(pos_label) if pos_label in model_classes else -1
        return {"all": values[:, :, index]}
    if task == "regression":
        return {"all": values[:, :, 0]}
    return {str(label): values[:, :, index] for index, label in enumerate(model_classes)}


def _mean_abs(target: _Target, values: np.ndarray) -> dict[str, float]:
    """Mean |SHAP| per feature, after summing each input column's transformed columns per row."""
    if target.sources is None:
        means = np.abs(values).mean(axis=0)
        return {name: float(v) for name, v in zip(target.names, means, strict=True)}
    position = {name: index for index, name in enumerate(target.inputs)}
    grouping = np.zeros((values.shape[1], len(target.inputs)))
    grouping[np.arange(values.shape[1]), [position[s] for s in target.sources]] = 1.0
    summed = values @ grouping
    means = np.abs(summed).mean(axis=0)
    return {name: float(v) for name, v in zip(target.inputs, means, strict=True)}


def _average(importances: list[dict[str, float]]) -> dict[str, float]:
    """Mean over classes of each feature's importance (the importance itself for one output)."""
    names = list(importances[0])
    return {name: sum(i[name] for i in importances) / len(importances) for name in names}


def _output_name(kind: str, task: str, pos_label: Any, model_type: str) -> str:
    if kind == "native":
        return {
            "regression": "margin (the raw score; the prediction for squared-error objectives)",
            "binary": "log-odds (margin) of the positive class",
        }.get(task, "margin of each class (importance: mean over classes)")
    if task == "regression":
        return "prediction"
    if kind == "linear":
        return "log-odds" if "Logistic" in model_type else "margin"
    if task == "binary":
        return f"probability of class {pos_label}"
    return "probability of each class (importance: mean over classes)"
