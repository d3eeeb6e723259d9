"""Read evaluation and reference data (CSV, Parquet, Delta tables) into pandas, one-line errors.

A Delta table is named ``{delta: path, version: N}`` or ``{delta: path, timestamp: ISO-8601}``;
it needs the optional ``deltalake`` package (``pip install 'mlgate[delta]'``). The report records
the table, the version read and the row count, so a gate pins the exact snapshot it compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow

from mlgate.errors import InfrastructureError, InputError

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq")

MSG_MISSING = (
    "{key}: file {path} does not exist; check the path (relative paths are read from {base})"
)
MSG_SUFFIX = (
    "{key}: {path} is not a .csv or .parquet file; convert it or pass a DataFrame from Python"
)
MSG_UNREADABLE = "{key}: {path} could not be read as {kind}: {error}"
MSG_EMPTY = "{key}: {path} has no rows; point it at the evaluation data"
MSG_NOT_DATAFRAME = "{key}: expected a pandas DataFrame, got {got}"
MSG_NO_DELTALAKE = (
    "{key}: reading a Delta table needs the deltalake package; install it with "
    "pip install 'mlgate[delta]'"
)
MSG_NOT_DELTA = "{key}.delta: {path} is not a Delta table (no _delta_log); check the path"
MSG_NO_VERSION = "{key}.version: the Delta table {path} has no version {version}; {error}"
MSG_BAD_TIMESTAMP = (
    "{key}.timestamp: {timestamp!r} is not a time the Delta table {path} can be read at: {error}"
)
MSG_VERSION_AND_TIMESTAMP = (
    "{key}: give either 'version' or 'timestamp' of the Delta table, not both"
)


@dataclass(frozen=True)
class LoadedData:
    """A table and where it came from (for the report and reproducibility)."""

    frame: pd.DataFrame
    source: str
    digest: str
    snapshot: dict[str, Any] = field(default_factory=dict)  # Delta: table, version, timestamp

    def describe(self) -> dict[str, Any]:
        """Provenance recorded in the report."""
        rows, columns = self.frame.shape
        described = {"source": self.source, "rows": rows, "columns": columns}
        return {**described, "digest": self.digest, **self.snapshot}


def read_source(source: str | Mapping[str, Any], key: str, base_dir: Path) -> LoadedData:
    """Read a gate-file data entry: a file path, or a Delta table mapping."""
    if isinstance(source, Mapping):
        return read_delta(source, key, base_dir)
    path = Path(source).expanduser()
    return read_table(path if path.is_absolute() else base_dir / path, key, base_dir)


def read_delta(source: Mapping[str, Any], key: str, base_dir: Path) -> LoadedData:
    """Read a Delta table at a version or timestamp (default: the latest)."""
    path = delta_path(source, key, base_dir)
    timestamp = source.get("timestamp")
    table = open_delta(path, key, source.get("version"), timestamp)
    frame = table.to_pandas()
    release_arrow_cache()
    if frame.empty:
        raise InputError(MSG_EMPTY.format(key=key, path=path))
    name, digest, snapshot = delta_snapshot(table, path, timestamp)
    return LoadedData(frame=frame, source=name, digest=digest, snapshot=snapshot)


def delta_path(source: Mapping[str, Any], key: str, base_dir: Path) -> Path:
    """The table folder a ``{delta: path, version|timestamp}`` entry names (not both pins)."""
    if source.get("version") is not None and source.get("timestamp") is not None:
        raise InputError(MSG_VERSION_AND_TIMESTAMP.format(key=key))
    path = Path(source["delta"]).expanduser()
    return path if path.is_absolute() else base_dir / path


def open_delta(path: Path, key: str, version: Any, timestamp: Any) -> Any:
    """The ``deltalake.DeltaTable`` at the pinned snapshot; a bad path or pin is exit 2."""
    try:
        from deltalake import DeltaTable  # noqa: PLC0415 (optional: mlgate[delta])
        from deltalake.exceptions import DeltaError, TableNotFoundError  # noqa: PLC0415
    except ImportError as error:
        raise InfrastructureError(MSG_NO_DELTALAKE.format(key=key)) from error
    try:
        table = DeltaTable(str(path), version=version)
    except TableNotFoundError as error:
        raise InputError(MSG_NOT_DELTA.format(key=key, path=path)) from error
    except DeltaError as error:
        if version is None:
            raise InputError(MSG_NOT_DELTA.format(key=key, path=path)) from error
        latest = DeltaTable(str(path)).version()
        reason = f"its versions are 0 to {latest}"
        raise InputError(
            MSG_NO_VERSION.format(key=key, path=path, version=version, error=reason)
        ) from error
    if timestamp is not None:
        try:
            table.load_as_version(timestamp)
        except (DeltaError, ValueError) as error:
            reason = " ".join(str(error).split())
            raise InputError(
                MSG_BAD_TIMESTAMP.format(key=key, timestamp=timestamp, path=path, error=reason)
            ) from error
    return table


def delta_snapshot(table: Any, path: Path, timestamp: Any) -> tuple[str, str, dict[str, Any]]:
    """How the report names a snapshot read: its source text, digest and snapshot facts."""
    read_version = table.version()
    snapshot: dict[str, Any] = {"format": "delta", "table": str(path), "version": read_version}
    if timestamp is not None:
        snapshot["timestamp"] = timestamp
    digest = hashlib.sha256(f"{table.table_uri}@{read_version}".encode()).hexdigest()
    return f"{path}@v{read_version}", "sha256:" + digest, snapshot


def read_table(path: Path, key: str, base_dir: Path) -> LoadedData:
    """Read ``path`` (CSV or Parquet) named by gate-file ``key``."""
    if not path.is_file():
        raise InputError(MSG_MISSING.format(key=key, path=path, base=base_dir))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(MSG_SUFFIX.format(key=key, path=path))
    kind = "CSV" if suffix == ".csv" else "Parquet"
    try:
        frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except Exception as error:  # pandas/pyarrow raise many types for a bad file
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(
            MSG_UNREADABLE.format(key=key, path=path, kind=kind, error=reason)
        ) from error
    if frame.empty:
        raise InputError(MSG_EMPTY.format(key=key, path=path))
    if suffix != ".csv":
        release_arrow_cache()
    return LoadedData(frame=frame, source=str(path), digest=file_digest(path))


def from_frame(frame: Any, key: str) -> LoadedData:
    """Wrap a DataFrame passed from Python; its digest hashes the values and index."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(MSG_NOT_DATAFRAME.format(key=key, got=type(frame).__name__))
    if frame.empty:
        raise InputError(MSG_EMPTY.format(key=key, path="the DataFrame"))
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(map(str, frame.columns)).encode("utf-8"))
    return LoadedData(frame=frame, source="<DataFrame>", digest="sha256:" + digest.hexdigest())


def release_arrow_cache() -> None:
    """Give back to the system the memory Arrow kept after converting a table to pandas.

    Arrow's allocator keeps the buffers of the decoded table for reuse; after a large Parquet
    read they outweigh the data frame itself, and the model and the bootstrap would otherwise
    stack their memory on top of them.
    """
    pyarrow.default_memory_pool().release_unused()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()
