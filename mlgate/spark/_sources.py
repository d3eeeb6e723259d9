"""The gate's data as a Spark DataFrame: a catalog table, Parquet, a pinned Delta snapshot.

Delta's Spark connector is not part of pyspark (its jars come from a Maven repository when a
session starts). Where the session has it (Databricks), a snapshot is read natively with
``versionAsOf``/``timestampAsOf``. Elsewhere ``deltalake`` resolves the snapshot's Parquet files and
Spark reads those, which is right only for plain tables: deletion vectors would bring deleted rows
back and column mapping would misname columns, so such tables are refused in one line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import InputError, did_you_mean
from mlgate.loading.data import (
    MSG_EMPTY,
    MSG_MISSING,
    delta_path,
    delta_snapshot,
    file_digest,
    open_delta,
)
from mlgate.spark import is_spark_frame
from mlgate.spark._session import first_line

MSG_NO_TABLE = "{key}.table: the table '{table}' does not exist{hint}"
MSG_UNREADABLE = "{key}: {source} could not be read by Spark: {error}"
MSG_NOT_SPARK_FRAME = "{key}: expected a Spark DataFrame, got {got}"
MSG_DELTA_FEATURE = (
    "{key}.delta: the Delta table {path} uses {feature}, which mlgate cannot honour without "
    "Delta's Spark connector ({why}); run the gate on a Spark platform with Delta "
    "(Databricks), or rewrite the table without it"
)
MSG_PARTITION_FOLDERS = (
    "{key}.delta: the Delta table {path} is partitioned by {columns}, but its files are not in "
    "column=value folders, so their values cannot be read without Delta's Spark connector; run "
    "the gate on a Spark platform with Delta (Databricks)"
)
DELETION_VECTORS = ("deletion vectors", "its files' deleted rows would be read back")
COLUMN_MAPPING = ("column mapping", "columns would be read under their physical names")
DATA_SOURCE_NOT_FOUND = "DATA_SOURCE_NOT_FOUND"


@dataclass
class SparkData:
    """A Spark DataFrame and where it came from; ``rows`` is set by the pass that counts them."""

    frame: Any
    source: str
    digest: str
    snapshot: dict[str, Any] = field(default_factory=dict)
    rows: int | None = None

    def describe(self) -> dict[str, Any]:
        """Provenance recorded in the report, as the pandas engine records a file's."""
        if self.rows is None:
            self.rows = self.frame.count()
        described = {"source": self.source, "rows": self.rows, "columns": len(self.frame.columns)}
        return {**described, "digest": self.digest, **self.snapshot}


def from_spark_frame(frame: Any, key: str) -> SparkData:
    """Wrap a DataFrame passed from Python; its digest is Spark's hash of the query plan."""
    if not is_spark_frame(frame):
        raise InputError(MSG_NOT_SPARK_FRAME.format(key=key, got=type(frame).__name__))
    return SparkData(frame=frame, source="<Spark DataFrame>", digest=f"plan:{frame.semanticHash()}")


def read_spark_source(
    session: Any,
    source: str | Mapping[str, Any],
    key: str,
    base_dir: Path,
    digest: str | None = None,
) -> SparkData:
    """Read a gate-file data entry (a path, ``{table: ...}`` or ``{delta: ...}``) in Spark; a
    path's ``digest`` is computed here unless given (:func:`files_digest`)."""
    if isinstance(source, Mapping) and "table" in source:
        return _read_table(session, source["table"], key)
    if isinstance(source, Mapping):
        return _read_delta(session, source, key, base_dir)
    path = local_path(source, base_dir)
    if not path.exists():
        raise InputError(MSG_MISSING.format(key=key, path=path, base=base_dir))
    reader = session.read
    if path.suffix.lower() == ".csv":
        frame = _loaded(lambda: reader.csv(str(path), header=True, inferSchema=True), key, path)
    else:
        frame = _loaded(lambda: reader.parquet(str(path)), key, path)
    return SparkData(frame=frame, source=str(path), digest=digest or files_digest(path))


def local_path(source: str, base_dir: Path) -> Path:
    """The file or folder a path entry names, relative paths from the gate file's folder."""
    path = Path(source).expanduser()
    return path if path.is_absolute() else base_dir / path


def _loaded(read: Any, key: str, source: Any) -> Any:
    """Run ``read`` and resolve its schema now, so a bad source fails here in one line."""
    try:
        frame = read()
        frame.schema  # noqa: B018 - Spark Connect resolves a plan only when asked for its schema
    except Exception as error:  # AnalysisException, Py4JJavaError, SparkConnectGrpcException...
        raise InputError(
            MSG_UNREADABLE.format(key=key, source=source, error=first_line(error))
        ) from error
    return frame


def _read_table(session: Any, table: str, key: str) -> SparkData:
    if not session.catalog.tableExists(table):
        database = table.rsplit(".", 1)[0] if "." in table else None
        try:
            known = [t.name for t in session.catalog.listTables(database)]
        except Exception:  # the database itself is missing: no names to suggest
            known = []
        hint = did_you_mean(table.rsplit(".", 1)[-1], known)
        raise InputError(MSG_NO_TABLE.format(key=key, table=table, hint=hint))
    frame = _loaded(lambda: session.read.table(table), key, f"table {table}")
    return SparkData(frame=frame, source=f"table:{table}", digest=f"table:{table}")


def _read_delta(session: Any, source: Mapping[str, Any], key: str, base_dir: Path) -> SparkData:
    path = delta_path(source, key, base_dir)
    version, timestamp = source.get("version"), source.get("timestamp")
    native = _read_delta_natively(session, path, version, timestamp)
    if native is not None:
        return native
    return _read_delta_files(session, path, key, version, timestamp)


def _read_delta_natively(session: Any, path: Path, version: Any, timestamp: Any) -> Any:
    """The snapshot through Delta's own Spark reader, or None when the session has none."""
    reader = session.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    if timestamp is not None:
        reader = reader.option("timestampAsOf", timestamp)
    try:
        frame = reader.load(str(path))
        frame.schema  # noqa: B018 - resolve now: is there a Delta reader at all?
    except Exception as error:
        if DATA_SOURCE_NOT_FOUND in str(error) or "Failed to find data source" in str(error):
            return None
        raise  # a Delta reader exists and refused: the deltalake path would not do better
    snapshot = {"format": "delta", "table": str(path), "reader": "spark"}
    if version is not None:
        snapshot["version"] = version
    if timestamp is not None:
        snapshot["timestamp"] = timestamp
    pinned = version if version is not None else timestamp
    digest = hashlib.sha256(f"{path}@{pinned}".encode()).hexdigest()
    return SparkData(frame=frame, source=f"{path}@{pinned}", digest="sha256:" + digest)


def _read_delta_files(
    session: Any, path: Path, key: str, version: Any, timestamp: Any
) -> SparkData:
    """The snapshot's Parquet files, listed by ``deltalake`` and read by Spark."""
    table = open_delta(path, key, version, timestamp)
    _refuse_unsupported_features(table, key, path)
    files = table.file_uris()
    if not files:
        raise InputError(MSG_EMPTY.format(key=key, path=path))
    partitions = list(table.metadata().partition_columns)
    reader = session.read
    if partitions:  # partition values live in the folder names (col=value/...), not the files
        reader = reader.option("basePath", str(path))
    frame = _loaded(lambda: reader.parquet(*files), key, path)
    if any(column not in frame.columns for column in partitions):
        columns = ", ".join(partitions)
        raise InputError(MSG_PARTITION_FOLDERS.format(key=key, path=path, columns=columns))
    name, digest, snapshot = delta_snapshot(table, path, timestamp)
    return SparkData(frame=frame, source=name, digest=digest, snapshot=snapshot)


def _refuse_unsupported_features(table: Any, key: str, path: Path) -> None:
    """Exit 2 for a table whose files alone do not give its rows and columns."""
    configuration = table.metadata().configuration
    if configuration.get("delta.columnMapping.mode", "none") != "none":
        feature, why = COLUMN_MAPPING
        raise InputError(MSG_DELTA_FEATURE.format(key=key, path=path, feature=feature, why=why))
    features = table.protocol().reader_features or []
    if "deletionVectors" in features:
        feature, why = DELETION_VECTORS
        raise InputError(MSG_DELTA_FEATURE.format(key=key, path=path, feature=feature, why=why))


def files_digest(path: Path) -> str:
    """A digest of a file's bytes, or of a folder's Parquet files (names, sizes, times)."""
    if path.is_file():
        return file_digest(path)
    digest = hashlib.sha256()
    for part in sorted(path.rglob("*.parquet")):
        stat = part.stat()
        digest.update(f"{part.relative_to(path)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return "sha256:" + digest.hexdigest()
