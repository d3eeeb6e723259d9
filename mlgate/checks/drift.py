"""Drift checks: features, the model's prediction and the label, reference vs eval data.

The reference is ``data.reference`` (the training snapshot) as the engine loaded it. Each column
gets one test, chosen from its type and sample size and reported:

- numeric, small: two-sample Kolmogorov–Smirnov (p-value);
- categorical (text, booleans, numbers with at most 10 distinct values), small: chi-squared;
- numeric, large: Wasserstein distance divided by the reference's standard deviation (> 0.1);
- categorical, large: Jensen–Shannon distance, base 2 (> 0.1);
- ``psi`` on reference decile bins (> 0.2) on request.

"Small" means the harmonic mean of the two sides' non-missing row counts, ``2 n m / (n + m)``, is
at most ``large_sample``: "at most ``large_sample`` rows a side" when the sides are equal, and the
equal-size sample with the same power when they are not (the power of both tests depends on the
sizes only through ``n m / (n + m)``). See :func:`mlgate.checks._drift_stats.choose_test`.

``tests: {column: {test, threshold}}`` overrides the choice for one column.

False alarms across columns are controlled with Holm's step-down correction over every p-value
test of the gate (features, prediction and label together): it bounds the family-wise error —
the chance that a gate on data with no shift raises any alarm — by ``alpha`` under any dependence
between columns (features are correlated and the prediction depends on them). Benjamini–Hochberg
bounds the expected share of false alarms among alarms instead, which is the wrong quantity for a
pass/fail gate. A p-value test given its own ``threshold`` leaves the correction (its level is
then that column's alone). Distances do not enter the correction: their thresholds are effect
sizes that random splits of large samples do not reach.

When ``checks.explainability`` runs in the same gate, drifted features are ordered by global
importance (mean |SHAP|, from ``mlgate.checks.explainability.global_importance``) and the most
important one is named in the message; otherwise by how far past its threshold each one is.

``details`` of ``drift.features``, ``drift.prediction`` and ``drift.label``::

    {"alpha": 0.05, "correction": "holm", "tests_corrected": 32, "large_sample": 5000,
     "columns": [{"column", "role" (feature|prediction|label), "kind" (numeric|categorical),
                  "test" (ks|chi2|wasserstein|jensenshannon|psi), "statistic", "p_value",
                  "adjusted_p_value" (Holm; null for distances), "threshold", "corrected",
                  "drifted", "n_reference", "n_eval", "missing_reference", "missing_eval"
                  (shares), "notes": [str],
                  "histogram": {"kind": "numeric", "edges": [...], "reference": [counts],
                                "eval": [counts]}
                            or {"kind": "categorical", "categories": [...], "reference": [...],
                                "eval": [...]}}, ...],
     "drifted": [column, ...],            # in report order (importance when known)
     "importance": {column: float} | null, "most_important_drifted": column | null,
     "notes": [str]}

Columns are listed drifted first, in the same order as ``drifted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlgate.checks._drift_stats import (
    CATEGORICAL,
    DEFAULT_THRESHOLDS,
    NUMERIC,
    P_VALUE_TESTS,
    TEST_NAMES,
    TESTS_BY_KIND,
    ColumnDrift,
    categorical_drift,
    choose_test,
    column_kind,
    holm,
    is_number,
    numeric_drift,
)
from mlgate.checks._format import fmt
from mlgate.errors import GateFileError, InputError, did_you_mean
from mlgate.families import check_family
from mlgate.result import PASSED, SKIPPED, CheckResult, check_id, failure_status

if TYPE_CHECKING:
    import pandas as pd

    from mlgate.context import EvaluationContext

FAMILY = "drift"
PREDICTION = "prediction"
DEFAULT_ALPHA = 0.05
DEFAULT_LARGE_SAMPLE = 5000
DEFAULT_BINS = 20
DEFAULT_MAX_CATEGORIES = 100
SHOWN_DRIFTED = 5

MSG_NEEDS_REFERENCE = (
    "checks.drift needs reference data: set 'data.reference' to the training snapshot (.csv, "
    ".parquet or {delta: path, version: N}), or pass reference= from Python"
)
MSG_NOT_IN_REFERENCE = (
    "checks.drift: column(s) {columns} of data.eval are not in data.reference ({source}); add "
    "them to the reference or list them under checks.drift.exclude"
)
MSG_NOT_IN_EVAL = (
    "checks.drift: column(s) {columns} of data.reference are not in data.eval; add them to the "
    "eval data or list them under checks.drift.exclude"
)
MSG_UNKNOWN_COLUMN = (
    "checks.drift.{key}: '{column}' is not a column of the eval data{hint}; columns are: {columns}"
)
MSG_TYPE_MISMATCH = (
    "checks.drift: column '{column}' holds numbers in {numeric} but text ({dtype}) in {text}; "
    "store it as numbers on both sides"
)
MSG_ALL_NULL = (
    "checks.drift: column '{column}' is empty (all missing) in {side}; fix the data or list it "
    "under checks.drift.exclude"
)
MSG_WRONG_TEST = (
    "checks.drift.tests.{column}.test: '{test}' does not fit a {kind} column; use one of {tests}"
)
MSG_P_THRESHOLD = (
    "'checks.drift.tests.{column}.threshold' must be a significance level in (0, 1) for the "
    "'{test}' test, got {got!r}"
)
MSG_MANY_LEVELS = (
    "'{column}' has {levels:,} categories; the {kept} most frequent are compared and the rest "
    "pooled as '(other)'"
)
MSG_PASSED = "no drift in {count} {what} ({how})"
MSG_DRIFTED = "{drifted} of {count} {what} drifted ({how}): {shown}"
MSG_MOST_IMPORTANT = "; most important drifted feature: '{column}'"
_COMPARED_NAMES = {"Holm-adjusted p": "Holm-adjusted p-value", "p": "p-value"}
MSG_ONE_PASSED = "no drift in {subject}: {result}"
MSG_ONE_DRIFTED = "{subject} drifted: {result}"
MSG_SKIPPED = "no {what} drift test: {reason}"
MSG_NO_REFERENCE_PREDICTIONS = (
    "the model is not loaded (precomputed predictions) and data.reference has no column '{column}'"
)


@dataclass(frozen=True)
class ColumnTest:
    """A per-column override of the chosen test and its threshold."""

    test: str | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class DriftConfig:
    """``checks.drift`` as typed settings."""

    columns: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    prediction: bool = True
    label: bool = True
    alpha: float = DEFAULT_ALPHA
    large_sample: int = DEFAULT_LARGE_SAMPLE
    bins: int = DEFAULT_BINS
    max_categories: int = DEFAULT_MAX_CATEGORIES
    tests: Mapping[str, ColumnTest] = field(default_factory=dict)
    severity: str = "error"


def parse_config(document: Mapping[str, Any], source: str) -> DriftConfig:
    """``checks.drift`` (already schema-checked) as a :class:`DriftConfig`."""
    section = dict(document["checks"]["drift"] or {})
    tests = {column: ColumnTest(**options) for column, options in section.pop("tests", {}).items()}
    for column, override in tests.items():
        if (
            override.test in P_VALUE_TESTS
            and override.threshold is not None
            and not 0 < override.threshold < 1
        ):
            raise GateFileError(
                f"{source}: "
                + MSG_P_THRESHOLD.format(column=column, test=override.test, got=override.threshold)
            )
    columns = section.pop("columns", None)
    return DriftConfig(
        columns=tuple(columns) if columns is not None else None,
        exclude=tuple(section.pop("exclude", ())),
        tests=tests,
        **section,
    )


@dataclass
class _Column:
    """One column to compare: its name, role and the two samples."""

    name: str
    role: str
    reference: pd.Series
    evaluation: pd.Series
    kind: str | None = None  # fixed by role (labels of a classifier), else from the data


def _feature_columns(context: EvaluationContext, config: DriftConfig) -> list[str]:
    chosen = list(config.columns) if config.columns is not None else list(context.features)
    return [c for c in chosen if c not in config.exclude]


def validate_config(context: EvaluationContext) -> None:
    """Reference present, same columns on both sides, comparable types, nothing all-null."""
    config = context.spec.config(FAMILY, DriftConfig)
    if context.reference is None:
        raise GateFileError(f"{context.spec.source}: {MSG_NEEDS_REFERENCE}")
    frame, reference = context.data.frame, context.reference.frame
    eval_columns = [str(c) for c in frame.columns]
    for key, names in (("columns", config.columns or ()), ("exclude", config.exclude)):
        for name in names:
            if name not in frame.columns and (key == "columns" or name not in reference.columns):
                raise InputError(
                    MSG_UNKNOWN_COLUMN.format(
                        key=key,
                        column=name,
                        hint=did_you_mean(name, eval_columns),
                        columns=", ".join(eval_columns[:12]),
                    )
                )
    features = _feature_columns(context, config)
    wanted = [*features, context.spec.target] if _tests_label(context, config) else features
    missing = [c for c in wanted if c not in reference.columns and c not in config.exclude]
    if missing:
        raise InputError(
            MSG_NOT_IN_REFERENCE.format(
                columns=", ".join(f"'{c}'" for c in missing), source=context.reference.source
            )
        )
    spec = context.spec
    outputs = {spec.prediction, spec.baseline_prediction, spec.sample_weight}
    extra = [
        str(c)
        for c in reference.columns
        if c not in frame.columns and c not in config.exclude and c not in outputs
    ]
    if extra and config.columns is None:
        raise InputError(MSG_NOT_IN_EVAL.format(columns=", ".join(f"'{c}'" for c in extra)))
    for column in wanted:
        _check_comparable(column, reference[column], frame[column])
    for column, override in config.tests.items():
        if column not in wanted and column != PREDICTION:
            raise InputError(
                MSG_UNKNOWN_COLUMN.format(
                    key="tests",
                    column=column,
                    hint=did_you_mean(column, [*wanted, PREDICTION]),
                    columns=", ".join([*wanted, PREDICTION][:12]),
                )
            )
        if override.test is not None:
            kind = (
                _prediction_kind(context)
                if column == PREDICTION
                else _kind(column, reference[column], context)
            )
            if override.test not in TESTS_BY_KIND[kind]:
                raise GateFileError(
                    f"{context.spec.source}: "
                    + MSG_WRONG_TEST.format(
                        column=column,
                        test=override.test,
                        kind=kind,
                        tests=", ".join(TESTS_BY_KIND[kind]),
                    )
                )


def _tests_label(context: EvaluationContext, config: DriftConfig) -> bool:
    return config.label and context.spec.target not in config.exclude


def _check_comparable(column: str, reference: pd.Series, evaluation: pd.Series) -> None:
    sides = (("data.reference", reference), ("data.eval", evaluation))
    for side, values in sides:
        if values.isna().all():
            raise InputError(MSG_ALL_NULL.format(column=column, side=side))
    numeric = [is_number(values) for _, values in sides]
    if numeric[0] != numeric[1]:
        number_side, text_side = (sides[0], sides[1]) if numeric[0] else (sides[1], sides[0])
        raise InputError(
            MSG_TYPE_MISMATCH.format(
                column=column, numeric=number_side[0], text=text_side[0], dtype=text_side[1].dtype
            )
        )


def _prediction_kind(context: EvaluationContext) -> str:
    """Scores of a binary classifier and regression values are numeric; class labels are not."""
    if context.task == "regression":
        return NUMERIC
    scores = context.task == "binary" and context.model.y_proba is not None
    return NUMERIC if scores else CATEGORICAL


def _kind(column: str, reference: pd.Series, context: EvaluationContext) -> str:
    if column == context.spec.target and context.task != "regression":
        return CATEGORICAL
    return column_kind(reference, context.spec.seed)


def compare_column(
    column: _Column, config: DriftConfig, seed: int, override: ColumnTest | None = None
) -> ColumnDrift:
    """Test one column with the test its type and size call for (or the override)."""
    kind = column.kind or column_kind(column.reference, seed)
    missing_ref = int(column.reference.isna().sum())
    missing_eval = int(column.evaluation.isna().sum())
    n_ref = len(column.reference) - missing_ref
    n_eval = len(column.evaluation) - missing_eval
    test = (override.test if override else None) or choose_test(
        kind, n_ref, n_eval, config.large_sample
    )
    given = override.threshold if override else None
    notes: list[str] = []
    if kind == NUMERIC:
        statistic, p_value, histogram = numeric_drift(
            column.reference, column.evaluation, test, bins=config.bins
        )
    else:
        statistic, p_value, histogram, levels = categorical_drift(
            column.reference, column.evaluation, test, max_categories=config.max_categories
        )
        if levels > config.max_categories:
            notes.append(
                MSG_MANY_LEVELS.format(
                    column=column.name, levels=levels, kept=config.max_categories
                )
            )
    if p_value is None:
        threshold = given if given is not None else DEFAULT_THRESHOLDS[test]
    else:
        threshold = given if given is not None else config.alpha
    return ColumnDrift(
        column=column.name,
        role=column.role,
        kind=kind,
        test=test,
        statistic=statistic,
        p_value=p_value,
        threshold=float(threshold),
        corrected=p_value is not None and given is None,
        n_reference=n_ref,
        n_eval=n_eval,
        missing_reference=missing_ref / len(column.reference),
        missing_eval=missing_eval / len(column.evaluation),
        histogram=histogram,
        notes=notes,
    )


def compare_columns(
    columns: list[_Column], config: DriftConfig, seed: int
) -> tuple[list[ColumnDrift], int]:
    """Every column compared, Holm applied over the corrected p-values; (results, family size)."""
    results = [compare_column(c, config, seed, config.tests.get(c.name)) for c in columns]
    family = [r for r in results if r.corrected]
    for result, adjusted in zip(family, holm([r.p_value or 0.0 for r in family]), strict=True):
        result.adjusted_p_value = adjusted
    for result in results:
        result.decide()
    return results, len(family)


def drift_between(
    reference: pd.DataFrame,
    evaluation: pd.DataFrame,
    config: DriftConfig | None = None,
    *,
    seed: int = 0,
) -> list[ColumnDrift]:
    """Compare every shared column of two frames as features (for benchmarks and notebooks)."""
    config = config or DriftConfig()
    columns = [
        _Column(str(name), "feature", reference[name], evaluation[name])
        for name in reference.columns
        if name in evaluation.columns
    ]
    return compare_columns(columns, config, seed)[0]


def _prediction_column(context: EvaluationContext) -> tuple[_Column | None, str | None]:
    """The model's scores (binary) or labels/values on both sides; or why there are none."""
    import pandas as pd

    from mlgate.prediction import predict

    spec, reference = context.spec, context.reference
    assert reference is not None
    outputs = context.model
    if outputs.model is None:
        column = spec.prediction
        if column is None or column not in reference.frame.columns:
            return None, MSG_NO_REFERENCE_PREDICTIONS.format(column=column)
        ref_pred = reference.frame[column].to_numpy()
        ref_proba = None
    else:
        model = outputs.model
        features = context.features
        ref_outputs = context.memo(
            "drift.reference_outputs",
            lambda: predict(
                model,
                reference.frame[features],
                "data.reference",
                want_proba=context.task == "binary",
            ),
        )
        ref_pred, ref_proba = ref_outputs.y_pred, ref_outputs.y_proba
    kind = NUMERIC if context.task == "regression" else CATEGORICAL
    if context.task == "binary" and outputs.y_proba is not None and ref_proba is not None:
        assert context.labels is not None
        index = context.labels.index(context.pos_label)
        return (
            _Column(
                PREDICTION,
                "prediction",
                pd.Series(ref_proba[:, index]),
                pd.Series(outputs.y_proba[:, index]),
                NUMERIC,
            ),
            None,
        )
    return _Column(
        PREDICTION, "prediction", pd.Series(ref_pred), pd.Series(outputs.y_pred), kind
    ), None


def _importance(context: EvaluationContext) -> dict[str, float] | None:
    """Global importance by input column when explainability runs in this gate, else None.

    Through ``mlgate.checks.explainability.global_importance(context)``, memoized on the context
    by that family, so there is no second SHAP pass.
    """
    if "explainability" not in context.spec.document.get("checks", {}):
        return None
    from mlgate.checks.explainability import global_importance

    importance = global_importance(context)
    return None if importance is None else {str(k): float(v) for k, v in importance.items()}


def _ordered(results: list[ColumnDrift], importance: dict[str, float] | None) -> list[ColumnDrift]:
    """Drifted first (by importance when known, else by strength), then the rest by name order."""
    drifted = [r for r in results if r.drifted]
    if importance is not None:
        drifted.sort(key=lambda r: (-importance.get(r.column, 0.0), -r.strength))
    else:
        drifted.sort(key=lambda r: -r.strength)
    return drifted + [r for r in results if not r.drifted]


def _describe(result: ColumnDrift) -> str:
    """The quantity compared against the threshold, with the test statistic beside a p-value."""
    name = TEST_NAMES[result.test]
    if result.p_value is None:
        return f"{name} {fmt(result.statistic)} vs threshold {fmt(result.threshold)}"
    level = "alpha" if result.corrected else "threshold"
    return (
        f"{name} statistic {fmt(result.statistic)}, "
        f"{_compared(result)}={fmt(_compared_value(result))} vs {level} {fmt(result.threshold)}"
    )


def _compared(result: ColumnDrift) -> str:
    """What the threshold was compared with: an (adjusted) p-value or the distance itself."""
    if result.p_value is None:
        return TEST_NAMES[result.test]
    return "Holm-adjusted p" if result.corrected else "p"


def _compared_value(result: ColumnDrift) -> float:
    if result.p_value is None:
        return result.statistic
    if result.corrected and result.adjusted_p_value is not None:
        return result.adjusted_p_value
    return result.p_value


def _threshold_of(result: ColumnDrift) -> dict[str, float]:
    """``{alpha: 0.05}`` (Holm), ``{p: 0.01}`` (own level) or ``{wasserstein: 0.1}``."""
    if result.p_value is None:
        return {result.test: result.threshold}
    return {"alpha" if result.corrected else "p": result.threshold}


def _features_threshold(results: list[ColumnDrift], alpha: float) -> dict[str, Any]:
    """The rules that decided the columns: none may drift; Holm's alpha and each test's level.

    Only rules that some column was judged by are listed, so a gate decided by distances does
    not show an alpha that played no part. A rule whose level differs between columns (per-column
    overrides) reads ``per column``.
    """
    threshold: dict[str, Any] = {"max_drifted_columns": 0}
    if any(r.corrected for r in results):
        threshold["alpha"] = alpha
    for result in results:
        if result.corrected:
            continue
        key = result.test if result.p_value is None else f"{result.test} p"
        seen = threshold.get(key, result.threshold)
        threshold[key] = result.threshold if seen == result.threshold else "per column"
    return threshold


def _how(results: list[ColumnDrift], alpha: float) -> str:
    tests = sorted({r.test for r in results})
    names = ", ".join(tests)
    if any(r.corrected for r in results):
        return f"{names}; Holm-corrected at {fmt(alpha)}"
    return names


def check_names(config: DriftConfig) -> list[str]:
    """Every check name :func:`drift_checks` reports, from the gate file alone (pytest items).

    A label excluded through ``exclude`` is not known here; its item then says the gate produced
    no result for it, which fails closed.
    """
    roles = [("features", config.columns != ()), ("prediction", config.prediction)]
    return [role for role, on in [*roles, ("label", config.label)] if on]


@check_family(
    FAMILY,
    "features, prediction and label vs data.reference; test by type and size, Holm-corrected",
    parse=parse_config,
    validate=validate_config,
    names=check_names,
)
def drift_checks(context: EvaluationContext) -> list[CheckResult]:
    """``drift.features``, ``drift.prediction`` and ``drift.label``, with one shared correction."""
    config = context.spec.config(FAMILY, DriftConfig)
    assert context.reference is not None
    frame, reference = context.data.frame, context.reference.frame
    columns = [
        _Column(name, "feature", reference[name], frame[name], None)
        for name in _feature_columns(context, config)
    ]
    for column in columns:
        column.kind = _kind(column.name, column.reference, context)
    skipped: dict[str, str] = {}
    if config.prediction:
        prediction, reason = _prediction_column(context)
        if prediction is not None:
            columns.append(prediction)
        else:
            skipped["prediction"] = reason or ""
    if _tests_label(context, config):
        target = context.spec.target
        label_kind = NUMERIC if context.task == "regression" else CATEGORICAL
        columns.append(_Column(target, "label", reference[target], frame[target], label_kind))
    results, family_size = compare_columns(columns, config, context.spec.seed)
    importance = _importance(context)
    shared = {
        "alpha": config.alpha,
        "correction": "holm",
        "tests_corrected": family_size,
        "large_sample": config.large_sample,
    }
    checks = []
    features = [r for r in results if r.role == "feature"]
    if features:
        checks.append(_features_result(features, importance, shared, config))
    for role in ("prediction", "label"):
        found = [r for r in results if r.role == role]
        if found:
            checks.append(_single_result(found[0], shared, config))
        elif role in skipped:
            checks.append(
                CheckResult(
                    id=check_id(FAMILY, role),
                    family=FAMILY,
                    name=role,
                    status=SKIPPED,
                    message=MSG_SKIPPED.format(what=role, reason=skipped[role]),
                    severity=config.severity,
                )
            )
    return checks


def _status(drifted: bool, config: DriftConfig) -> str:
    if not drifted:
        return PASSED
    return failure_status(config.severity)


def _features_result(
    results: list[ColumnDrift],
    importance: dict[str, float] | None,
    shared: dict[str, Any],
    config: DriftConfig,
) -> CheckResult:
    ordered = _ordered(results, importance)
    drifted = [r for r in ordered if r.drifted]
    notes = [note for r in results for note in r.notes]
    how = _how(results, config.alpha)
    what = "feature(s)"
    most_important = drifted[0].column if drifted and importance is not None else None
    if drifted:
        shown = ", ".join(f"'{r.column}' ({_describe(r)})" for r in drifted[:SHOWN_DRIFTED])
        if len(drifted) > SHOWN_DRIFTED:
            shown += f" and {len(drifted) - SHOWN_DRIFTED} more"
        message = MSG_DRIFTED.format(
            drifted=len(drifted), count=len(results), what=what, how=how, shown=shown
        )
        if most_important is not None:
            message += MSG_MOST_IMPORTANT.format(column=most_important)
    else:
        message = MSG_PASSED.format(count=len(results), what=what, how=how)
    if notes:
        message += "; " + "; ".join(notes[:2])
    return CheckResult(
        id=f"{FAMILY}.features",
        family=FAMILY,
        name="features",
        status=_status(bool(drifted), config),
        value=len(drifted),
        threshold=_features_threshold(results, config.alpha),
        message=message,
        details={
            **shared,
            "columns": [r.to_dict() for r in ordered],
            "drifted": [r.column for r in drifted],
            "importance": importance,
            "most_important_drifted": most_important,
            "notes": notes,
        },
        severity=config.severity,
    )


def _single_result(result: ColumnDrift, shared: dict[str, Any], config: DriftConfig) -> CheckResult:
    template = MSG_ONE_DRIFTED if result.drifted else MSG_ONE_PASSED
    subject = (
        f"the model's {'scores' if result.kind == NUMERIC else 'prediction'}"
        if result.role == "prediction"
        else f"label '{result.column}'"
    )
    message = template.format(subject=subject, result=_describe(result))
    if result.notes:
        message += "; " + "; ".join(result.notes)
    return CheckResult(
        id=f"{FAMILY}.{result.role}",
        family=FAMILY,
        name=result.role,
        status=_status(result.drifted, config),
        value=_compared_value(result),
        threshold=_threshold_of(result),
        message=message,
        details={
            **shared,
            "compared": _COMPARED_NAMES.get(_compared(result), _compared(result)),
            "statistic": result.statistic,
            "test": result.test,
            "columns": [result.to_dict()],
            "drifted": [result.column] if result.drifted else [],
            "notes": list(result.notes),
        },
        severity=config.severity,
    )


__all__ = ["ColumnTest", "DriftConfig", "drift_between", "drift_checks"]
