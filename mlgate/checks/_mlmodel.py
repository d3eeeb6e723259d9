"""The MLmodel metadata (signature, input example) of the model under test, read once per gate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlflow.models import Model

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext

MEMO_KEY = "mlmodel"
MSG_NOT_MLFLOW = "a {kind} model carries no MLflow metadata; log it with mlflow.<flavor>.log_model"


def mlmodel(context: EvaluationContext) -> Any:
    """``mlflow.models.Model`` of an MLflow model (folder, run or registry); None otherwise."""

    def read() -> Any:
        model = context.model.model
        if model is None or model.kind != "mlflow" or model.local_path is None:
            return None

        return Model.load(str(model.local_path))

    return context.memo(MEMO_KEY, read)


def not_mlflow_reason(context: EvaluationContext) -> str:
    """Why a model has no MLflow metadata, for a skipped check."""
    model = context.model.model
    return MSG_NOT_MLFLOW.format(kind=model.kind if model is not None else "precomputed")
