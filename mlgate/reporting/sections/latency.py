"""Latency section: single-row percentiles and batch throughput, challenger next to champion.

Every latency check stores the same measurements, so the table is built from the first check
that has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting._view import value_text
from mlgate.reporting.sections import Section, Table, drop_detail_keys, section_builder

SINGLE_ROW = (
    ("p50_ms", "single row p50 (ms)"),
    ("p95_ms", "single row p95 (ms)"),
    ("p99_ms", "single row p99 (ms)"),
    ("calls", "single row timed calls"),
)
BATCH = (("rows_per_s", "batch rows/s"), ("calls", "batch timed calls"))
MEASUREMENT_KEYS = {"single_row", "batch", "budget_seconds", "method"}


@section_builder("latency")
def latency_section(section: Section, report: Mapping[str, Any]) -> None:
    """The measurements table (also in the Markdown summary), with how they were taken."""
    details = next(
        (
            c["details"]
            for c in section.checks
            if (c.get("details") or {}).get("single_row") or (c.get("details") or {}).get("batch")
        ),
        None,
    )
    if details is None:
        return
    parts = [
        (details.get("single_row") or {}, SINGLE_ROW),
        (details.get("batch") or {}, BATCH),
    ]
    champion = any(part.get("baseline") for part, _ in parts)
    rows = []
    for part, fields in parts:
        model, baseline = part.get("model") or {}, part.get("baseline") or {}
        for key, title in fields if model else ():
            rows.append(
                [title, value_text(model.get(key))]
                + ([value_text(baseline.get(key))] if champion else [])
            )
    headers = ["measure", "challenger", "champion"] if champion else ["measure", "model"]
    section.tables.append(Table("Latency", headers, rows, in_summary=True))
    single, batch = details.get("single_row") or {}, details.get("batch") or {}
    how = [
        f"{details.get('method', 'predict')} timed within a "
        f"{value_text(details.get('budget_seconds'))} s budget"
    ]
    if single:
        how.append(
            f"single row: {value_text(single.get('rows_sampled'))} rows sampled, "
            f"stopped by {single.get('stopped_by')}"
        )
    if batch:
        how.append(
            f"batches of {value_text(batch.get('batch_size'))} rows, "
            f"stopped by {batch.get('stopped_by')}"
        )
    section.notes.append("; ".join(how))
    drop_detail_keys(section, MEASUREMENT_KEYS)
