"""Read evaluation and reference data (CSV, Parquet) into pandas, with one-line errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

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


@dataclass(frozen=True)
class LoadedData:
    """A table and where it came from (for the report and reproducibility)."""

    frame: pd.DataFrame
    source: str
    digest: str

    def describe(self) -> dict[str, Any]:
        """Provenance recorded in the report."""
        rows, columns = self.frame.shape
        return {"source": self.source, "rows": rows, "columns": columns, "digest": self.digest}


def read_table(path: Path, key: str, base_dir: Path) -> LoadedData:
    """Read ``path`` (CSV or Parquet) named by gate-file ``key``."""
    import pandas as pd

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
    return LoadedData(frame=frame, source=str(path), digest=file_digest(path))


def from_frame(frame: Any, key: str) -> LoadedData:
    """Wrap a DataFrame passed from Python; its digest hashes the values and index."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InputError(MSG_NOT_DATAFRAME.format(key=key, got=type(frame).__name__))
    if frame.empty:
        raise InputError(MSG_EMPTY.format(key=key, path="the DataFrame"))
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(map(str, frame.columns)).encode("utf-8"))
    return LoadedData(frame=frame, source="<DataFrame>", digest="sha256:" + digest.hexdigest())


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()
