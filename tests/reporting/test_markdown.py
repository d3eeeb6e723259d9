"""The Markdown summary: decision first, problems first, escaped cells, under GitHub's limits."""

from __future__ import annotations

import pytest

from mlgate.reporting.markdown import COMMENT_LIMIT, MSG_TRUNCATED, escape_cell, render_markdown
from mlgate.result import CheckResult


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("| --- |", r"\| --- \|"),
        ("a\nb\r\nc", "a b c"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("*bold* _it_ `code` [link](x)", r"\*bold\* \_it\_ \`code\` \[link\](x)"),
        ("bell\x07 esc\x1b[31m", r"bell esc\[31m"),
        ("a & b", "a &amp; b"),
    ],
)
def test_escape_cell(raw, escaped):
    assert escape_cell(raw) == escaped


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


def test_decision_line_and_problem_table_first(binary_result):
    text = render_markdown(binary_result)
    lines = text.splitlines()
    assert lines[0] == "## :x: mlgate: gate FAILED: 2 passed, 2 failed, 1 warned"
    problems = text.index("### Failed and warned checks")
    details = text.index("<details><summary>2 other check(s)</summary>")
    assert problems < text.index("### Challenger vs champion") < details
    assert text.rstrip().endswith("</details>")
    failing = [c.id.replace("_", r"\_") for c in binary_result.checks if c.status != "passed"]
    block = text[problems:details]
    assert all(f"| {check_id} |" in block for check_id in failing)


def test_deltas_table_in_the_summary(binary_result):
    text = render_markdown(binary_result)
    check = binary_result.check("comparison.f1_score")
    row = next(r for r in _table_rows(text) if r.startswith(r"| f1\_score |"))
    assert f"| {check.details['delta']:+.4g} |" in row
    assert row.endswith("| FAIL |")


def test_hostile_cells_keep_the_table_shape(multiclass_result):
    text = render_markdown(multiclass_result)
    for row in _table_rows(text):
        unescaped_bars = row.replace(r"\|", "").count("|")
        assert unescaped_bars == 6, row  # five columns
    assert "<b>" not in text and "<img" not in text


def test_passed_gate_says_so(regression_result):
    text = render_markdown(regression_result)
    assert text.startswith("## :white_check_mark: mlgate: gate PASSED: 2 passed\n")
    assert "Failed and warned checks" not in text
    assert "<details><summary>all 2 checks</summary>" in text


def test_long_reports_are_truncated_and_say_so(regression_result):
    many = [
        CheckResult(
            id=f"slices.region_{i}",
            family="slices",
            name=f"region_{i}",
            status="failed" if i % 2 else "passed",
            message="é中 " * 60,
        )
        for i in range(1000)
    ]
    report = regression_result.to_dict()
    report["checks"] = [c.to_dict() for c in many]
    report["summary"] = {"passed": 500, "failed": 500}
    text = render_markdown(report)
    assert len(text.encode("utf-8")) <= COMMENT_LIMIT  # bytes: fits a byte limit too
    assert "_Truncated to stay under 65,536 characters:" in text
    shown = len(_table_rows(text)) - 2  # minus the problem table's header and rule
    assert MSG_TRUNCATED.format(limit=COMMENT_LIMIT, left=1000 - shown, total=1000) in text
    small = render_markdown(report, max_chars=2_000)
    assert len(small.encode("utf-8")) <= 2_000 and "_Truncated" in small
    assert len(render_markdown(report, max_chars=1_048_576)) > COMMENT_LIMIT
