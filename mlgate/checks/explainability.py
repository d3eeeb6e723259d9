"""Explainability checks: global SHAP importance of the model, and rules on it.

One SHAP pass per model (see :mod:`mlgate.checks._shap` for how the explainer follows the model)
on ``sample`` rows drawn with the gate's seed, shared through the context memo under
``explainability.importance.model`` (and ``.baseline``). Other families reuse it through
:func:`global_importance`. Any SHAP failure makes every explainability check ``errored`` with the
reason in one line, so the gate fails; it is never a warning.

Checks (``checks.explainability`` in the gate file)
---------------------------------------------------
``explainability.importance``
    Always present: how the importance was computed, and the importance itself. ``value`` is the
    number of rows explained. ``details``::

        {"algorithm": "tree_path_dependent" | "saabas" | "interventional_tree" | "linear"
                      | "permutation",
         "explainer": "TreeExplainer", "model_type": "RandomForestClassifier",
         "output": "probability of class 1",      # what is explained (never hard labels)
         "feature_space": "input" | "transformed",  # "transformed": pipeline not mappable
         "sample": {"requested": 1000, "rows": 1000, "of": 20000, "seed": 0,
                    "background": 100 | null},
         "seconds": 0.41,                          # wall time of the SHAP pass
         "importance": {feature: mean |SHAP|},     # in ranking order
         "ranking": [feature, ...],                # most important first
         "share": {feature: share of total},       # sums to 1
         "per_class": {class: {feature: mean |SHAP|}} | null,   # multiclass only
         "agreement": null | {"rows": 32, "spearman": 0.95, "top_k": 5, "top_k_overlap": 1.0,
                              "exact_top_k": [...], "approximate_top_k": [...],
                              "exact_seconds_per_row": 0.028},   # when Saabas was used
         "notes": [str, ...]}

``explainability.forbidden_in_top_k`` / ``explainability.required_in_top_k``
    ``value``: how many listed features break the rule. ``details``:
    ``{"k", "features", "top_k": [...], "ranks": {feature: rank (1-based) | null},
    "offending": [...]}``.
``explainability.max_feature_share``
    ``value``: the largest share. ``details``: ``{"feature", "share", "max"}``.
``explainability.baseline_rank_agreement``
    ``value``: Spearman correlation between the two models' importances over the union of their
    top-k features (0 for a feature a model does not use). ``details``: ``{"top_k", "features",
    "model_importance", "baseline_importance", "spearman", "top_k_overlap", "model_top_k",
    "baseline_top_k", "baseline_algorithm", "min"}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.errors import GateFileError, InputError, did_you_mean
from mlgate.families import check_family
from mlgate.result import ERRORED, PASSED, SKIPPED, CheckResult, check_id, failure_status

if TYPE_CHECKING:
    import numpy as np

    from mlgate.checks._shap import Importance
    from mlgate.context import EvaluationContext
    from mlgate.prediction import ModelOutputs

FAMILY = "explainability"
KEY = f"checks.{FAMILY}"
MODEL_MEMO = "explainability.importance.model"
BASELINE_MEMO = "explainability.importance.baseline"
DEFAULT_SAMPLE = 1000
TOP_SHOWN = 5

MSG_NOT_A_COLUMN = "'{key}': '{feature}' is not a column of {source}{hint}"
MSG_K_TOO_LARGE = (
    "'{key}' must be at most the number of features the model takes ({count}), got {got}"
)
MSG_AGREEMENT_NEEDS_BASELINE = (
    "'{key}.baseline_rank_agreement' needs a baseline model to compare with; set 'baseline' "
    "or remove it"
)
MSG_AGREEMENT_NEEDS_MODEL = (
    "'{key}.baseline_rank_agreement' needs the baseline model itself, but the gate has only "
    "its predictions ('baseline_prediction'); set 'baseline' to the champion model or remove it"
)
MSG_NO_MODEL = (
    "explainability needs the model itself, but the gate has only precomputed predictions; set "
    "'model' or remove checks.explainability"
)
MSG_SHAP_FAILED = "SHAP failed on {model_type}: {reason}"
MSG_IMPORTANCE = (
    "mean |SHAP| on {rows} rows by {algorithm} ({explainer}, {output}) in {seconds} s; top "
    "features: {top}"
)
MSG_FORBIDDEN_PASSED = "none of {features} is in the top {k} features ({top})"
MSG_FORBIDDEN_FAILED = "forbidden feature(s) in the top {k}: {offending}"
MSG_REQUIRED_PASSED = "{features} in the top {k} features ({top})"
MSG_REQUIRED_FAILED = "required feature(s) not in the top {k}: {offending} (top {k}: {top})"
MSG_SHARE_PASSED = "the largest share of mean |SHAP| is {feature} with {share}, within max {limit}"
MSG_SHARE_FAILED = "{feature} holds {share} of total mean |SHAP|, above max {limit}"
MSG_AGREEMENT_PASSED = (
    "Spearman {value} between model and baseline importance over their top {k} features "
    "({n} in all), at least {limit}"
)
MSG_AGREEMENT_FAILED = (
    "Spearman {value} between model and baseline importance over their top {k} features "
    "({n} in all), below min {limit}"
)
MSG_AGREEMENT_UNDEFINED = (
    "rank agreement is undefined: the importances over the top {k} features are constant"
)
MSG_NO_BASELINE = "no baseline to compare with: {reason}"
MSG_BASELINE_FAILED = "the baseline could not be explained: {reason}"
MSG_TRANSFORMED = (
    "importances are by transformed feature (the pipeline's transform mixes input columns), so "
    "input-column rules cannot be checked; explain a model whose transform keeps columns apart"
)


@dataclass(frozen=True)
class TopKRule:
    """A list of features and the top-k they must (not) appear in."""

    k: int
    features: tuple[str, ...]


@dataclass(frozen=True)
class RankAgreement:
    """Minimum rank agreement with the baseline's importance over the top-k features."""

    top_k: int
    min: float


@dataclass(frozen=True)
class ExplainabilityConfig:
    """``checks.explainability``, typed."""

    sample: int = DEFAULT_SAMPLE
    exact: bool = False
    severity: str = "error"
    forbidden_in_top_k: TopKRule | None = None
    required_in_top_k: TopKRule | None = None
    max_feature_share: float | None = None
    baseline_rank_agreement: RankAgreement | None = None


@dataclass(frozen=True)
class ExplainFailure:
    """Why a model could not be explained (one line)."""

    reason: str


def parse_config(document: Mapping[str, Any], source: str) -> ExplainabilityConfig:
    """The section as a typed config; its structure was already checked by the schema."""
    section = document.get("checks", {}).get(FAMILY) or {}

    def top_k(name: str) -> TopKRule | None:
        rule = section.get(name)
        return None if rule is None else TopKRule(k=rule["k"], features=tuple(rule["features"]))

    agreement = section.get("baseline_rank_agreement")
    return ExplainabilityConfig(
        sample=section.get("sample", DEFAULT_SAMPLE),
        exact=section.get("exact", False),
        severity=section.get("severity", "error"),
        forbidden_in_top_k=top_k("forbidden_in_top_k"),
        required_in_top_k=top_k("required_in_top_k"),
        max_feature_share=section.get("max_feature_share"),
        baseline_rank_agreement=(
            None
            if agreement is None
            else RankAgreement(top_k=agreement["top_k"], min=agreement["min"])
        ),
    )


def validate_config(context: EvaluationContext) -> None:
    """Listed features are columns, k fits the model, and agreement has a baseline model."""
    config = _config(context)
    columns = [str(c) for c in context.data.frame.columns]
    count = len(context.features)
    for name in ("forbidden_in_top_k", "required_in_top_k"):
        rule = getattr(config, name)
        if rule is None:
            continue
        for feature in rule.features:
            if feature not in columns:
                raise InputError(
                    MSG_NOT_A_COLUMN.format(
                        key=f"{KEY}.{name}.features",
                        feature=feature,
                        source=context.data.source,
                        hint=did_you_mean(feature, columns),
                    )
                )
        if rule.k > count:
            raise GateFileError(
                MSG_K_TOO_LARGE.format(key=f"{KEY}.{name}.k", count=count, got=rule.k)
            )
    agreement = config.baseline_rank_agreement
    if agreement is None:
        return
    if agreement.top_k > count:
        raise GateFileError(
            MSG_K_TOO_LARGE.format(
                key=f"{KEY}.baseline_rank_agreement.top_k", count=count, got=agreement.top_k
            )
        )
    if context.baseline is None and context.baseline_skipped_reason is None:
        raise GateFileError(MSG_AGREEMENT_NEEDS_BASELINE.format(key=KEY))
    if context.baseline is not None and context.baseline.model is None:
        raise GateFileError(MSG_AGREEMENT_NEEDS_MODEL.format(key=KEY))


def _config(context: EvaluationContext) -> ExplainabilityConfig:
    return context.spec.config(FAMILY, ExplainabilityConfig)


def sample_rows(n_rows: int, sample: int, seed: int) -> np.ndarray:
    """Positions of the rows explained: a seeded random subset of at most ``sample`` rows.

    The first rows of the subset double as the background of explainers that need one.
    """
    import numpy as np

    return np.random.default_rng(seed).permutation(n_rows)[: min(sample, n_rows)]


def _explain(
    context: EvaluationContext, outputs: ModelOutputs, key: str
) -> Importance | ExplainFailure:
    from mlgate.checks._shap import ExplainUnsupportedError, explain
    from mlgate.context import choose_features
    from mlgate.prediction import error_text

    loaded = outputs.model
    if loaded is None:
        return ExplainFailure(MSG_NO_MODEL)
    config = _config(context)
    features = (
        context.features
        if key == "model"
        else choose_features(context.spec, context.data, loaded, key)
    )
    rows = sample_rows(context.n_rows, config.sample, context.spec.seed)
    try:
        return explain(
            loaded.predictor,
            context.data.frame[features],
            rows,
            task=context.task,
            classes=loaded.classes,
            pos_label=context.pos_label,
            exact=config.exact,
            seed=context.spec.seed,
        )
    except ExplainUnsupportedError as error:
        return ExplainFailure(str(error))
    except Exception as error:  # any SHAP failure fails the gate, with its reason
        reason = f"{type(error).__name__}: {error_text(error)}"
        model_type = type(loaded.predictor).__name__
        return ExplainFailure(MSG_SHAP_FAILED.format(model_type=model_type, reason=reason))


def model_importance(context: EvaluationContext) -> Importance | ExplainFailure:
    """The model under test's importance, computed once per gate."""
    result: Importance | ExplainFailure = context.memo(
        MODEL_MEMO, lambda: _explain(context, context.model, "model")
    )
    return result


def global_importance(context: EvaluationContext) -> dict[str, float] | None:
    """Mean |SHAP| by input column of the model under test, or None if it cannot be explained.

    Other families (drift ordering its findings) call this only when ``checks.explainability``
    is configured; the SHAP pass is shared with the explainability checks through the memo.
    """
    importance = model_importance(context)
    return None if isinstance(importance, ExplainFailure) else dict(importance.values)


def check_names(config: ExplainabilityConfig) -> list[str]:
    """The importance record, then each configured rule: what the family reports, in order."""
    return ["importance", *(name for name in _RULES if getattr(config, name) is not None)]


@check_family(
    FAMILY,
    "SHAP importance: forbidden/required features in the top k, max share, rank vs baseline",
    parse=parse_config,
    validate=validate_config,
    names=check_names,
    spark_rows="sample",
)
def explainability_checks(context: EvaluationContext) -> list[CheckResult]:
    """The importance record, then one result per configured rule."""
    config = _config(context)
    names = check_names(config)[1:]
    importance = model_importance(context)
    if isinstance(importance, ExplainFailure):
        return [
            _result(name, config, status=ERRORED, message=importance.reason)
            for name in ["importance", *names]
        ]
    results = [_importance_result(importance, context, config)]
    for name in names:
        results.append(_RULES[name](importance, context, config))
    return results


def _result(name: str, config: ExplainabilityConfig, **fields: Any) -> CheckResult:
    return CheckResult(
        id=check_id(FAMILY, name),
        family=FAMILY,
        name=name,
        severity="error" if name == "importance" else config.severity,
        **fields,
    )


def _failed(config: ExplainabilityConfig) -> str:
    return failure_status(config.severity)


def _listed(names: list[str]) -> str:
    return ", ".join(names)


def _importance_result(
    importance: Importance, context: EvaluationContext, config: ExplainabilityConfig
) -> CheckResult:
    ranking = importance.ranking
    details = {
        "algorithm": importance.algorithm,
        "explainer": importance.explainer,
        "model_type": importance.model_type,
        "output": importance.output,
        "feature_space": importance.feature_space,
        "sample": {
            "requested": config.sample,
            "rows": importance.rows,
            "of": context.n_rows,
            "seed": context.spec.seed,
            "background": importance.background,
        },
        "seconds": importance.seconds,
        "importance": {name: importance.values[name] for name in ranking},
        "ranking": ranking,
        "share": {name: importance.shares[name] for name in ranking},
        "per_class": importance.per_class,
        "agreement": importance.agreement,
        "notes": importance.notes,
    }
    message = MSG_IMPORTANCE.format(
        rows=fmt(importance.rows),
        algorithm=importance.algorithm,
        explainer=importance.explainer,
        output=importance.output,
        seconds=fmt(importance.seconds),
        top=_listed(ranking[:TOP_SHOWN]),
    )
    return _result(
        "importance", config, status=PASSED, value=importance.rows, message=message, details=details
    )


def _ranks(importance: Importance, features: tuple[str, ...]) -> dict[str, int | None]:
    position = {name: index + 1 for index, name in enumerate(importance.ranking)}
    return {feature: position.get(feature) for feature in features}


def _top_k_rule(
    name: str, importance: Importance, config: ExplainabilityConfig, forbidden: bool
) -> CheckResult:
    rule: TopKRule = getattr(config, name)
    threshold = {"k": rule.k, "features": list(rule.features)}
    if importance.feature_space != "input":
        return _result(name, config, status=ERRORED, threshold=threshold, message=MSG_TRANSFORMED)
    top = importance.ranking[: rule.k]
    ranks = _ranks(importance, rule.features)
    offending = [f for f in rule.features if (f in top) == forbidden]
    details = {
        "k": rule.k,
        "features": list(rule.features),
        "top_k": top,
        "ranks": ranks,
        "offending": offending,
    }
    if offending:
        template = MSG_FORBIDDEN_FAILED if forbidden else MSG_REQUIRED_FAILED
        status = _failed(config)
    else:
        template = MSG_FORBIDDEN_PASSED if forbidden else MSG_REQUIRED_PASSED
        status = PASSED
    message = template.format(
        features=_listed(list(rule.features)),
        k=rule.k,
        top=_listed(top),
        offending=_listed([f"{f} (rank {ranks[f]})" if forbidden else f for f in offending]),
    )
    return _result(
        name,
        config,
        status=status,
        value=len(offending),
        threshold=threshold,
        message=message,
        details=details,
    )


def _forbidden(
    importance: Importance, context: EvaluationContext, config: ExplainabilityConfig
) -> CheckResult:
    return _top_k_rule("forbidden_in_top_k", importance, config, forbidden=True)


def _required(
    importance: Importance, context: EvaluationContext, config: ExplainabilityConfig
) -> CheckResult:
    return _top_k_rule("required_in_top_k", importance, config, forbidden=False)


def _max_share(
    importance: Importance, context: EvaluationContext, config: ExplainabilityConfig
) -> CheckResult:
    limit = config.max_feature_share
    assert limit is not None
    feature = importance.ranking[0]
    share = importance.shares[feature]
    template = MSG_SHARE_FAILED if share > limit else MSG_SHARE_PASSED
    message = template.format(feature=feature, share=f"{share:.1%}", limit=f"{limit:.1%}")
    return _result(
        "max_feature_share",
        config,
        status=_failed(config) if share > limit else PASSED,
        value=share,
        threshold={"max": limit},
        message=message,
        details={"feature": feature, "share": share, "max": limit},
    )


def _baseline_agreement(
    importance: Importance, context: EvaluationContext, config: ExplainabilityConfig
) -> CheckResult:
    from scipy.stats import spearmanr

    rule = config.baseline_rank_agreement
    assert rule is not None
    name = "baseline_rank_agreement"
    threshold = {"top_k": rule.top_k, "min": rule.min}
    if context.baseline is None:
        reason = context.baseline_skipped_reason or "the gate names no baseline"
        message = MSG_NO_BASELINE.format(reason=reason)
        return _result(name, config, status=SKIPPED, threshold=threshold, message=message)
    baseline = context.memo(BASELINE_MEMO, lambda: _explain(context, context.baseline, "baseline"))  # type: ignore[arg-type]
    if isinstance(baseline, ExplainFailure):
        message = MSG_BASELINE_FAILED.format(reason=baseline.reason)
        return _result(name, config, status=ERRORED, threshold=threshold, message=message)
    model_top = importance.ranking[: rule.top_k]
    baseline_top = baseline.ranking[: rule.top_k]
    features = sorted(set(model_top) | set(baseline_top))
    model_values = [importance.values.get(f, 0.0) for f in features]
    baseline_values = [baseline.values.get(f, 0.0) for f in features]
    statistic = float(spearmanr(model_values, baseline_values).statistic)
    details = {
        "top_k": rule.top_k,
        "features": features,
        "model_importance": dict(zip(features, model_values, strict=True)),
        "baseline_importance": dict(zip(features, baseline_values, strict=True)),
        "spearman": statistic,
        "top_k_overlap": len(set(model_top) & set(baseline_top)) / rule.top_k,
        "model_top_k": model_top,
        "baseline_top_k": baseline_top,
        "baseline_algorithm": baseline.algorithm,
        "min": rule.min,
    }
    if math.isnan(statistic):
        message = MSG_AGREEMENT_UNDEFINED.format(k=rule.top_k)
        return _result(
            name, config, status=ERRORED, threshold=threshold, message=message, details=details
        )
    template = MSG_AGREEMENT_FAILED if statistic < rule.min else MSG_AGREEMENT_PASSED
    message = template.format(
        value=fmt(statistic), k=rule.top_k, n=len(features), limit=fmt(rule.min)
    )
    return _result(
        name,
        config,
        status=_failed(config) if statistic < rule.min else PASSED,
        value=statistic,
        threshold=threshold,
        message=message,
        details=details,
    )


_RULES = {
    "forbidden_in_top_k": _forbidden,
    "required_in_top_k": _required,
    "max_feature_share": _max_share,
    "baseline_rank_agreement": _baseline_agreement,
}
