"""Explainability section from the documented ``details`` of explainability.importance."""

from __future__ import annotations

import pytest

from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from mlgate.reporting.sections.explainability import MAX_BARS
from tests.reporting._sections import (
    ESCAPED,
    HOSTILE,
    assert_no_raw_hostile,
    check,
    report_of,
    section_of,
    svgs,
)

FEATURES = [HOSTILE, "$cost$"] + [f"f{i:02d}" for i in range(28)]


def importance_details() -> dict:
    """30 features, most important first, as explainability.importance stores them."""
    values = {name: 1.0 / (rank + 1) for rank, name in enumerate(FEATURES)}
    total = sum(values.values())
    return {
        "algorithm": "saabas",
        "explainer": "TreeExplainer",
        "model_type": "RandomForestClassifier",
        "output": "probability of class 1",
        "feature_space": "input",
        "sample": {"requested": 1000, "rows": 1000, "of": 20000, "seed": 0, "background": None},
        "seconds": 0.41,
        "importance": values,
        "ranking": list(FEATURES),
        "share": {name: value / total for name, value in values.items()},
        "per_class": None,
        "agreement": {
            "rows": 32,
            "spearman": 0.95,
            "top_k": 5,
            "top_k_overlap": 1.0,
            "exact_top_k": FEATURES[:5],
            "approximate_top_k": FEATURES[:5],
            "exact_seconds_per_row": 0.028,
        },
        "notes": ["a note about <b>the</b> sample"],
    }


@pytest.fixture(scope="module")
def report():
    rule = {
        "k": 3,
        "features": ["f05"],
        "top_k": FEATURES[:3],
        "ranks": {"f05": 6},
        "offending": [],
    }
    return report_of(
        check("explainability", "importance", importance_details(), value=1000),
        check("explainability", "forbidden_in_top_k", rule, value=0),
    )


@pytest.fixture(scope="module")
def html(report):
    return render_html(report)


def test_importance_bars_of_the_top_features_with_how_they_were_computed(html):
    section = section_of(html, "explainability")
    (chart,) = svgs(section)
    assert "mean |SHAP|" in chart
    assert "f17" in chart and "f18" not in chart  # rank 20 drawn, rank 21 not
    assert f"top {MAX_BARS} of 30 features" in section
    assert (
        "saabas (TreeExplainer, RandomForestClassifier) on 1,000 of 20,000 rows, seed 0; "
        "explains probability of class 1" in section
    )
    assert "Spearman 0.95, top-5 overlap 1" in section


def test_importance_table_ranks_features_with_their_share(html):
    section = section_of(html, "explainability")
    table = section.split("<h3>Feature importance (top 20 of 30 features)</h3>")[1]
    table = table.split("</table>")[0]
    assert table.count("<tr>") == MAX_BARS + 1
    assert f"<tr><td>1</td><td>{ESCAPED}</td><td>1</td><td>" in table


def test_generic_details_keep_only_what_the_table_does_not_show(html):
    details = section_of(html, "explainability").split('<details class="kv">', 1)[1]
    assert "<tr><th>ranking</th>" not in details and "<tr><th>share</th>" not in details
    assert "<tr><th>algorithm</th>" in details and "<tr><th>offending</th>" in details


def test_hostile_feature_names_are_text(html):
    section = section_of(html, "explainability")
    assert ESCAPED in section and "&lt;b&gt;the&lt;/b&gt;" in section
    assert "$cost$" in svgs(section)[0]
    assert_no_raw_hostile(html)


def test_markdown_adds_no_explainability_table(report):
    markdown = render_markdown(report)
    assert "Feature importance" not in markdown
    assert HOSTILE not in markdown
