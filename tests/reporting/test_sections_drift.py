"""Drift section from the documented ``details`` of drift.features and drift.prediction."""

from __future__ import annotations

import pytest

from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from mlgate.reporting.sections import MSG_LEFT_OUT, build_sections
from mlgate.reporting.sections.drift import (
    MAX_CATEGORIES,
    MAX_HISTOGRAMS,
    MAX_ROWS,
    MAX_SUMMARY_ROWS,
    MSG_OTHER_CATEGORIES,
)
from tests.reporting._sections import (
    ESCAPED,
    HOSTILE,
    assert_no_raw_hostile,
    check,
    report_of,
    section_of,
    svgs,
)


def numeric(name: str, drifted: bool, role: str = "feature") -> dict:
    return {
        "column": name,
        "role": role,
        "kind": "numeric",
        "test": "ks",
        "statistic": 0.31 if drifted else 0.02,
        "p_value": 1e-6 if drifted else 0.8,
        "adjusted_p_value": 3e-5 if drifted else 1.0,
        "threshold": 0.05,
        "corrected": True,
        "drifted": drifted,
        "n_reference": 500,
        "n_eval": 400,
        "missing_reference": 0.0,
        "missing_eval": 0.0,
        "notes": [],
        "histogram": {
            "kind": "numeric",
            "edges": [0.0, 1.0, 2.0, 3.0],
            "reference": [100, 300, 100],
            "eval": [50, 150, 200],
        },
    }


def categorical(name: str, categories: int) -> dict:
    labels = [HOSTILE] + [f"c{i:02d}" for i in range(categories - 1)]
    return {
        **numeric(name, True),
        "kind": "categorical",
        "test": "jensenshannon",
        "statistic": 0.2,
        "p_value": None,
        "adjusted_p_value": None,
        "threshold": 0.1,
        "corrected": False,
        "histogram": {
            "kind": "categorical",
            "categories": labels,
            "reference": list(range(categories, 0, -1)),
            "eval": list(range(1, categories + 1)),
        },
    }


@pytest.fixture(scope="module")
def report():
    """55 features: a hostile categorical and 13 numeric ones drifted; a drifted prediction."""
    columns = (
        [categorical(HOSTILE, 30)]
        + [numeric(f"num{i:02d}", True) for i in range(13)]
        + [numeric(f"ok{i:02d}", False) for i in range(41)]
    )
    drifted = [c["column"] for c in columns if c["drifted"]]
    features = {
        "alpha": 0.05,
        "correction": "holm",
        "tests_corrected": 55,
        "large_sample": 5000,
        "columns": columns,
        "drifted": drifted,
        "importance": None,
        "most_important_drifted": None,
        "notes": [],
    }
    prediction = {**features, "columns": [numeric("prediction", True, "prediction")]}
    prediction["drifted"] = ["prediction"]
    return report_of(
        check("drift", "features", features, status="failed", value=14),
        check("drift", "prediction", prediction, status="failed", value=1),
    )


@pytest.fixture(scope="module")
def html(report):
    return section_of(render_html(report), "drift")


def test_column_table_per_check_capped(html):
    features = html.split("<h3>Columns of drift.features</h3>")[1].split("</table>")[0]
    assert features.count("<tr>") == MAX_ROWS + 1
    assert "<th>adjusted p</th>" in features
    assert "<tr><td>num00</td><td>feature</td><td>numeric</td><td>ks</td><td>0.31</td>" in features
    assert MSG_LEFT_OUT.format(shown=MAX_ROWS, total=55, what="columns of drift.features") in html
    assert "<h3>Columns of drift.prediction</h3>" in html


def test_histograms_of_drifted_columns_capped(html):
    charts = svgs(html)
    assert len(charts) == MAX_HISTOGRAMS
    assert all("reference" in chart and "eval" in chart for chart in charts)
    assert MSG_LEFT_OUT.format(shown=12, total=15, what="histograms of drifted columns") in html
    assert "could not be drawn" not in html


def test_categorical_histogram_keeps_the_largest_categories_and_sums_the_rest(report):
    (section,) = [s for s in build_sections(report) if s.key == "drift"]
    figure = section.figures[0]
    assert f"{MAX_CATEGORIES} largest of 30 categories" in figure.caption
    (svg,) = svgs(figure.draw())
    assert MSG_OTHER_CATEGORIES.format(count=10) in svg


def test_generic_details_leave_the_columns_to_the_table(html):
    assert "<tr><th>columns</th>" not in html
    assert "<tr><th>alpha</th>" in html


def test_hostile_column_and_category_names_are_text(report, html):
    assert ESCAPED in html
    assert any("&lt;img src=x" in chart for chart in svgs(html))
    assert_no_raw_hostile(render_html(report))


def test_markdown_lists_the_drifted_columns_capped(report):
    markdown = render_markdown(report)
    table = markdown.split("### Drifted columns")[1].split("\n\n")[1]
    assert table.count("\n") == MAX_SUMMARY_ROWS + 1  # header, separator, rows
    assert "ok00" not in markdown
    assert HOSTILE not in markdown
