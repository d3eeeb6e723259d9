"""Where the Spark engine reads data: Parquet files and folders, catalog tables, Delta snapshots.

Each source gives the same metrics as the pandas engine on the same rows; a source that cannot be
read right is refused in one line naming the key (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pandas as pd
import pytest
from deltalake import DeltaTable, write_deltalake
from sklearn.linear_model import LogisticRegression

from mlgate.engine import run_gate
from mlgate.errors import InputError
from mlgate.loading.data import file_digest
from mlgate.spark._sources import (
    COLUMN_MAPPING,
    DELETION_VECTORS,
    MSG_DELTA_FEATURE,
    MSG_NO_TABLE,
)
from tests._cli import one_error_line
from tests.spark.conftest import classification_data

pytestmark = pytest.mark.integration  # starts a real Spark (a JVM)

FEATURES = [f"x{i}" for i in range(6)]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = classification_data(1200, [0, 1], seed=11)
    data["region"] = ["north", "south", "east"] * 400
    return data


@pytest.fixture(scope="module")
def model(frame) -> LogisticRegression:
    return LogisticRegression().fit(frame[FEATURES], frame["label"])


def gate(eval_source, **extra) -> dict:
    checks = {"performance": {"roc_auc": {"min": 0.5}}}
    return {"target": "label", "features": FEATURES, "checks": checks, **extra} | {
        "data": {"eval": eval_source}
    }


def pandas_metrics(frame, model) -> dict:
    return run_gate(gate("unused.csv"), data=frame, model=model).metrics


def test_a_folder_of_parquet_files(spark, tmp_path, frame, model):
    folder = tmp_path / "eval"
    folder.mkdir()
    for part, rows in enumerate(range(0, len(frame), 400)):
        frame.iloc[rows : rows + 400].to_parquet(folder / f"part-{part}.parquet")
    result = run_gate(gate(str(folder), engine="spark"), model=model)
    assert result.metrics == pytest.approx(pandas_metrics(frame, model), rel=1e-9)
    assert result.data["eval"]["source"] == str(folder)
    assert result.data["eval"]["rows"] == len(frame)


def test_parquet_files_have_the_pandas_engines_digests(spark, tmp_path, frame, model):
    """The files are hashed while the session starts, in a thread: the same digests."""
    data = {key: str(tmp_path / f"{key}.parquet") for key in ("eval", "reference")}
    frame.to_parquet(data["eval"])
    frame.iloc[:600].to_parquet(data["reference"])
    on_spark = run_gate(gate("unused", engine="spark") | {"data": data}, model=model)
    on_pandas = run_gate(gate("unused") | {"data": data}, model=model)
    for key in ("eval", "reference"):
        assert on_spark.data[key]["digest"] == on_pandas.data[key]["digest"], key
        assert on_spark.data[key]["digest"] == file_digest(Path(data[key])), key


@pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "partitioned"])
def test_a_pinned_delta_snapshot_read_from_its_file_list(
    spark, tmp_path, frame, model, partitioned
):
    table = tmp_path / "table"
    first, later = frame.iloc[:600], frame.iloc[600:]
    partition_by = ["region"] if partitioned else None
    write_deltalake(table, first, partition_by=partition_by)
    write_deltalake(table, later, mode="append", partition_by=partition_by)
    pinned = run_gate(gate({"delta": str(table), "version": 0}, engine="spark"), model=model)
    latest = run_gate(gate({"delta": str(table)}, engine="spark"), model=model)
    assert pinned.data["eval"]["rows"] == 600
    assert pinned.data["eval"]["version"] == 0
    assert pinned.metrics == pytest.approx(pandas_metrics(first, model), rel=1e-9)
    assert latest.data["eval"]["version"] == 1
    assert latest.metrics == pytest.approx(pandas_metrics(frame, model), rel=1e-9)


def _rewrite_first_commit(table: Path, protocol: dict, configuration: dict, physical: bool) -> None:
    """Declare a Delta feature in the table's first commit, as a writer that uses it would."""
    log = table / "_delta_log" / "00000000000000000000.json"
    actions = [json.loads(line) for line in log.read_text().splitlines()]
    for action in actions:
        if "protocol" in action:
            action["protocol"] = protocol
        if "metaData" in action:
            action["metaData"]["configuration"] = configuration
            if physical:  # column mapping: every field has an id and a physical name
                schema = json.loads(action["metaData"]["schemaString"])
                for index, field in enumerate(schema["fields"], start=1):
                    field["metadata"] = {
                        "delta.columnMapping.id": index,
                        "delta.columnMapping.physicalName": f"col-{index}",
                    }
                action["metaData"]["schemaString"] = json.dumps(schema)
    log.write_text("\n".join(json.dumps(action) for action in actions) + "\n")


@pytest.mark.parametrize("feature", ["deletion vectors", "column mapping"])
def test_a_delta_table_whose_files_alone_would_give_wrong_rows_is_refused(
    spark, tmp_path, frame, model, feature
):
    table = tmp_path / "table"
    write_deltalake(table, frame)
    if feature == "deletion vectors":
        protocol = {
            "minReaderVersion": 3,
            "minWriterVersion": 7,
            "readerFeatures": ["deletionVectors"],
            "writerFeatures": ["deletionVectors"],
        }
        _rewrite_first_commit(table, protocol, {"delta.enableDeletionVectors": "true"}, False)
        name, why = DELETION_VECTORS
    else:
        protocol = {"minReaderVersion": 2, "minWriterVersion": 5}
        _rewrite_first_commit(table, protocol, {"delta.columnMapping.mode": "name"}, True)
        name, why = COLUMN_MAPPING
    DeltaTable(str(table))  # the table itself is valid Delta
    with pytest.raises(InputError) as refused:
        run_gate(gate({"delta": str(table)}, engine="spark"), model=model)
    assert str(refused.value) == MSG_DELTA_FEATURE.format(
        key="data.eval", path=table, feature=name, why=why
    )


def test_a_catalog_table_by_name_and_a_missing_one_with_the_closest_name(
    spark, tmp_path, frame, model, run_cli, monkeypatch
):
    spark.sql("CREATE DATABASE IF NOT EXISTS gate_tests")
    spark.createDataFrame(frame).write.mode("overwrite").saveAsTable("gate_tests.evaluation")
    result = run_gate(gate({"table": "gate_tests.evaluation"}, engine="spark"), model=model)
    assert result.metrics == pytest.approx(pandas_metrics(frame, model), rel=1e-9)
    assert result.data["eval"]["source"] == "table:gate_tests.evaluation"

    joblib.dump(model, tmp_path / "model.joblib")
    (tmp_path / "mlgate.yaml").write_text(
        "model: model.joblib\nengine: spark\ntarget: label\n"
        "data: {eval: {table: gate_tests.evaluations}}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("run", "-q")
    assert code == 2
    expected = MSG_NO_TABLE.format(
        key="data.eval", table="gate_tests.evaluations", hint="; did you mean 'evaluation'?"
    )
    assert one_error_line(err).endswith(expected)


def test_a_missing_target_column_names_the_closest(spark, tmp_path, frame, model, run_cli):
    frame.to_parquet(tmp_path / "eval.parquet")
    joblib.dump(model, tmp_path / "model.joblib")
    gate_file = tmp_path / "mlgate.yaml"
    gate_file.write_text("model: model.joblib\ntarget: labels\ndata: {eval: eval.parquet}\n")
    code, _, err = run_cli("run", "-c", str(gate_file), "-q", "--engine", "spark")
    assert code == 2
    message = one_error_line(err)
    assert message.startswith("target: column 'labels' is not in ")
    assert "did you mean 'label'?" in message
