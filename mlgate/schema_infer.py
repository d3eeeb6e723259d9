"""What ``mlgate schema infer`` writes: a data schema inferred from reference data, as YAML.

A face of its own (the command and the demo use it), so the data checks never read files: the
rules live in :mod:`mlgate.checks._data_schema`, reading the data lives in :mod:`mlgate.loading`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlgate.checks._data_schema import infer_schema, schema_yaml
from mlgate.loading.data import read_source

KEY = "schema infer"


def infer_schema_text(path: Path) -> str:
    """The schema YAML of the reference data at ``path`` (a file, or a Delta table's folder)."""
    source: Any = {"delta": str(path)} if (path / "_delta_log").is_dir() else str(path)
    loaded = read_source(source, KEY, Path.cwd())
    return schema_yaml(infer_schema(loaded.frame), loaded.source, len(loaded.frame))
