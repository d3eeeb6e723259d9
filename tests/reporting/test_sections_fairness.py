"""Fairness section of a real gate: worst-group table, one bar chart per check, capped, escaped."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import mlgate
from mlgate.reporting._view import value_text
from mlgate.reporting.html import render_html
from mlgate.reporting.markdown import render_markdown
from mlgate.reporting.sections import MSG_LEFT_OUT, build_sections
from mlgate.reporting.sections.fairness import MAX_BARS, MAX_FIGURES
from tests.reporting._sections import ESCAPED, HOSTILE, assert_no_raw_hostile, section_of, svgs


@pytest.fixture(scope="module")
def report(binary_frame, binary_model, weak_binary_model):
    """Two disparities, a group metric and a comparison on a hostile and a 25-value column.

    The engine's diagnostics are dropped: their plots are not under test here and take time.
    """
    rng = np.random.default_rng(3)
    frame = binary_frame.copy()
    frame["grp"] = rng.choice(["a", HOSTILE, "$cost$"], len(frame), p=[0.49, 0.49, 0.02])
    frame["many"] = rng.choice([f"g{i:02d}" for i in range(25)], len(frame))
    gate = {
        "target": "label",
        "sensitive_features": ["grp", "many"],
        "checks": {
            "fairness": {
                "demographic_parity_ratio": {"min": 0.99},
                "equalized_odds_difference": {"max": 1.0},
                "group": {"recall_score": {"min": 0.5}},
                "comparison": {"equalized_odds_difference": {"max_delta": 1.0}},
                "min_group_size": 15,
            }
        },
    }
    result = mlgate.run_gate(gate, data=frame, model=binary_model, baseline=weak_binary_model)
    from mlgate.reporting._view import as_report

    report = as_report(result)
    report.pop("diagnostics", None)
    return report


@pytest.fixture(scope="module")
def html(report):
    return render_html(report)


def test_worst_group_table_has_a_row_per_check_with_its_worst_and_best_group(report, html):
    section = section_of(html, "fairness")
    checks = [c for c in report["checks"] if c["details"]["kind"] != "comparison"]
    assert len(checks) == 6
    assert "<h3>Worst group per check</h3>" in section
    for check in checks:
        worst = check["details"]["worst_group"]
        shown = ESCAPED if worst == HOSTILE else worst
        assert f"<tr><td>{check['id']}</td><td>{shown}</td>" in section


def test_one_chart_per_check(html):
    section = section_of(html, "fairness")
    assert len(svgs(section)) == 6
    assert "could not be drawn" not in section


def test_charts_are_capped_and_the_rest_counted(report):
    many = copy.deepcopy(report)
    many["checks"] = [  # 18 with groups to draw, 6 comparisons with none
        dict(check, id=f"{check['id']}#{copy_index}")
        for copy_index in range(3)
        for check in report["checks"]
    ]
    (section,) = [s for s in build_sections(many) if s.key == "fairness"]
    assert len(section.figures) == MAX_FIGURES
    assert MSG_LEFT_OUT.format(shown=MAX_FIGURES, total=18, what="group charts") in section.notes


def test_comparisons_get_the_deltas_table_not_a_chart(report, html):
    section = section_of(html, "fairness")
    table = section.split("<h3>Disparity vs champion</h3>")[1].split("</table>")[0]
    assert "<th>check</th><th>champion</th><th>challenger</th><th>delta</th>" in table
    for check in report["checks"]:
        if check["details"]["kind"] == "comparison":
            details = check["details"]
            assert f"<tr><td>{check['id']}</td><td>{value_text(details['baseline'])}</td>" in table
    assert "<tr><th>relative_delta</th>" not in section
    assert "<tr><th>baseline_groups</th>" in section


def test_limit_line_and_groups_too_small_are_drawn_and_said(html):
    section = section_of(html, "fairness")
    assert "grey: under 15 rows, not judged" in section  # "$cost$" has about 11 rows
    charts = "".join(svgs(section))
    assert "highest x 0.99" in charts  # demographic parity ratio: min 0.99
    assert "highest - 1" in charts  # equalized odds difference: max 1
    assert "min 0.5" in charts  # recall per group: min 0.5


def test_bars_are_capped_per_chart(html):
    section = section_of(html, "fairness")
    assert f"{MAX_BARS} of 25 groups shown, worst first" in section


def test_hostile_group_names_are_text_in_page_and_plots(html):
    section = section_of(html, "fairness")
    assert ESCAPED in section
    assert any("&lt;img src=x" in svg for svg in svgs(section))
    assert any(r"$cost$" in svg for svg in svgs(section))  # shown as text, not as math
    assert_no_raw_hostile(html)


def test_markdown_shows_the_worst_group_table_escaped(report):
    markdown = render_markdown(report)
    assert "### Worst group per check" in markdown
    assert HOSTILE not in markdown
    assert "fairness.demographic\\_parity\\_ratio\\[grp\\]" in markdown


def test_lower_is_better_limits_are_drawn_above_the_lowest_error():
    """Issue 19: for an error metric, min_ratio bounds the highest error by lowest / ratio.

    Drawn as ``highest x ratio`` the line sat under the lower-error group, which then looked
    like the failing one.
    """
    from tests.reporting._sections import check, report_of

    groups = [
        {"name": "f", "judged": True, "value": 1000.0},
        {"name": "m", "judged": True, "value": 2000.0},
    ]
    details = {
        "kind": "group",
        "metric": "mean_absolute_error",
        "grouping": "gender",
        "groups": groups,
        "worst_group": "m",
        "best_group": "f",
        "greater_is_better": False,
    }
    threshold = {"max": 2500.0, "min_ratio": 0.8, "max_difference": 300.0}
    report = report_of(
        check(
            "fairness", "mae[gender]", details, status="failed", value=2000.0, threshold=threshold
        )
    )
    (section,) = [s for s in build_sections(report) if s.key == "fairness"]
    from mlgate.reporting.sections.fairness import _limits

    lines = _limits(details, threshold, groups)
    assert lines == [(2500.0, "max 2,500"), (1250.0, "lowest / 0.8"), (1300.0, "lowest + 300")]
    charts = "".join(svgs(render_html(report)))
    assert "lowest / 0.8" in charts
    assert "highest x 0.8" not in charts
    assert section.figures
