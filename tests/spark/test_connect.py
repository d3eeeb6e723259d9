"""The Spark engine through Spark Connect: a real process, a local Connect server.

``--spark-remote local[2]`` starts a Spark Connect server beside the client (as
``SparkSession.builder.remote("local[2]")`` does), so the gate runs on a Connect session (no
SparkContext, no RDDs) exactly as it would against a cluster's ``sc://`` address.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources

import joblib
import jsonschema
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from mlgate.engine import run_gate
from tests.spark.conftest import classification_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = [f"x{i}" for i in range(6)]


def test_a_gate_on_spark_connect_decides_as_the_pandas_engine(tmp_path):
    """Metrics, a champion, drift against a reference and bootstrap intervals, all through
    Connect: the executors' passes (mapInArrow, mapInPandas, range partitioning, caching) use no
    RDD."""
    frame = classification_data(2000, [0, 1, 2], seed=13)
    reference = classification_data(1500, [0, 1, 2], seed=14)
    reference.to_parquet(tmp_path / "reference.parquet")
    model = LogisticRegression().fit(frame[FEATURES], frame["label"])
    champion = DecisionTreeClassifier(max_depth=2, random_state=0).fit(
        frame[FEATURES], frame["label"]
    )
    folder = tmp_path / "eval"
    folder.mkdir()
    frame.iloc[:1000].to_parquet(folder / "part-0.parquet")
    frame.iloc[1000:].to_parquet(folder / "part-1.parquet")
    joblib.dump(model, tmp_path / "model.joblib")
    joblib.dump(champion, tmp_path / "champion.joblib")
    checks = {
        "performance": {"roc_auc": {"min": 0.7}, "log_loss": {"max": 1.0}},
        "comparison": {
            "accuracy_score": {"min_delta": 0.0},
            "roc_auc": {"min_delta": -0.5, "confidence": 0.9},
        },
        "drift": {"columns": FEATURES},
    }
    gate = {
        "model": "model.joblib",
        "baseline": "champion.joblib",
        "target": "label",
        "sample_weight": "weight",
        "data": {"eval": "eval", "reference": "reference.parquet"},
        "statistics": {"bootstrap": 100},
        "checks": checks,
    }
    (tmp_path / "mlgate.yaml").write_text(json.dumps(gate))  # JSON is YAML
    env = {k: v for k, v in os.environ.items() if k != "SPARK_REMOTE"}
    env["SPARK_TESTING"] = "1"  # pyspark then binds the local Connect server to a free port
    command = ["run", "-q", "--report", "json", "--spark-remote", "local[2]"]
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == ""  # the JVM's own output went to its log, not the terminal
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    expected = run_gate(
        {k: v for k, v in gate.items() if k not in ("model", "baseline", "data")},
        data=frame,
        reference=reference,
        model=model,
        baseline=champion,
    )
    assert report["status"] == expected.status
    assert [(c["id"], c["status"]) for c in report["checks"]] == [
        (c.id, c.status) for c in expected.checks
    ]
    assert report["metrics"] == pytest.approx(expected.metrics, rel=1e-9)
    assert report["baseline_metrics"] == pytest.approx(expected.baseline_metrics, rel=1e-9)
    assert set(report["intervals"]) == set(expected.intervals)
    assert report["statistics"]["resampling"] == "poisson"
    drift = next(c for c in report["checks"] if c["id"] == "drift.features")
    assert len(drift["details"]["columns"]) == len(FEATURES)
    expected_drift = next(c for c in expected.checks if c.id == "drift.features")
    pairs = zip(drift["details"]["columns"], expected_drift.details["columns"], strict=True)
    for got, column in pairs:
        assert (got["column"], got["test"], got["drifted"], got["histogram"]) == (
            column["column"],
            column["test"],
            column["drifted"],
            column["histogram"],
        )
        assert got["statistic"] == pytest.approx(column["statistic"], rel=1e-12)
        assert got["p_value"] == pytest.approx(column["p_value"], rel=1e-12)
    engine = report["data"]["eval"]["engine"]
    assert engine["remote"] == "local[2]"
    assert engine["partitions"] == 2
    schema = resources.files("mlgate.schemas").joinpath("report.schema.json").read_text("utf-8")
    jsonschema.Draft202012Validator(json.loads(schema)).validate(report)
