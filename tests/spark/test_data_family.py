"""The data family on Spark: the same violations, counted over every row, as the pandas engine.

Which rows give a violation's examples may differ (a table has no row order), so examples are
compared as "values that break the rule"; everything else is compared exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlgate.engine import run_gate
from tests.spark.conftest import classification_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = [f"x{i}" for i in range(6)]
SCHEMA = """version: 1
strict: true
unique: [id, region]
columns:
  id: {dtype: integer, unique: true}
  x0: {dtype: float, nullable: false, min: -3, max: 3}
  x1: {dtype: float}
  x2: {dtype: float}
  x3: {dtype: float}
  x4: {dtype: integer}
  x5: {dtype: float}
  label: {dtype: integer}
  weight: {dtype: float, min: 0}
  region: {dtype: string, categories: [north, south]}
  tenure: {dtype: float}
"""


def without_examples(details: dict) -> dict:
    out = {k: v for k, v in details.items() if k != "examples"}
    if "violations" in out:
        out["violations"] = [
            {k: v for k, v in x.items() if k != "examples"} for x in out["violations"]
        ]
    return out


def test_schema_missing_duplicates_and_label_checks(spark, to_spark, tmp_path):
    rng = np.random.default_rng(51)
    frame = classification_data(3000, [0, 1, 2], seed=52)
    frame["id"] = np.arange(3000)
    frame.loc[[10, 11], "id"] = 5  # three rows share id 5
    frame["region"] = rng.choice(["north", "south", "east"], 3000, p=[0.5, 0.45, 0.05])
    frame.loc[rng.random(3000) < 0.02, "x0"] = np.nan
    frame.loc[[20, 21, 22], "x0"] = [9.0, -9.0, 4.0]
    frame = frame.drop(columns="x3").assign(note=1)  # x3 is absent; note is unexpected (strict)
    frame = frame.iloc[[*range(3000), 100, 200]].reset_index(drop=True)  # two repeated rows
    features = [c for c in FEATURES if c != "x3"]
    model = LogisticRegression(max_iter=500).fit(frame[features].fillna(0), frame["label"])
    (tmp_path / "schema.yaml").write_text(SCHEMA)
    gate = {
        "target": "label",
        "features": features,
        "checks": {
            "data": {
                "schema": str(tmp_path / "schema.yaml"),
                "missing": {"max_share": 0.01},
                "duplicates": {"max_share": 0.0},
                "label": {"min_class_share": 0.34},
            }
        },
    }
    filled = frame.assign(x0=frame["x0"].fillna(0)) if False else frame
    model_input = filled
    on_pandas = run_gate({**gate, "engine": "pandas"}, data=model_input, model=_Filled(model))
    on_spark = run_gate(
        {**gate, "engine": "spark"}, data=to_spark(model_input), model=_Filled(model)
    )
    assert [(c.id, c.status) for c in on_spark.checks] == [
        (c.id, c.status) for c in on_pandas.checks
    ]
    for expected, got in zip(on_pandas.checks, on_spark.checks, strict=True):
        assert without_examples(got.details or {}) == without_examples(expected.details or {}), (
            got.id
        )
    schema = next(c for c in on_spark.checks if c.name == "schema")
    checks = {(v["column"], v["check"]) for v in schema.details["violations"]}
    assert {("x0", "nullable"), ("x0", "min"), ("x0", "max"), ("region", "categories"),
            ("id", "unique"), ("x3", "present"), ("note", "unexpected")} <= checks  # fmt: skip
    x0_min = next(v for v in schema.details["violations"] if v["check"] == "min")
    assert x0_min["examples"] and all(float(e) < -3 for e in x0_min["examples"])


class _Filled:
    """The fitted model, fed missing inputs as 0 (the data keeps them, for the data checks)."""

    def __init__(self, model):
        self.model = model
        self.classes_ = model.classes_
        self.feature_names_in_ = model.feature_names_in_

    def predict_proba(self, X):
        return self.model.predict_proba(X.fillna(0))

    def predict(self, X):
        return self.model.predict(X.fillna(0))
