"""Slices section of a real gate: worst slice per check, one table per slicing, capped, escaped."""

from __future__ import annotations

import numpy as np
import pytest

import mlgate
from mlgate.reporting._view import as_report
from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from mlgate.reporting.sections import MSG_LEFT_OUT
from mlgate.reporting.sections.slices import MAX_ROWS
from tests.reporting._sections import ESCAPED, HOSTILE, assert_no_raw_hostile, section_of


@pytest.fixture(scope="module")
def report(binary_frame, binary_model):
    """Two metrics on a hostile column, one on quantile bins, one on a 60-value column."""
    rng = np.random.default_rng(5)
    frame = binary_frame.copy()
    frame["grp"] = rng.choice(["a", HOSTILE, "tiny"], len(frame), p=[0.49, 0.49, 0.02])
    frame["many"] = rng.choice([f"s{i:02d}" for i in range(60)], len(frame))
    gate = {
        "target": "label",
        "checks": {
            "slices": [
                {
                    "by": "grp",
                    "metrics": {"accuracy_score": {"min": 0.5}, "recall_score": {"min": 0.999}},
                },
                {
                    "by": {"column": "mean_radius", "bins": 3},
                    "metrics": {"accuracy_score": {"min": 0.5}},
                },
                {"by": "many", "metrics": {"accuracy_score": {"min": 0.0}}, "min_size": 1},
            ]
        },
    }
    report = as_report(mlgate.run_gate(gate, data=frame, model=binary_model))
    report.pop("diagnostics", None)  # its plots are not under test here
    return report


@pytest.fixture(scope="module")
def html(report):
    return section_of(render_html(report), "slices")


def test_worst_slice_per_check_table(report, html):
    assert "<h3>Worst slice per check</h3>" in html
    for check in report["checks"]:
        worst = check["details"]["worst_slice"]
        shown = ESCAPED if worst == HOSTILE else worst
        assert f"<tr><td>{check['id']}</td><td>{shown}</td>" in html


def test_one_table_per_slicing_with_every_metric_as_a_column(html):
    assert "<h3>Slices of grp (checks.slices[0])</h3>" in html
    assert (
        "<th>slice</th><th>rows</th><th>accuracy_score</th><th>recall_score</th>"
        "<th>judged</th><th>failing</th><th>worst for</th>" in html
    )
    assert "<h3>Slices of mean_radius (checks.slices[1]), 3 quantile bins</h3>" in html
    assert "<td>tiny</td>" in html and "no (too small)" in html


def test_slice_rows_are_capped_keeping_the_worst(report, html):
    table = html.split("<h3>Slices of many (checks.slices[2])</h3>")[1].split("</table>")[0]
    assert table.count("<tr>") == MAX_ROWS + 1  # the header row, then the slices
    worst = report["checks"][-1]["details"]["worst_slice"]
    assert f"<td>{worst}</td>" in table
    assert MSG_LEFT_OUT.format(shown=MAX_ROWS, total=60, what="slices of many") in html


def test_hostile_slice_names_are_text(report, html):
    assert ESCAPED in html
    assert_no_raw_hostile(render_html(report))


def test_markdown_shows_the_worst_slice_table_only(report):
    markdown = render_markdown(report)
    assert "### Worst slice per check" in markdown
    assert "Slices of grp" not in markdown
    assert HOSTILE not in markdown
