"""Fixtures for the model-check families: real MLflow model folders saved once per session."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

# Given, so MLflow does not spend seconds inferring them in a subprocess.
REQUIREMENTS = ["scikit-learn"]


@pytest.fixture(scope="session")
def binary_X(binary_frame):
    return binary_frame.drop(columns="label")


@pytest.fixture(scope="session")
def mlflow_folder(tmp_path_factory, binary_model, binary_X) -> Path:
    """The breast-cancer pipeline as an MLflow model folder with a signature and input example."""
    import mlflow
    from mlflow.models import infer_signature

    folder = tmp_path_factory.mktemp("mlflow-model") / "model"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.sklearn.save_model(
            binary_model,
            folder,
            signature=infer_signature(binary_X, binary_model.predict(binary_X)),
            input_example=binary_X.head(3),
            pip_requirements=REQUIREMENTS,
        )
    return folder


@pytest.fixture(scope="session")
def bare_mlflow_folder(tmp_path_factory, binary_model) -> Path:
    """The same model saved without signature nor input example."""
    import mlflow

    folder = tmp_path_factory.mktemp("mlflow-bare") / "model"
    mlflow.sklearn.save_model(binary_model, folder, pip_requirements=REQUIREMENTS)
    return folder
