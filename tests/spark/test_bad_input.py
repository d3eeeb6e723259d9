"""What the Spark engine refuses, each in one line with its documented exit code.

The infrastructure cases (no pyspark, no Java, an unreachable or malformed Spark Connect address)
run ``mlgate`` in a real process, since each is about that process's environment; they fail
before any JVM starts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from mlgate.families import FAMILIES, CheckFamily
from mlgate.spark import MSG_NO_PYSPARK, MSG_PANDAS_ONLY, MSG_TABLE_NEEDS_SPARK
from mlgate.spark._session import MSG_BAD_CONF, MSG_BAD_REMOTE, MSG_NO_JAVA, MSG_UNREACHABLE
from tests._cli import one_error_line
from tests.spark.conftest import classification_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = [f"x{i}" for i in range(6)]
GATE = (
    "model: model.joblib\nengine: spark\ntarget: label\nfeatures: [{features}]\n"
    "data: {{eval: eval.parquet}}\n"
).format(features=", ".join(FEATURES))


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    frame = classification_data(300, [0, 1], seed=12)
    frame.to_parquet(tmp_path / "eval.parquet")
    joblib.dump(
        LogisticRegression().fit(frame[FEATURES], frame["label"]), tmp_path / "model.joblib"
    )
    (tmp_path / "mlgate.yaml").write_text(GATE)
    return tmp_path


def mlgate_process(folder: Path, *args: str, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "run", "-q", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stderr


def clean_env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "JAVA_HOME")}
    return {**env, **changes}


def test_without_pyspark_exit_3_names_the_extra(inputs, tmp_path_factory):
    shadow = tmp_path_factory.mktemp("no-pyspark")
    (shadow / "pyspark").mkdir()
    (shadow / "pyspark" / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    code, err = mlgate_process(inputs, env=clean_env(PYTHONPATH=str(shadow)))
    assert code == 3
    assert one_error_line(err) == MSG_NO_PYSPARK


def test_without_java_exit_3_names_what_to_install(inputs, tmp_path_factory):
    bin_dir = tmp_path_factory.mktemp("bin-without-java")
    assert not (bin_dir / "java").exists()
    code, err = mlgate_process(inputs, env=clean_env(PATH=str(bin_dir)))
    assert code == 3
    assert one_error_line(err) == MSG_NO_JAVA


def test_an_unreachable_spark_connect_server_exit_3_in_seconds(inputs):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"sc://127.0.0.1:{port}"
    code, err = mlgate_process(inputs, "--spark-remote", url, env=clean_env())
    assert code == 3
    assert one_error_line(err) == MSG_UNREACHABLE.format(
        host="127.0.0.1", port=port, error="Connection refused"
    )


def test_a_spark_remote_that_is_no_connect_address_exit_3_without_its_token(inputs):
    code, err = mlgate_process(
        inputs, env=clean_env(SPARK_REMOTE="https://cluster.example;token=s3cret")
    )
    assert code == 3
    assert one_error_line(err) == MSG_BAD_REMOTE.format(url="https://cluster.example")
    assert "s3cret" not in err


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("checks: {audited: {}}\n", "checks.audited"),
        ("metrics: {mine: {function: 'metrics.py:mine'}}\n", "metrics.mine"),
    ],
    ids=["family", "custom-metric"],
)
def test_a_pandas_only_setting_is_refused_before_any_data_is_read(
    inputs, run_cli, section, key, monkeypatch
):
    """Every built-in family and bootstrap statistics run on Spark; a family from another package
    that does not say it does (``spark_rows``) is refused, and so are custom metrics (they take
    the rows' arrays)."""
    audited = CheckFamily("audited", "a family of another package", run=list, schema={})
    monkeypatch.setitem(FAMILIES, "audited", audited)
    (inputs / "mlgate.yaml").write_text(GATE + section)
    code, _, err = run_cli("run", "-c", str(inputs / "mlgate.yaml"), "-q")
    assert code == 2
    message = one_error_line(err)
    assert message.endswith(MSG_PANDAS_ONLY.format(key=key)), message


def test_a_catalog_table_on_the_pandas_engine_names_the_key(inputs, run_cli):
    gate = GATE.replace("engine: spark\n", "").replace("eval.parquet", "{table: main.eval}")
    (inputs / "mlgate.yaml").write_text(gate)
    code, _, err = run_cli("run", "-c", str(inputs / "mlgate.yaml"), "-q")
    assert code == 2
    assert one_error_line(err).endswith(MSG_TABLE_NEEDS_SPARK.format(key="data.eval"))


def test_a_spark_setting_the_running_session_refuses_is_exit_2(spark, inputs, run_cli):
    (inputs / "mlgate.yaml").write_text(GATE + "spark: {conf: {spark.executor.memory: 2g}}\n")
    code, _, err = run_cli("run", "-c", str(inputs / "mlgate.yaml"), "-q")
    assert code == 2
    message = one_error_line(err)
    prefix = MSG_BAD_CONF.split("{error}")[0].format(key="spark.executor.memory")
    assert prefix in message, message
    assert "\tat " not in err  # no Java stack trace


class FailsOnOutliers:
    """A classifier whose predict raises on one row of the data (an executor, not the sample)."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X):
        if (X["x0"] > 1e5).any():
            raise ValueError("x0 is out of the training range")
        p = 1 / (1 + np.exp(-X["x0"].to_numpy()))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def test_a_model_failing_in_the_executors_is_the_pandas_engines_one_line(spark, to_spark):
    import cloudpickle

    from mlgate.engine import run_gate
    from mlgate.errors import InputError
    from mlgate.prediction import MSG_PREDICT_FAILED

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    frame = classification_data(3000, [0, 1], seed=14)
    frame.loc[1234, "x0"] = 1e6
    gate = {"target": "label", "features": FEATURES, "engine": "spark", "spark": {"sample": 1}}
    with pytest.raises(InputError) as failed:
        run_gate(gate, data=to_spark(frame), model=FailsOnOutliers())
    assert str(failed.value) == MSG_PREDICT_FAILED.format(
        key="model", method="predict", error="x0 is out of the training range"
    )


class NaNOnOutliers(FailsOnOutliers):
    """A classifier whose probabilities are NaN on the rows it cannot score."""

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X["x0"].to_numpy()))
        p[X["x0"].to_numpy() > 1e5] = np.nan
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (np.nan_to_num(self.predict_proba(X)[:, 1]) > 0.5).astype(int)


def test_nan_probabilities_on_rows_outside_the_sample_are_refused_as_on_pandas(spark, to_spark):
    """Arrow carries a NaN output back as a missing value; it is counted all the same."""
    import cloudpickle

    from mlgate.engine import run_gate
    from mlgate.errors import InputError
    from mlgate.prediction import MSG_NAN_PREDICTIONS

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    frame = classification_data(3000, [0, 1], seed=14)
    frame.loc[[17, 1234], "x0"] = 1e6
    gate = {"target": "label", "features": FEATURES, "engine": "spark", "spark": {"sample": 1}}
    with pytest.raises(InputError) as failed:
        run_gate(gate, data=to_spark(frame), model=NaNOnOutliers())
    assert str(failed.value) == MSG_NAN_PREDICTIONS.format(
        key="model", what="probabilities", count=2, total=3000
    )
