"""The Spark engine: the same gate on every row of a table that does not fit one machine.

``engine: spark`` (or ``mlgate run --engine spark``, or a Spark DataFrame passed as ``data=``)
builds the evaluation context in Spark instead of pandas; the checks, reports, registry and CI
integrations are the same code and never know which engine ran. What runs where:

- every row is scored in the executors, and the metrics of the model and the baseline, the
  slice and fairness groups, the data checks and the drift statistics are computed there from
  aggregations (:mod:`mlgate.spark._classification`, ``_regression``, ``_groups``, ``_table``,
  ``_drift``); only sums and counts reach the driver;
- the families that read rows (explainability, latency, resources, contract, documentation) run on
  a seeded sample brought to the driver (``spark.sample`` rows, default 10,000), and the report
  says so;
- bootstrap intervals and paired comparisons draw Poisson resamples over every row
  (:mod:`mlgate.spark._bootstrap`);
- a family or option that needs every row in memory (a family of another package that does not
  declare ``spark_rows``, custom metrics) is refused before any data is read, naming it.

This module imports no pyspark: the engine asks it what to refuse while the gate file is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlgate.errors import GateFileError, InfrastructureError
from mlgate.families import families

if TYPE_CHECKING:
    from mlgate.spec import GateSpec

MSG_PANDAS_ONLY = (
    "{key} needs the rows in one process, which engine: spark does not do; remove it from this "
    "gate or run it with engine: pandas"
)
MSG_TABLE_NEEDS_SPARK = (
    "{key}.table: a catalog table is read by the Spark engine; add engine: spark to the gate "
    "file (or run mlgate run --engine spark)"
)
MSG_NO_PYSPARK = (
    "engine: spark needs pyspark, which is not installed; install it with "
    'pip install "mlgate[spark]"'
)


def is_spark_frame(value: Any) -> bool:
    """True for a classic or Spark Connect DataFrame, without importing pyspark."""
    module = type(value).__module__
    return module.startswith("pyspark.sql") and type(value).__name__ == "DataFrame"


def refuse_pandas_only(spec: GateSpec, *, predictions: Any) -> None:
    """Exit 2 naming the first setting of ``spec`` the Spark engine cannot honour."""
    configured = spec.document.get("checks", {})
    for name, family in families().items():
        if name in configured and family.spark_rows is None:
            _refuse(spec, f"checks.{name}")
    if spec.custom_metrics:
        _refuse(spec, f"metrics.{next(iter(spec.custom_metrics))}")
    if predictions is not None:
        _refuse(spec, "predictions=")


def refuse_catalog_tables(spec: GateSpec) -> None:
    """Exit 2 when the pandas engine is given a ``{table: ...}`` source it cannot read."""
    for key, source in (("data.eval", spec.eval_data), ("data.reference", spec.reference_data)):
        if isinstance(source, dict) and "table" in source:
            raise GateFileError(f"{spec.source}: {MSG_TABLE_NEEDS_SPARK.format(key=key)}")


def open_spark_data(spec: GateSpec, *, data: Any, reference: Any) -> Any:
    """The session and the tables: see :func:`mlgate.spark._context.open_data` (exit 3 without
    pyspark)."""
    try:
        import pyspark  # noqa: F401, PLC0415 (optional: mlgate[spark]; refused in one line)
    except ImportError as error:
        raise InfrastructureError(MSG_NO_PYSPARK) from error
    from mlgate.spark._context import open_data  # noqa: PLC0415 (imports pyspark)

    return open_data(spec, data=data, reference=reference)


def spark_context(spec: GateSpec, **inputs: Any) -> Any:
    """The context built by the Spark engine: see :func:`mlgate.spark._context.build`."""
    from mlgate.spark._context import build  # noqa: PLC0415 (imports pyspark)

    return build(spec, **inputs)


def _refuse(spec: GateSpec, key: str) -> None:
    raise GateFileError(f"{spec.source}: {MSG_PANDAS_ONLY.format(key=key)}")
