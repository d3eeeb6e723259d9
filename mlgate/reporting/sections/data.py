"""Data section: the violations every data check found, in one compact table.

Schema, missing values, label and signature violations share one shape (column, rule, expected,
rows, examples), so one table holds them all; the Markdown summary shows it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting._view import value_text
from mlgate.reporting.sections import Section, Table, drop_detail_keys, left_out, section_builder

MAX_ROWS = 20
HEADERS = ["check", "column", "rule", "expected", "rows", "examples"]


@section_builder("data")
def data_section(section: Section, report: Mapping[str, Any]) -> None:
    """The violations table; the checks' other details stay as they are."""
    rows = [
        [
            str(check.get("id", "")),
            str(violation.get("column", "")),
            str(violation.get("check", "")),
            str(violation.get("expected", "")),
            value_text(violation.get("rows")),
            ", ".join(str(example) for example in violation.get("examples") or []),
        ]
        for check in section.checks
        for violation in (check.get("details") or {}).get("violations") or []
    ]
    if rows:
        section.tables.append(Table("Data violations", HEADERS, rows[:MAX_ROWS], in_summary=True))
        left_out(section, min(len(rows), MAX_ROWS), len(rows), "violations")
    drop_detail_keys(section, {"violations"})
