"""The evaluation context: data, models, and their predictions, computed once and shared by checks.

Checks never load data or call a model; they read this object. Building it validates every input
against the gate file and raises ``InputError`` (exit 2) naming the key or column at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlgate.errors import InputError, did_you_mean
from mlgate.loading.data import LoadedData
from mlgate.metrics import CustomMetricFunction, MetricInput, MetricValues, compute_metrics
from mlgate.model import LoadedModel
from mlgate.prediction import MSG_WRONG_LENGTH, ModelOutputs, check_outputs, predict
from mlgate.spec import GateSpec
from mlgate.task import infer_task, label_sort_key

MAX_COLUMNS_LISTED = 12
MSG_MISSING_COLUMN = "{key}: column '{column}' is not in {source}{hint}; columns are: {columns}"
MSG_MISSING_FEATURES = (
    "{key}: {source} lacks the model's input column(s) {missing}; add them or list the columns "
    "to use under 'features'"
)
MSG_FEATURE_COUNT = (
    "{key}: the model takes {expected} input column(s) but {got} were chosen from {source} "
    "({columns}); list its input columns, in training order, under 'features'"
)
MSG_TARGET_MISSING_VALUES = (
    "target: column '{column}' has {count} missing value(s) in {source}; drop or fill those rows"
)
MSG_NON_NUMERIC_TARGET = (
    "target: column '{column}' is not numeric ({dtype}) but the task is regression; set 'task' "
    "to binary or multiclass, or point 'target' at a numeric column"
)
MSG_NON_NUMERIC_TARGET_REGRESSOR = (
    "target: column '{column}' is not numeric ({dtype}) but the model is a regressor; point "
    "'target' at the numeric column the model predicts"
)
MSG_NON_NUMERIC_PREDICTION = (
    "{key}: predictions are not numeric ({dtype}) but the task is regression; check 'task'"
)
MSG_PROBA_SHAPE = (
    "{key}: predict_proba returned shape {shape}, expected ({rows}, {classes}) for classes {labels}"
)
MSG_UNSEEN_CLASSES = (
    "target: column '{column}' has class(es) {unseen} that {key} never saw (its classes: "
    "{classes}); remove those rows or retrain the model"
)
MSG_ONE_CLASS = (
    "target: only one class ('{label}') in the target and predictions; a classification gate "
    "needs at least two"
)
MSG_BINARY_TOO_MANY = (
    "task: 'binary' but there are {count} classes ({labels}); set task to multiclass"
)
MSG_BAD_POS_LABEL = "pos_label: {got!r} is not one of the classes {labels}"
MSG_BAD_WEIGHTS = (
    "sample_weight: column '{column}' must hold non-negative numbers without missing values"
)


@dataclass
class EvaluationContext:
    """Everything a check may read. Built once per gate by :func:`build_context`."""

    spec: GateSpec
    data: LoadedData
    features: list[str]
    y_true: np.ndarray
    task: str
    task_reason: str
    model: ModelOutputs
    baseline: ModelOutputs | None = None
    baseline_skipped_reason: str | None = None
    reference: LoadedData | None = None
    labels: list[Any] | None = None
    pos_label: Any = None
    sample_weight: np.ndarray | None = None
    custom_metrics: tuple[CustomMetricFunction, ...] = ()
    notes: list[str] = field(default_factory=list)
    rows_total: int | None = None  # every row of the data, when the arrays hold a sample (Spark)
    # How groups of rows are formed and measured (slices, fairness): None is the pandas engine's
    # (mlgate.checks._groups.RowGroups); the Spark engine sets its own, computed over every row.
    groups: Any = None
    # What the data checks read of the table: None is the pandas engine's (the rows here,
    # mlgate.checks._table.RowTable); the Spark engine sets its own, over every row.
    table: Any = None
    # The reference and eval tables as the drift checks ask about them: None is the pandas
    # engine's (mlgate.checks._drift_sides.FrameSides); the Spark engine sets its own.
    drift: Any = None
    # Bootstrap resamples of the metrics: None is the pandas engine's (mlgate.statistics, on the
    # sufficient statistics of the arrays here); the Spark engine draws its own over every row.
    bootstrap: Any = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per gate under ``key``, so families share costly work.

        One family computes (SHAP importance, say) and another reuses it (drift ordering its
        findings by importance) without a second pass, whichever runs first.
        """
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the usual name for a feature matrix
        """The feature columns passed to the models."""
        return self.data.frame[self.features]

    @property
    def n_rows(self) -> int:
        """Rows of the context's arrays (a seeded sample of the data under the Spark engine)."""
        return len(self.y_true)

    @property
    def metric_rows(self) -> int:
        """Rows the metrics were computed on: every row of the data, also when sampled."""
        return self.rows_total if self.rows_total is not None else self.n_rows

    def metric_input(self, outputs: ModelOutputs) -> MetricInput:
        """The metric inputs for one model's outputs, built once so that its sufficient
        statistics are shared by point metrics and bootstrap intervals."""
        return self.memo(
            f"metric_input.{outputs.role}",
            lambda: MetricInput(
                y_true=self.y_true,
                y_pred=outputs.y_pred,
                y_proba=outputs.y_proba,
                labels=None if self.labels is None else _label_array(self.labels),
                pos_label=self.pos_label,
                sample_weight=self.sample_weight,
            ),
        )

    def metrics_of(self, outputs: ModelOutputs) -> MetricValues:
        """Every metric of ``outputs``, computed on first use and cached."""
        if outputs.metrics is None:
            outputs.metrics = compute_metrics(
                self.task, self.metric_input(outputs), self.custom_metrics
            )
        return outputs.metrics


def _label_array(labels: list[Any]) -> np.ndarray:
    """Labels as an array; object dtype when types are mixed, so nothing is coerced to text."""
    mixed = len({type(label) for label in labels}) > 1
    return np.asarray(labels, dtype=object) if mixed else np.asarray(labels)


def _column_hint(column: str, columns: list[str]) -> str:
    return did_you_mean(column, columns)


def _listed(columns: list[Any]) -> str:
    shown = ", ".join(str(c) for c in columns[:MAX_COLUMNS_LISTED])
    more = len(columns) - MAX_COLUMNS_LISTED
    return shown + (f" (+{more} more)" if more > 0 else "")


class Table(Protocol):
    """A table and where it came from: a pandas ``LoadedData`` or the Spark engine's data."""

    @property
    def frame(self) -> Any: ...

    @property
    def source(self) -> str: ...


def require_column(data: Table, column: str, key: str) -> None:
    """Raise InputError unless ``column`` is in ``data``."""
    columns = [str(c) for c in data.frame.columns]
    if column not in data.frame.columns:
        raise InputError(
            MSG_MISSING_COLUMN.format(
                key=key,
                column=column,
                source=data.source,
                hint=_column_hint(column, columns),
                columns=_listed(columns),
            )
        )


def choose_features(
    spec: GateSpec, data: LoadedData, model: LoadedModel | None, key: str
) -> list[str]:
    """Columns fed to a model: 'features', else the model's own input names, else the rest.

    Champion and challenger may use different columns, so this is decided per model.
    """
    if spec.features is not None:
        for column in spec.features:
            require_column(data, column, "features")
        return _check_count(list(spec.features), model, "features", data)
    names = model.feature_names if model is not None else None
    if names is not None:
        missing = [n for n in names if n not in data.frame.columns]
        if missing:
            raise InputError(
                MSG_MISSING_FEATURES.format(key=key, source=data.source, missing=_listed(missing))
            )
        return names
    excluded = {spec.target, spec.prediction, spec.baseline_prediction, spec.sample_weight}
    excluded.update(spec.sensitive_features)  # read by fairness checks, never fed to the model
    chosen = [c for c in data.frame.columns if c not in excluded]
    return _check_count(chosen, model, key, data)


def _check_count(
    columns: list[str], model: LoadedModel | None, key: str, data: LoadedData
) -> list[str]:
    """A model fitted on unnamed columns still knows how many it takes: say so before predict."""
    expected = getattr(model.predictor, "n_features_in_", None) if model is not None else None
    if isinstance(expected, int) and expected != len(columns):
        raise InputError(
            MSG_FEATURE_COUNT.format(
                key=key,
                expected=expected,
                got=len(columns),
                source=data.source,
                columns=_listed(columns),
            )
        )
    return columns


def build_context(
    spec: GateSpec,
    data: LoadedData,
    model: LoadedModel | None,
    baseline: LoadedModel | None,
    *,
    reference: LoadedData | None = None,
    predictions: Any = None,
    baseline_skipped_reason: str | None = None,
) -> EvaluationContext:
    """Validate inputs against the gate, predict once per model, and settle task and classes."""
    frame = data.frame
    require_column(data, spec.target, "target")
    target = frame[spec.target]
    missing = int(target.isna().sum())
    if missing:
        raise InputError(
            MSG_TARGET_MISSING_VALUES.format(column=spec.target, count=missing, source=data.source)
        )
    sample_weight = _sample_weight(spec, data)
    features = choose_features(spec, data, model, "model")
    n_rows = len(frame)
    want_proba = spec.task != "regression"

    if model is not None:
        challenger = predict(model, frame[features], "model", want_proba)
        model_key = "model"
    else:
        column_values = _given_predictions(spec, data, predictions)
        challenger = ModelOutputs(
            role="model", description=_prediction_source(spec, predictions), y_pred=column_values
        )
        model_key = "predictions" if predictions is not None else "prediction"
    check_outputs(challenger, n_rows, model_key)

    task, reason = infer_task(spec.task, target, challenger.y_pred, model)
    y_true = target.to_numpy()
    if task == "regression":
        regressor = model is not None and model.estimator_type == "regressor"
        _require_numeric(target, challenger.y_pred, spec.target, regressor=regressor)
        y_true = target.to_numpy(dtype=float)
        challenger.y_proba = None

    champion = None
    if baseline is not None:
        baseline_features = choose_features(spec, data, baseline, "baseline")
        champion = predict(baseline, frame[baseline_features], "baseline", task != "regression")
    elif spec.baseline_prediction is not None:
        require_column(data, spec.baseline_prediction, "baseline_prediction")
        champion = ModelOutputs(
            role="baseline",
            description={"uri": f"column:{spec.baseline_prediction}", "kind": "predictions"},
            y_pred=frame[spec.baseline_prediction].to_numpy(),
        )
    if champion is not None:
        check_outputs(champion, n_rows, "baseline" if baseline else "baseline_prediction")
        if task == "regression":
            _require_numeric(target, champion.y_pred, spec.target, key="baseline")
            champion.y_proba = None

    context = EvaluationContext(
        spec=spec,
        data=data,
        features=features,
        y_true=y_true,
        task=task,
        task_reason=reason,
        model=challenger,
        baseline=champion,
        baseline_skipped_reason=baseline_skipped_reason,
        reference=reference,
        sample_weight=sample_weight,
    )
    if task != "regression":
        _settle_classes(context, target, [m for m in (challenger, champion) if m is not None])
    return context


def _sample_weight(spec: GateSpec, data: LoadedData) -> np.ndarray | None:
    if spec.sample_weight is None:
        return None
    require_column(data, spec.sample_weight, "sample_weight")
    column = data.frame[spec.sample_weight]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise InputError(MSG_BAD_WEIGHTS.format(column=spec.sample_weight))
    weights = column.to_numpy(dtype=float)
    if np.isnan(weights).any() or (weights < 0).any():
        raise InputError(MSG_BAD_WEIGHTS.format(column=spec.sample_weight))
    return weights


def _given_predictions(spec: GateSpec, data: LoadedData, predictions: Any) -> np.ndarray:
    if predictions is not None:
        values = np.asarray(predictions)
        if values.ndim != 1 or len(values) != len(data.frame):
            raise InputError(
                MSG_WRONG_LENGTH.format(
                    key="predictions",
                    what="the predictions array",
                    got=len(values),
                    expected=len(data.frame),
                )
            )
        return values
    assert spec.prediction is not None
    require_column(data, spec.prediction, "prediction")
    return data.frame[spec.prediction].to_numpy()


def _prediction_source(spec: GateSpec, predictions: Any) -> dict[str, Any]:
    if predictions is not None:
        return {"uri": "<python predictions>", "kind": "predictions"}
    return {"uri": f"column:{spec.prediction}", "kind": "predictions"}


def _require_numeric(
    target: pd.Series,
    y_pred: np.ndarray,
    column: str,
    key: str = "model",
    regressor: bool = False,
) -> None:
    """A regression target and predictions are numbers; the advice follows what the model is.

    Advising ``task: binary`` for a regressor's text target sent users to thousands of "classes".
    """
    if not pd.api.types.is_numeric_dtype(target) or pd.api.types.is_bool_dtype(target):
        template = MSG_NON_NUMERIC_TARGET_REGRESSOR if regressor else MSG_NON_NUMERIC_TARGET
        raise InputError(template.format(column=column, dtype=target.dtype))
    if np.asarray(y_pred).dtype.kind not in "iuf":
        raise InputError(MSG_NON_NUMERIC_PREDICTION.format(key=key, dtype=np.asarray(y_pred).dtype))


def _settle_classes(
    context: EvaluationContext, target: pd.Series, outputs: list[ModelOutputs]
) -> None:
    """Fix the class list (proba column order), reject unseen classes, and pick ``pos_label``."""
    spec = context.spec
    model_classes = None
    for output in outputs:
        classes = output.model.classes if output.model is not None else None
        if classes is None:
            continue
        observed = pd.unique(target.to_numpy())
        unseen = [value for value in observed if value not in set(classes)]
        if unseen:
            raise InputError(
                MSG_UNSEEN_CLASSES.format(
                    column=spec.target,
                    unseen=_listed(unseen),
                    key=output.role,
                    classes=_listed(classes),
                )
            )
        if output.y_proba is not None and output.y_proba.shape != (len(target), len(classes)):
            raise InputError(
                MSG_PROBA_SHAPE.format(
                    key=output.role,
                    shape=output.y_proba.shape,
                    rows=len(target),
                    classes=len(classes),
                    labels=_listed(classes),
                )
            )
        if output.role == "model":
            model_classes = classes
    labels = model_classes
    if labels is None:
        found: set[Any] = set(pd.unique(target.to_numpy()))
        for output in outputs:
            found |= set(pd.unique(output.y_pred))
        labels = sorted(found, key=label_sort_key)
    for output in outputs:
        output_classes = output.model.classes if output.model is not None else None
        if output.y_proba is not None and output_classes != labels:
            output.y_proba = _reorder(output.y_proba, output_classes, labels)
    if len(labels) < 2:
        raise InputError(MSG_ONE_CLASS.format(label=labels[0] if labels else None))
    if context.task == "binary" and len(labels) > 2:
        raise InputError(MSG_BINARY_TOO_MANY.format(count=len(labels), labels=_listed(labels)))
    context.labels = labels
    if context.task == "binary":
        context.pos_label = _pos_label(spec.pos_label, labels)


def _reorder(proba: np.ndarray, classes: list[Any] | None, labels: list[Any]) -> np.ndarray | None:
    """Put a baseline's probability columns in the model's class order (None if classes differ)."""
    if classes is None or set(classes) != set(labels):
        return None
    order = [classes.index(label) for label in labels]
    return np.ascontiguousarray(proba[:, order])


def _pos_label(requested: Any, labels: list[Any]) -> Any:
    """The positive class: as requested (matching 1 to '1' if needed), else the last class."""
    if requested is None:
        return labels[-1]
    for label in labels:
        if label == requested:
            return label
    for label in labels:
        if str(label) == str(requested):
            return label
    raise InputError(MSG_BAD_POS_LABEL.format(got=requested, labels=_listed(labels)))
