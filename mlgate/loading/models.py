"""Load a model from any form the gate file accepts, and say what it can do.

Forms: ``models:/name@alias``, ``models:/name/N``, ``runs:/<id>/<path>`` (any MLflow URI), a local
MLflow model folder, a ``.skops`` file, or a ``.joblib``/``.pkl`` file. Registry aliases are
resolved to a concrete version once, here, so the version evaluated is the version reported.

Loading a pickle or joblib file runs code from that file: only load files you trust. MLflow model
folders and skops files are the safer formats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import InputError
from mlgate.loading import _mlflow
from mlgate.mlflow_gateway import redact

PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")
MLFLOW_SCHEMES = (
    "models:/",
    "runs:/",
    "mlflow-artifacts:/",
    "s3://",
    "gs://",
    "wasbs://",
    "dbfs:/",
)

MSG_MISSING = (
    "{key}: {path} does not exist; give models:/name@alias, models:/name/N, runs:/<id>/model, an "
    "MLflow model folder, or a .skops/.joblib/.pkl file"
)
MSG_UNKNOWN_FORM = (
    "{key}: {path} is neither an MLflow model folder (no MLmodel file) nor a .skops/.joblib/.pkl "
    "file"
)
MSG_UNREADABLE = "{key}: could not load {path}: {error}"
MSG_UNTRUSTED = (
    "{key}: {path} contains types skops does not trust by default ({types}); check them, then "
    "list them under 'skops_trusted_types' in the gate file (or load the file from Python with "
    "skops.io.load(..., trusted=[...]) and pass the model to run_gate)"
)
MSG_NO_PREDICT = "{key}: the loaded object ({type}) has no predict method"


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

    @property
    def classes(self) -> list[Any] | None:
        """Class labels in ``predict_proba`` column order, when the model exposes them."""
        classes = getattr(self.predictor, "classes_", None)
        return None if classes is None else list(classes)

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
        from sklearn.base import is_classifier, is_regressor

        if is_classifier(self.predictor):
            return "classifier"
        return "regressor" if is_regressor(self.predictor) else None

    @property
    def feature_names(self) -> list[str] | None:
        """Input columns the model was fitted on or whose signature it declares, if known."""
        names = getattr(self.predictor, "feature_names_in_", None)
        if names is not None:
            return [str(n) for n in names]
        metadata = getattr(self.predictor, "metadata", None)
        schema = metadata.get_input_schema() if metadata is not None else None
        if schema is not None and schema.has_input_names():
            return list(schema.input_names())
        return None

    def describe(self) -> dict[str, Any]:
        """Provenance recorded in the report."""
        described: dict[str, Any] = {"uri": redact(self.uri), "kind": self.kind}
        described["type"] = type(self.predictor).__name__
        if self.flavors:
            described["flavors"] = list(self.flavors)
        if self.trusted_types:
            described["skops_trusted_types"] = list(self.trusted_types)
        if self.registry:
            described.update(self.registry)
        return described


def from_object(predictor: Any, key: str) -> LoadedModel:
    """Wrap a fitted model passed from Python."""
    if not callable(getattr(predictor, "predict", None)):
        raise InputError(MSG_NO_PREDICT.format(key=key, type=type(predictor).__name__))
    return LoadedModel(
        uri=f"<python {type(predictor).__name__}>", kind="python", predictor=predictor
    )


def load_model(
    reference: str,
    key: str,
    base_dir: Path,
    tracking_uri: str | None,
    registry_uri: str | None = None,
    *,
    skops_trusted_types: tuple[str, ...] = (),
) -> LoadedModel:
    """Load the model named by gate-file ``key``; ``skops_trusted_types`` from the gate file."""
    if reference.startswith(MLFLOW_SCHEMES):
        return _mlflow.load(reference, key, tracking_uri, base_dir, registry_uri)
    path = Path(reference).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if path.is_dir():
        if not (path / "MLmodel").is_file():
            raise InputError(MSG_UNKNOWN_FORM.format(key=key, path=path))
        return _mlflow.load_folder(path, str(path), key)
    if not path.is_file():
        raise InputError(MSG_MISSING.format(key=key, path=path))
    suffix = path.suffix.lower()
    if suffix == ".skops":
        return _load_skops(path, key, skops_trusted_types)
    if suffix in PICKLE_SUFFIXES:
        return _load_pickle(path, key)
    raise InputError(MSG_UNKNOWN_FORM.format(key=key, path=path))


def reload_seconds(model: LoadedModel, key: str) -> float | None:
    """Seconds to load ``model`` again from its local files, its libraries already imported.

    The gate's first load also pays for importing the libraries the model needs (seconds for
    scikit-learn and skops on a busy machine), which says little about the model itself.
    None for a model passed from Python (no files).
    """
    if model.local_path is None:
        return None
    if model.kind == "mlflow":
        again = _mlflow.load_folder(model.local_path, model.uri, key)
    elif model.kind == "skops":
        again = _load_skops(model.local_path, key, model.trusted_types)
    else:
        again = _load_pickle(model.local_path, key)
    return again.load_seconds


def _load_skops(path: Path, key: str, trusted: tuple[str, ...] = ()) -> LoadedModel:
    """Load a skops file trusting skops' defaults plus the types the gate file names.

    Only the named types that the file holds are recorded (the report lists what was trusted);
    any other type skops does not trust is refused, naming the gate-file key that trusts it.
    """
    import skops.io

    started = time.perf_counter()
    try:
        needed = skops.io.get_untrusted_types(file=path)
        refused = [name for name in needed if name not in trusted]
        if refused:
            raise InputError(MSG_UNTRUSTED.format(key=key, path=path, types=", ".join(refused)))
        predictor = skops.io.load(path, trusted=needed or None)
    except InputError:
        raise
    except Exception as error:
        raise InputError(MSG_UNREADABLE.format(key=key, path=path, error=error)) from error
    loaded = LoadedModel(
        uri=str(path),
        kind="skops",
        predictor=predictor,
        local_path=path,
        trusted_types=tuple(needed),
    )
    loaded.load_seconds = time.perf_counter() - started
    return _checked(loaded, key)


def _load_pickle(path: Path, key: str) -> LoadedModel:
    import joblib

    started = time.perf_counter()
    try:
        predictor = joblib.load(path)  # runs code from the file: documented, trusted input only
    except Exception as error:
        reason = str(error) or type(error).__name__
        raise InputError(MSG_UNREADABLE.format(key=key, path=path, error=reason)) from error
    kind = "joblib" if path.suffix.lower() == ".joblib" else "pickle"
    loaded = LoadedModel(uri=str(path), kind=kind, predictor=predictor, local_path=path)
    loaded.load_seconds = time.perf_counter() - started
    return _checked(loaded, key)


def _checked(model: LoadedModel, key: str) -> LoadedModel:
    if not callable(getattr(model.predictor, "predict", None)):
        raise InputError(MSG_NO_PREDICT.format(key=key, type=type(model.predictor).__name__))
    return model
