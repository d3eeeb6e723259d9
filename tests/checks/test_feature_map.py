"""Mapping a fitted transform's output columns back to the input columns they came from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlgate.checks._feature_map import source_columns


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "city": rng.choice(["paris", "lyon", "nice"], 50),
            "city_zone": rng.choice(["a", "b"], 50),
            "income": rng.normal(size=50),
            "age": rng.normal(size=50),
        }
    )


def test_one_hot_with_dropped_categories_and_prefix_sharing_names(frame):
    columns = ["city", "city_zone"]
    encoder = OneHotEncoder(drop="first").fit(frame[columns])
    assert source_columns(encoder, columns) == ["city", "city", "city_zone"]


def test_column_transformer_with_nested_pipeline_and_remainder(frame):
    transform = ColumnTransformer(
        [
            (
                "cat",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()),
                ["city"],
            ),
            ("num", StandardScaler(), ["age"]),
        ],
        remainder="passthrough",
    ).fit(frame)
    sources = source_columns(transform, list(frame.columns))
    assert sources == ["city", "city", "city", "age", "city_zone", "income"]
    assert len(sources) == transform.transform(frame).shape[1]


def test_pipeline_of_column_preserving_steps_is_the_identity(frame):
    numeric = frame[["income", "age"]]
    transform = make_pipeline(SimpleImputer(), StandardScaler()).fit(numeric)
    assert source_columns(transform, ["income", "age"]) == ["income", "age"]


def test_a_transform_that_mixes_columns_has_no_mapping(frame):
    numeric = frame[["income", "age"]]
    assert source_columns(PCA(n_components=2).fit(numeric), ["income", "age"]) is None
    mixed = ColumnTransformer([("pca", PCA(n_components=1), ["income", "age"])]).fit(numeric)
    assert source_columns(mixed, ["income", "age"]) is None
