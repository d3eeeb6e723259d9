"""A loaded model: what predicts, and what the gate needs to know about it.

The loaders (:mod:`mlgate.loading`) build it; the context, the task inference and the checks read
it. It lives apart from the loaders so that reading a model never imports the code that finds,
downloads and deserializes one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sklearn.base import is_classifier, is_regressor

from mlgate.boosters import CategoricalInputs, library_of, unwrapped
from mlgate.mlflow_gateway import redact


@dataclass
class LoadedModel:
    """A model ready to predict, with what the gate needs to know about it."""

    uri: str
    kind: str
    predictor: Any
    registry: dict[str, Any] | None = None
    flavors: tuple[str, ...] = field(default_factory=tuple)
    input_schema: Any = None  # the MLflow signature's input schema, whatever flavor loaded it
    local_path: Path | None = None  # its files on this machine (MLflow folder or model file)
    load_seconds: float | None = None  # deserializing only; a registry download is excluded
    trusted_types: tuple[str, ...] = ()  # skops types the gate file trusted, used by this file
    # Loads it again from its local files; set by the loader (None: passed from Python).
    reloader: Callable[[], LoadedModel] | None = field(default=None, repr=False, compare=False)

    @property
    def classes(self) -> list[Any] | None:
        """Class labels in ``predict_proba`` column order, when the model exposes them."""
        classes = getattr(self.predictor, "classes_", None)
        # An empty list is no class list: a CatBoost regressor read from a file has one.
        return None if classes is None or len(classes) == 0 else list(classes)

    @property
    def has_proba(self) -> bool:
        return callable(getattr(self.predictor, "predict_proba", None))

    @property
    def estimator_type(self) -> str | None:
        """'classifier' or 'regressor' when the model says so (scikit-learn convention)."""
        if self.classes is not None:
            return "classifier"
        if not hasattr(self.predictor, "__sklearn_tags__"):  # not a scikit-learn estimator
            kind = getattr(self.predictor, "_estimator_type", None)
            return kind if kind in ("classifier", "regressor") else None

        if is_classifier(self.predictor):
            return "classifier"
        return "regressor" if is_regressor(self.predictor) else None

    @property
    def feature_names(self) -> list[str] | None:
        """Input columns the model was fitted on or whose signature it declares, if known."""
        names = getattr(self.predictor, "feature_names_in_", None)
        if names is None and library_of(self.predictor) == "catboost":
            own = list(self.predictor.feature_names_ or [])
            generated = own == [str(index) for index in range(len(own))]  # fitted on an array
            names = None if generated else own
        if names is not None:
            return [str(n) for n in names]
        metadata = getattr(self.predictor, "metadata", None)
        schema = metadata.get_input_schema() if metadata is not None else None
        if schema is not None and schema.has_input_names():
            return list(schema.input_names())
        return None

    def reload_seconds(self) -> float | None:
        """Seconds to load the model again from its files, its libraries already imported.

        The gate's first load also pays for importing the libraries the model needs (seconds for
        scikit-learn and skops on a busy machine), which says little about the model itself.
        None for a model passed from Python (no files).
        """
        return None if self.reloader is None else self.reloader().load_seconds

    def describe(self) -> dict[str, Any]:
        """Provenance recorded in the report."""
        described: dict[str, Any] = {"uri": redact(self.uri), "kind": self.kind}
        model = unwrapped(self.predictor)
        described["type"] = type(getattr(model, "raw", model)).__name__  # a Booster's own type
        if getattr(model, "objective", None):
            described["objective"] = model.objective
        if isinstance(self.predictor, CategoricalInputs):
            described["categorical_inputs"] = list(self.predictor.columns)
        if self.flavors:
            described["flavors"] = list(self.flavors)
        if self.trusted_types:
            described["skops_trusted_types"] = list(self.trusted_types)
        if self.registry:
            described.update(self.registry)
        return described
