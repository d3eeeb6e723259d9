"""Load a model from any form the gate file accepts, and say what it can do.

Forms: ``models:/name@alias``, ``models:/name/N``, ``runs:/<id>/<path>`` (any MLflow URI), a local
MLflow model folder, a ``.skops`` file, a ``.joblib``/``.pkl`` file, or a native model file of
XGBoost (``.json``/``.ubj``), LightGBM (``.txt``) or CatBoost (``.cbm``). Registry aliases are
resolved to a concrete version once, here, so the version evaluated is the version reported.

Loading a pickle or joblib file runs code from that file: only load files you trust. MLflow model
folders, skops files and the native booster files are the safer formats.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import joblib

from mlgate.boosters import BOOSTER_SUFFIXES, adapt, load_booster_file
from mlgate.errors import GateFileError, InputError, MlgateError
from mlgate.model import LoadedModel

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

MODEL_FILES = ".skops, .joblib or .pkl, or an XGBoost .json/.ubj, LightGBM .txt or CatBoost .cbm"
MSG_MISSING = (
    "{key}: {path} does not exist; give models:/name@alias, models:/name/N, runs:/<id>/model, an "
    "MLflow model folder, or a model file (" + MODEL_FILES + ")"
)
MSG_UNKNOWN_FORM = (
    "{key}: {path} is neither an MLflow model folder (no MLmodel file) nor a model file mlgate "
    "reads (" + MODEL_FILES + ")"
)
MSG_UNREADABLE = "{key}: could not load {path}: {error}"
MSG_UNTRUSTED = (
    "{key}: {path} contains types skops does not trust by default ({types}); check them, then "
    "list them under 'skops_trusted_types' in the gate file (or load the file from Python with "
    "skops.io.load(..., trusted=[...]) and pass the model to run_gate)"
)
MSG_NO_PREDICT = "{key}: the loaded object ({type}) has no predict method"
MSG_CLASSES_DIFFER = (
    "'classes' is [{classes}] but the {key} stores its own class labels [{own}]; remove "
    "'classes' (it is for a Booster, which does not store them)"
)


def from_object(
    predictor: Any, key: str, *, classes: tuple[Any, ...] | None = None, task: str = "auto"
) -> LoadedModel:
    """Wrap a fitted model passed from Python (a raw Booster too, as from a file)."""
    if not callable(getattr(predictor, "predict", None)):
        raise InputError(MSG_NO_PREDICT.format(key=key, type=type(predictor).__name__))
    loaded = LoadedModel(
        uri=f"<python {type(predictor).__name__}>", kind="python", predictor=predictor
    )
    return _adapted(loaded, key, classes, task)


def load_model(
    reference: str,
    key: str,
    base_dir: Path,
    tracking_uri: str | None,
    registry_uri: str | None = None,
    *,
    skops_trusted_types: tuple[str, ...] = (),
    classes: tuple[Any, ...] | None = None,
    task: str = "auto",
) -> LoadedModel:
    """Load the model named by gate-file ``key``.

    ``skops_trusted_types``, ``classes`` (a Booster's labels) and ``task`` come from the gate
    file.
    """
    loaded = _load(reference, key, base_dir, tracking_uri, registry_uri, skops_trusted_types)
    if loaded.local_path is not None:
        loaded.reloader = partial(_load_again, loaded, key)
    return _adapted(loaded, key, classes, task)


def _adapted(
    model: LoadedModel, key: str, classes: tuple[Any, ...] | None, task: str
) -> LoadedModel:
    """A raw Booster wrapped with its task and labels; native categorical columns cast."""
    model.predictor = adapt(model.predictor, model.uri, key, classes=classes, task=task)
    own = model.classes
    if classes is not None and own is not None and [str(c) for c in own] != list(map(str, classes)):
        listed = {"classes": ", ".join(map(str, classes)), "own": ", ".join(map(str, own))}
        raise GateFileError(MSG_CLASSES_DIFFER.format(key=key, **listed))
    return model


def _load(
    reference: str,
    key: str,
    base_dir: Path,
    tracking_uri: str | None,
    registry_uri: str | None,
    skops_trusted_types: tuple[str, ...],
) -> LoadedModel:
    if reference.startswith(MLFLOW_SCHEMES):
        return _mlflow_loader().load(reference, key, tracking_uri, base_dir, registry_uri)
    path = Path(reference).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if path.is_dir():
        if not (path / "MLmodel").is_file():
            raise InputError(MSG_UNKNOWN_FORM.format(key=key, path=path))
        return _mlflow_loader().load_folder(path, str(path), key)
    if not path.is_file():
        raise InputError(MSG_MISSING.format(key=key, path=path))
    suffix = path.suffix.lower()
    if suffix == ".skops":
        return _load_skops(path, key, skops_trusted_types)
    if suffix in PICKLE_SUFFIXES:
        return _load_pickle(path, key)
    if suffix in BOOSTER_SUFFIXES:
        return _load_booster(path, key)
    raise InputError(MSG_UNKNOWN_FORM.format(key=key, path=path))


def _load_booster(path: Path, key: str) -> LoadedModel:
    """A native XGBoost, LightGBM or CatBoost model file (no code runs from it)."""
    started = time.perf_counter()
    try:
        predictor, library = load_booster_file(path, key)
    except MlgateError:
        raise
    except Exception as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(MSG_UNREADABLE.format(key=key, path=path, error=reason)) from error
    loaded = LoadedModel(uri=str(path), kind=library, predictor=predictor, local_path=path)
    loaded.load_seconds = time.perf_counter() - started
    return loaded


def _load_again(model: LoadedModel, key: str) -> LoadedModel:
    """``model`` loaded again from its local files (the registry download is not repeated)."""
    assert model.local_path is not None
    if model.kind == "mlflow":
        return _mlflow_loader().load_folder(model.local_path, model.uri, key)
    if model.kind == "skops":
        return _load_skops(model.local_path, key, model.trusted_types)
    if model.local_path.suffix.lower() in BOOSTER_SUFFIXES:
        return _load_booster(model.local_path, key)
    return _load_pickle(model.local_path, key)


def _load_skops(path: Path, key: str, trusted: tuple[str, ...] = ()) -> LoadedModel:
    """Load a skops file trusting skops' defaults plus the types the gate file names.

    Only the named types that the file holds are recorded (the report lists what was trusted);
    any other type skops does not trust is refused, naming the gate-file key that trusts it.
    """
    import skops.io  # noqa: PLC0415 (optional: mlgate[skops])

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


def _mlflow_loader() -> ModuleType:
    """The MLflow model loader, imported for an MLflow model only: importing MLflow costs a
    second or two that a gate on a model file does not need to pay."""
    from mlgate.loading import _mlflow  # noqa: PLC0415 (MLflow for MLflow models only)

    return _mlflow
