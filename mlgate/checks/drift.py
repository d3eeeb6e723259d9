"""Drift checks: features, the model's prediction and the label, reference vs eval data.

The reference is ``data.reference`` (the training snapshot) as the engine loaded it; the family
reads both tables through ``context.drift`` (:mod:`mlgate.checks._drift_sides`), which each engine
answers its own way. Each column gets one test, chosen from its type and sample size and
reported:

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
                  (shares), "bound" (the most binning can put the statistic off; 0 when
                  exact), "notes": [str],
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

from mlgate.checks._drift_sides import (
    PREDICTION_ROLE,
    Compared,
    DriftSides,
    FrameSides,
    Planned,
    Profile,
    Sizes,
)
from mlgate.checks._drift_stats import (
    CATEGORICAL,
    DEFAULT_THRESHOLDS,
    NUMERIC,
    P_VALUE_TESTS,
    TEST_NAMES,
    TESTS_BY_KIND,
    ColumnDrift,
    Measured,
    choose_test,
    holm,
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
MSG_REFERENCE_LACKS_INPUTS = (
    "checks.drift: data.reference has no column(s) {columns}, which the model reads, so its "
    "prediction cannot be compared; add them to the reference or set checks.drift.prediction: false"
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


def _feature_columns(context: EvaluationContext, config: DriftConfig) -> list[str]:
    chosen = list(config.columns) if config.columns is not None else list(context.features)
    return [c for c in chosen if c not in config.exclude]


def drift_sides(context: EvaluationContext) -> DriftSides | None:
    """The engine's view of the two tables (pandas unless the engine set its own); None without
    reference data."""
    if context.drift is not None:
        return context.drift
    reference = context.reference
    if reference is None:
        return None
    return context.memo(
        "drift.sides",
        lambda: FrameSides(
            reference.frame,
            context.data.frame,
            reference.source,
            prediction=lambda: _prediction_pair(context),
        ),
    )


def validate_config(context: EvaluationContext) -> None:
    """Reference present, same columns on both sides, comparable types, nothing all-null."""
    config = context.spec.config(FAMILY, DriftConfig)
    sides = drift_sides(context)
    if sides is None:
        raise GateFileError(f"{context.spec.source}: {MSG_NEEDS_REFERENCE}")
    eval_columns, reference_columns = sides.eval_columns, sides.reference_columns
    for key, names in (("columns", config.columns or ()), ("exclude", config.exclude)):
        for name in names:
            if name not in eval_columns and (key == "columns" or name not in reference_columns):
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
    missing = [c for c in wanted if c not in reference_columns and c not in config.exclude]
    if missing:
        raise InputError(
            MSG_NOT_IN_REFERENCE.format(
                columns=", ".join(f"'{c}'" for c in missing), source=sides.reference_source
            )
        )
    spec = context.spec
    outputs = {spec.prediction, spec.baseline_prediction, spec.sample_weight}
    extra = [
        c
        for c in reference_columns
        if c not in eval_columns and c not in config.exclude and c not in outputs
    ]
    if extra and config.columns is None:
        raise InputError(MSG_NOT_IN_EVAL.format(columns=", ".join(f"'{c}'" for c in extra)))
    if config.prediction and context.model.model is not None:
        lacking = [c for c in context.features if c not in reference_columns]
        if lacking:
            listed = ", ".join(f"'{c}'" for c in lacking)
            raise InputError(MSG_REFERENCE_LACKS_INPUTS.format(columns=listed))
    for column, profile in sides.profiles(wanted).items():
        _check_comparable(column, profile)
    overridden = [c for c, o in config.tests.items() if o.test is not None and c != PREDICTION]
    kinds = _kinds(context, sides, [c for c in overridden if c in wanted])
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
            kind = prediction_kind(context) if column == PREDICTION else kinds[column]
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


def _check_comparable(column: str, profile: Profile) -> None:
    for side, empty in (
        ("data.reference", profile.empty_reference),
        ("data.eval", profile.empty_eval),
    ):
        if empty:
            raise InputError(MSG_ALL_NULL.format(column=column, side=side))
    if profile.numeric_reference != profile.numeric_eval:
        numeric, text, dtype = (
            ("data.reference", "data.eval", profile.dtype_eval)
            if profile.numeric_reference
            else ("data.eval", "data.reference", profile.dtype_reference)
        )
        raise InputError(
            MSG_TYPE_MISMATCH.format(column=column, numeric=numeric, text=text, dtype=dtype)
        )


def prediction_kind(context: EvaluationContext) -> str:
    """A binary model's scores and regression values are numeric; class labels are not.

    Precomputed predictions are labels: the reference holds no scores to compare with.
    """
    if context.task == "regression":
        return NUMERIC
    outputs = context.model
    scores = context.task == "binary" and outputs.model is not None and outputs.y_proba is not None
    return NUMERIC if scores else CATEGORICAL


def _label_kind(context: EvaluationContext) -> str:
    return NUMERIC if context.task == "regression" else CATEGORICAL


def _kinds(context: EvaluationContext, sides: DriftSides, columns: list[str]) -> dict[str, str]:
    """Each data column's kind; the target's is fixed by the task (a classifier's labels are
    categorical, a regression's values numeric). Asked of the engine once per column: the
    validation and the checks both need them."""
    target = context.spec.target
    known: dict[str, str] = context.memo("drift.kinds", dict)
    unknown = [c for c in columns if c != target and c not in known]
    if unknown:
        known.update(sides.kinds(unknown, context.spec.seed))
    return {c: _label_kind(context) if c == target else known[c] for c in columns}


def compare_columns(
    sides: DriftSides, columns: list[Compared], config: DriftConfig, seed: int
) -> tuple[list[ColumnDrift], int]:
    """Every column compared, Holm applied over the corrected p-values; (results, family size)."""
    kinds = sides.kinds([c.name for c in columns if c.kind is None], seed)
    sizes = sides.sizes(columns)
    planned = []
    for column in columns:
        kind = column.kind or kinds[column.name]
        override = config.tests.get(column.name)
        size = sizes[column.name]
        test = (override.test if override else None) or choose_test(
            kind, size.n_reference, size.n_eval, config.large_sample
        )
        planned.append(Planned(column, kind, test))
    measured = sides.measure(planned, bins=config.bins, max_categories=config.max_categories)
    results = [
        _column_drift(plan, sizes[plan.column.name], measured[plan.column.name], config)
        for plan in planned
    ]
    family = [r for r in results if r.corrected]
    for result, adjusted in zip(family, holm([r.p_value or 0.0 for r in family]), strict=True):
        result.adjusted_p_value = adjusted
    for result in results:
        result.decide()
    return results, len(family)


def _column_drift(
    plan: Planned, size: Sizes, measured: Measured, config: DriftConfig
) -> ColumnDrift:
    """One column's finding: the measured statistic against its threshold, with its notes."""
    column = plan.column
    override = config.tests.get(column.name)
    given = override.threshold if override else None
    notes: list[str] = []
    if measured.levels > config.max_categories:
        notes.append(
            MSG_MANY_LEVELS.format(
                column=column.name, levels=measured.levels, kept=config.max_categories
            )
        )
    default = DEFAULT_THRESHOLDS[plan.test] if measured.p_value is None else config.alpha
    rows_reference = size.n_reference + size.missing_reference
    rows_eval = size.n_eval + size.missing_eval
    return ColumnDrift(
        column=column.name,
        role=column.role,
        kind=plan.kind,
        test=plan.test,
        statistic=measured.statistic,
        p_value=measured.p_value,
        threshold=float(given if given is not None else default),
        corrected=measured.p_value is not None and given is None,
        n_reference=size.n_reference,
        n_eval=size.n_eval,
        missing_reference=size.missing_reference / rows_reference if rows_reference else 0.0,
        missing_eval=size.missing_eval / rows_eval if rows_eval else 0.0,
        histogram=measured.histogram,
        bound=measured.bound,
        notes=notes,
    )


def drift_between(
    reference: pd.DataFrame,
    evaluation: pd.DataFrame,
    config: DriftConfig | None = None,
    *,
    seed: int = 0,
) -> list[ColumnDrift]:
    """Compare every shared column of two frames as features (for benchmarks and notebooks)."""
    config = config or DriftConfig()
    sides = FrameSides(reference, evaluation, "reference")
    columns = [
        Compared(str(name), "feature") for name in reference.columns if name in evaluation.columns
    ]
    return compare_columns(sides, columns, config, seed)[0]


def _prediction_unavailable(context: EvaluationContext, sides: DriftSides) -> str | None:
    """Why the model's output cannot be compared, or None: precomputed predictions need the
    same column in the reference."""
    if context.model.model is not None:
        return None
    column = context.spec.prediction
    if column is None or column not in sides.reference_columns:
        return MSG_NO_REFERENCE_PREDICTIONS.format(column=column)
    return None


def _prediction_pair(context: EvaluationContext) -> tuple[pd.Series, pd.Series]:
    """The model's scores (binary) or labels/values on (reference, eval), in memory."""
    import pandas as pd

    from mlgate.prediction import predict

    reference = context.reference
    assert reference is not None
    outputs = context.model
    if outputs.model is None:
        assert context.spec.prediction is not None
        return pd.Series(reference.frame[context.spec.prediction].to_numpy()), pd.Series(
            outputs.y_pred
        )
    model, features = outputs.model, context.features
    ref_outputs = context.memo(
        "drift.reference_outputs",
        lambda: predict(
            model, reference.frame[features], "data.reference", want_proba=context.task == "binary"
        ),
    )
    if prediction_kind(context) == NUMERIC and context.task == "binary":
        assert context.labels is not None and outputs.y_proba is not None
        index = context.labels.index(context.pos_label)
        return pd.Series(ref_outputs.y_proba[:, index]), pd.Series(outputs.y_proba[:, index])
    return pd.Series(ref_outputs.y_pred), pd.Series(outputs.y_pred)


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
    spark_rows="all",
)
def drift_checks(context: EvaluationContext) -> list[CheckResult]:
    """``drift.features``, ``drift.prediction`` and ``drift.label``, with one shared correction."""
    config = context.spec.config(FAMILY, DriftConfig)
    sides = drift_sides(context)
    assert sides is not None
    columns = [Compared(name, "feature") for name in _feature_columns(context, config)]
    kinds = _kinds(context, sides, [c.name for c in columns])
    columns = [Compared(c.name, c.role, kinds[c.name]) for c in columns]
    skipped: dict[str, str] = {}
    if config.prediction:
        reason = _prediction_unavailable(context, sides)
        if reason is None:
            columns.append(Compared(PREDICTION, PREDICTION_ROLE, prediction_kind(context)))
        else:
            skipped["prediction"] = reason
    if _tests_label(context, config):
        target = context.spec.target
        columns.append(Compared(target, "label", _label_kind(context)))
    results, family_size = compare_columns(sides, columns, config, context.spec.seed)
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
