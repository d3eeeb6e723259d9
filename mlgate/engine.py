"""Run a gate: spec -> inputs -> context -> checks -> GateResult. No reporting, no side effects."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mlgate import progress
from mlgate._version import __version__
from mlgate.errors import AliasNotFoundError, GateFileError
from mlgate.spec import MSG_NO_MODEL, GateSpec, load_spec, spec_from_dict

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.result import CheckResult, GateResult

MSG_NO_DATA = (
    "missing 'data.eval' in the gate file: give the evaluation data (.csv or .parquet), or pass "
    "data= from Python"
)
MSG_COMPARISON_WITHOUT_BASELINE = (
    "checks.comparison is set but the gate has no 'baseline' (or 'baseline_prediction'); add the "
    "champion as 'baseline' or remove checks.comparison"
)
MSG_CONFIDENCE_WITHOUT_BASELINE = (
    "checks.comparison.{name}.confidence asks for a paired bootstrap against the baseline, but the "
    "gate has no 'baseline' (or 'baseline_prediction'); add the champion as 'baseline' or remove "
    "'confidence'"
)
MSG_TARGET_LEAK = (
    "the target '{target}' is also an input column of the {roles}: a model that reads its own "
    "label scores far better here than it will in production; drop '{target}' from its inputs "
    "(retrain without it, or fix 'features')"
)
LEAK_CHECK = "target_leak"
MSG_DIAGNOSTICS_FAILED = "the report plots could not be computed: {error}"
MSG_FIRST_MODEL = "{uri} does not exist yet (first model: no champion to compare with)"


def as_spec(gate: GateSpec | Mapping[str, Any] | str | os.PathLike[str] | None) -> GateSpec:
    """A validated spec from a spec, a mapping, a gate-file path, or None (found in cwd)."""
    if isinstance(gate, GateSpec):
        return gate
    if isinstance(gate, Mapping):
        return spec_from_dict(gate)
    return load_spec(gate)


def run_gate(
    gate: GateSpec | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    data: Any = None,
    reference: Any = None,
    model: Any = None,
    baseline: Any = None,
    predictions: Any = None,
) -> Any:
    """Evaluate a gate and return its :class:`~mlgate.result.GateResult`.

    Parameters
    ----------
    gate : GateSpec, mapping, path or None
        The gate: a path to ``mlgate.yaml``/``pyproject.toml``, the same content as a dict, or
        None to find the gate file in the working directory.
    data, reference : pandas.DataFrame, optional
        Evaluation and reference data, replacing ``data.eval`` / ``data.reference``.
    model, baseline : fitted estimator, optional
        Objects with ``predict`` (and ``predict_proba``), replacing ``model`` / ``baseline``.
    predictions : array-like, optional
        Precomputed predictions of the model under test, one per row of ``data``.

    Raises
    ------
    mlgate.errors.MlgateError
        For an invalid gate or input (``exit_code`` 2) or an infrastructure failure (3). A check
        that fails or errors does not raise: it is in the result, whose status is then 'failed'.
    """
    return evaluate(
        gate,
        data=data,
        reference=reference,
        model=model,
        baseline=baseline,
        predictions=predictions,
    )[1]


def evaluate(
    gate: GateSpec | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    data: Any = None,
    reference: Any = None,
    model: Any = None,
    baseline: Any = None,
    predictions: Any = None,
) -> tuple[EvaluationContext, GateResult]:
    """Like :func:`run_gate`, but also return the evaluation context the checks read.

    The pytest plugin hands the context to hand-written tests (``mlgate_context``) so they reuse
    the predictions the gate already computed instead of calling the model again. Third-party
    deprecation warnings raised meanwhile (MLflow's store, shap) are not shown.
    """
    from mlgate._third_party import quiet_deprecations

    with quiet_deprecations():
        return _evaluate(
            gate,
            data=data,
            reference=reference,
            model=model,
            baseline=baseline,
            predictions=predictions,
        )


def _evaluate(
    gate: GateSpec | Mapping[str, Any] | str | os.PathLike[str] | None,
    *,
    data: Any,
    reference: Any,
    model: Any,
    baseline: Any,
    predictions: Any,
) -> tuple[EvaluationContext, GateResult]:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    spec = as_spec(gate)
    _preflight(spec, model=model, baseline=baseline, predictions=predictions, data=data)
    # What the gate file and arguments say is complete: now load the stack.
    from mlgate.context import build_context
    from mlgate.loading import data as data_loading
    from mlgate.loading import models as model_loading

    custom = _custom_metrics(spec)

    on_spark = spec.engine == "spark" or _is_spark_frame(data)
    progress.show("loading data")
    if on_spark:
        from mlgate.spark import open_spark_data

        session, eval_data, reference_data = open_spark_data(spec, data=data, reference=reference)
    else:
        eval_data = _table(data, spec.eval_data, "data.eval", spec, data_loading)
        reference_data = _table(
            reference, spec.reference_data, "data.reference", spec, data_loading
        )
    if eval_data is None:
        raise GateFileError(f"{spec.source}: {MSG_NO_DATA}")
    progress.show("loading models")
    loaded_model = _model(model, spec.model, "model", spec, model_loading)
    try:
        loaded_baseline = _model(baseline, spec.baseline, "baseline", spec, model_loading)
        baseline_skipped = None
    except AliasNotFoundError as absent:  # only a missing alias: anything else still fails
        loaded_baseline, baseline_skipped = None, MSG_FIRST_MODEL.format(uri=absent.uri)

    progress.show("predicting")
    if on_spark:
        from mlgate.spark import spark_context

        run = spark_context(
            spec,
            session=session,
            eval_data=eval_data,
            reference_data=reference_data,
            model=loaded_model,
            baseline=loaded_baseline,
            baseline_skipped_reason=baseline_skipped,
        )
        context = run.context
        release = run.release
    else:
        context = build_context(
            spec,
            eval_data,
            loaded_model,
            loaded_baseline,
            reference=reference_data,
            predictions=predictions,
            baseline_skipped_reason=baseline_skipped,
        )
        release = None
    try:
        return context, _judged(
            context, custom, loaded_baseline, eval_data, reference_data, started_at, clock
        )
    finally:
        if release is not None:
            release()


def _judged(
    context: EvaluationContext,
    custom: tuple[Any, ...],
    loaded_baseline: Any,
    eval_data: Any,
    reference_data: Any,
    started_at: str,
    clock: float,
) -> GateResult:
    """Run the checks on the built context and assemble the result."""
    from mlgate.checks import run_checks, validate_families

    context.custom_metrics = custom
    validate_families(context)
    progress.show("running checks")
    checks = run_checks(context)
    leak = _target_leak(context, loaded_baseline, context.data)
    if leak is not None:
        checks.append(leak)
    progress.show("computing report curves")
    diagnostics = _diagnostics(context)
    progress.clear()
    return _gate_result(
        context,
        checks,
        eval_data=eval_data,
        reference_data=reference_data,
        diagnostics=diagnostics,
        started_at=started_at,
        seconds=time.perf_counter() - clock,
    )


def _preflight(spec: GateSpec, *, model: Any, baseline: Any, predictions: Any, data: Any) -> None:
    """What the gate file and the arguments must give before anything is loaded (exit 2).

    A model (or predictions) to judge, and a baseline for any comparison: found missing here,
    the gate fails in a second instead of after loading the data and the models.
    """
    has_model = model is not None or spec.model is not None
    if not has_model and spec.prediction is None and predictions is None:
        raise GateFileError(f"{spec.source}: {MSG_NO_MODEL}")
    from mlgate.checks.comparison import FAMILY, ComparisonConfig

    has_baseline = baseline is not None or spec.baseline or spec.baseline_prediction
    comparison = spec.config(FAMILY, ComparisonConfig)
    if comparison.paired and not has_baseline:
        raise GateFileError(
            f"{spec.source}: {MSG_CONFIDENCE_WITHOUT_BASELINE.format(name=comparison.paired[0])}"
        )
    if comparison.limits and not has_baseline:
        raise GateFileError(f"{spec.source}: {MSG_COMPARISON_WITHOUT_BASELINE}")
    from mlgate.spark import refuse_catalog_tables, refuse_pandas_only

    if spec.engine == "spark" or _is_spark_frame(data):
        refuse_pandas_only(spec, predictions=predictions)
    else:
        refuse_catalog_tables(spec)


def _is_spark_frame(value: Any) -> bool:
    from mlgate.spark import is_spark_frame

    return is_spark_frame(value)


def _gate_result(
    context: EvaluationContext,
    checks: list[CheckResult],
    *,
    eval_data: Any,
    reference_data: Any,
    diagnostics: dict[str, Any],
    started_at: str,
    seconds: float,
) -> GateResult:
    """The decision and what the reports show about it, from the context the checks read."""
    from mlgate.provenance import environment
    from mlgate.result import FAILED, PASSED, GateResult
    from mlgate.statistics import describe, model_intervals

    spec = context.spec
    model_metrics = context.metrics_of(context.model)
    intervals = model_intervals(context)
    baseline_metrics = context.metrics_of(context.baseline) if context.baseline else None
    status = FAILED if any(c.blocks_gate for c in checks) else PASSED
    data_facts: dict[str, Any] = {
        "eval": eval_data.describe(),
        "target": spec.target,
        "features": len(context.features),
    }
    if reference_data is not None:
        data_facts["reference"] = reference_data.describe()
    model_facts = dict(context.model.description)
    model_facts["predict_seconds"] = round(context.model.predict_seconds, 6)
    baseline_facts = None
    if context.baseline is not None:
        baseline_facts = dict(context.baseline.description)
        baseline_facts["predict_seconds"] = round(context.baseline.predict_seconds, 6)
    return GateResult(
        status=status,
        checks=checks,
        metrics=model_metrics.values,
        model=model_facts,
        baseline=baseline_facts,
        data=data_facts,
        task=context.task,
        task_reason=context.task_reason,
        started_at=started_at,
        duration_s=round(seconds, 3),
        gate={"source": spec.source, "digest": spec.digest},
        baseline_metrics=baseline_metrics.values if baseline_metrics else {},
        metrics_unavailable=model_metrics.unavailable,
        seed=spec.seed,
        mlgate_version=__version__,
        diagnostics=diagnostics,
        environment=environment(),
        statistics=describe(context),
        intervals=intervals,
    )


def _target_leak(context: EvaluationContext, baseline: Any, eval_data: Any) -> CheckResult | None:
    """A warned ``data.target_leak`` when the target is an input column of a model, else None.

    Warned, not failed: the decision stays with the gate's thresholds, but every report shows
    why a score is too good to be true.
    """
    from mlgate.context import choose_features
    from mlgate.result import WARNED, CheckResult

    target = context.spec.target
    roles = ["model"] if target in context.features else []
    if baseline is not None and target in choose_features(
        context.spec, eval_data, baseline, "baseline"
    ):
        roles.append("baseline")
    if not roles:
        return None
    return CheckResult(
        id=f"data.{LEAK_CHECK}",
        family="data",
        name=LEAK_CHECK,
        status=WARNED,
        message=MSG_TARGET_LEAK.format(target=target, roles=" and ".join(roles)),
        details={"target": target, "models": roles},
        severity="warn",
    )


def _diagnostics(context: EvaluationContext) -> dict[str, Any]:
    """Curves for the reports; a failure here only loses plots, never the decision."""
    from mlgate.diagnostics import compute_diagnostics

    try:
        return compute_diagnostics(context)
    except Exception as error:  # the checks already decided; a report without plots says why
        return {"error": MSG_DIAGNOSTICS_FAILED.format(error=" ".join(str(error).split()))}


def _custom_metrics(spec: GateSpec) -> tuple[Any, ...]:
    from mlgate.metrics import CustomMetricFunction
    from mlgate.metrics._custom import load_function

    return tuple(
        CustomMetricFunction(
            name=name,
            function=load_function(name, custom.function, spec.base_dir),
            needs_proba=custom.needs_proba,
            greater_is_better=custom.greater_is_better,
        )
        for name, custom in spec.custom_metrics.items()
    )


def _table(given: Any, source: Any, key: str, spec: GateSpec, loader: Any) -> Any:
    if given is not None:
        return loader.from_frame(given, key)
    if source is None:
        return None
    return loader.read_source(source, key, spec.base_dir)


def _model(given: Any, reference: str | None, key: str, spec: GateSpec, loader: Any) -> Any:
    if given is not None:
        return loader.from_object(given, key, classes=spec.classes, task=spec.task)
    if reference is None:
        return None
    return loader.load_model(
        reference,
        key,
        spec.base_dir,
        spec.tracking_uri,
        spec.registry_uri,
        skops_trusted_types=spec.skops_trusted_types,
        classes=spec.classes,
        task=spec.task,
    )
