"""Arrow batches bounded by rows when Spark's byte limit is off.

Spark 4 bounds each Arrow batch it sends to Python by bytes
(``spark.sql.execution.arrow.maxBytesPerBatch``) by asking the batch for its size after every
row, which walks every column: at 31 columns that was a third of the JVM's time in the scoring
pass and half of it in the ROC pass (:mod:`benchmarks.bench_spark`). Spark skips the check when
the limit is exactly ``2147483647``, as a session mlgate starts sets it; the batches are then
kept within Spark's own default byte budget by lowering the row limit from the width of the
columns sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyspark.sql import types as T  # noqa: N812 - PySpark's own convention

MAX_BYTES = "spark.sql.execution.arrow.maxBytesPerBatch"
MAX_ROWS = "spark.sql.execution.arrow.maxRecordsPerBatch"
NO_BYTE_LIMIT = 2**31 - 1  # the one value at which Spark skips its per-row size check
BATCH_BYTES = 64 * 2**20  # Spark's default byte limit, kept by rows instead
LEAST_ROWS = 1_000  # a floor, so a very wide table still gets batches, not single rows
FIXED_WIDTHS = {
    T.BooleanType: 1,
    T.ByteType: 1,
    T.ShortType: 2,
    T.IntegerType: 4,
    T.DateType: 4,
    T.FloatType: 4,
    T.LongType: 8,
    T.DoubleType: 8,
    T.TimestampType: 8,
    T.TimestampNTZType: 8,
    T.DecimalType: 16,
}
OTHER_WIDTH = 32  # strings, binary and nested values: a guess, as Spark's own estimates are


def bound_batch_rows(session: Any, fields: Sequence[Any]) -> None:
    """With the byte limit off, lower the session's rows per batch so that a batch of the
    ``fields`` columns takes at most :data:`BATCH_BYTES`; a session with the limit on, or
    already within it, is left as it is."""
    if _bytes(session.conf.get(MAX_BYTES, None)) != NO_BYTE_LIMIT:
        return
    width = sum(FIXED_WIDTHS.get(type(field.dataType), OTHER_WIDTH) for field in fields)
    rows = max(LEAST_ROWS, BATCH_BYTES // max(width, 1))
    current = int(session.conf.get(MAX_ROWS, "10000"))
    if current <= 0 or rows < current:  # Spark reads zero or less as no row limit at all
        session.conf.set(MAX_ROWS, str(rows))


def _bytes(value: str | None) -> int | None:
    """A plain byte count as Spark prints it (``67108864b`` or ``2147483647``); else None."""
    text = (value or "").strip().lower().removesuffix("b")
    return int(text) if text.isdigit() else None
