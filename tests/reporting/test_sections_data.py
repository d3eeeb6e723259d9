"""Data section from the documented ``details`` of the data checks: one violations table."""

from __future__ import annotations

from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from mlgate.reporting.sections import MSG_LEFT_OUT
from mlgate.reporting.sections.data import MAX_ROWS
from tests.reporting._sections import (
    ESCAPED,
    HOSTILE,
    assert_no_raw_hostile,
    check,
    report_of,
    section_of,
)


def violation(column: str, rule: str = "in_range", rows: int = 3) -> dict:
    return {"column": column, "check": rule, "expected": ">= 0", "rows": rows, "examples": ["-1"]}


def report() -> dict:
    schema = {
        "schema": "schema.json",
        "rows": 100,
        "columns": 30,
        "violations": [violation(HOSTILE)] + [violation(f"c{i:02d}") for i in range(24)],
    }
    missing = {
        "max_share": 0.1,
        "shares": {"age": 0.2},
        "violations": [violation("age", "missing", 20)],
    }
    duplicates = {"rows": 100, "duplicate_rows": 0, "share": 0.0, "max_share": 0.1, "examples": []}
    return report_of(
        check("data", "schema", schema, status="failed", value=25),
        check("data", "missing", missing, status="failed", value=1),
        check("data", "duplicates", duplicates, value=0.0),
    )


def test_violations_table_capped_escaped_and_in_the_summary():
    html = render_html(report())
    section = section_of(html, "data")
    table = section.split("<h3>Data violations</h3>")[1].split("</table>")[0]
    assert table.count("<tr>") == MAX_ROWS + 1
    assert f"<tr><td>data.schema</td><td>{ESCAPED}</td><td>in_range</td>" in table
    assert MSG_LEFT_OUT.format(shown=MAX_ROWS, total=26, what="violations") in section
    assert "<tr><th>violations</th>" not in section  # the table shows them
    assert "<tr><th>duplicate_rows</th>" in section
    assert_no_raw_hostile(html)
    markdown = render_markdown(report())
    assert "### Data violations" in markdown
    assert HOSTILE not in markdown
