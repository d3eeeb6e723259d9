"""The HTML report: self-contained, every check shown, hostile names shown as text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mlgate.reporting.html import render_html
from mlgate.reporting.sections import Section, Table, build_sections, builders, section_builder
from tests._reports import HOSTILE_CLASSES, HOSTILE_COLUMN


class _Elements(HTMLParser):
    """Every start tag with its attributes, as the browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def test_every_check_has_a_row_failed_first(any_result, html_of):
    html = html_of(any_result)
    rows = re.findall(r'<tr class="check (\w+)" data-check="([^"]+)"', html)
    assert sorted(check_id for _, check_id in rows) == sorted(c.id for c in any_result.checks)
    order = ["failed", "errored", "warned", "skipped", "passed"]
    ranks = [order.index(status) for status, _ in rows]
    assert ranks == sorted(ranks)
    assert f'class="banner {any_result.status}"' in html


def test_self_contained_no_script_no_external_reference(any_result, html_of):
    html = html_of(any_result)
    tags = _elements(html)
    assert not [tag for tag, _ in tags if tag in ("script", "link", "iframe", "object", "embed")]
    sources = [attrs.get("src") or "" for tag, attrs in tags if tag == "img"]
    assert sources and all(src.startswith("data:image/svg+xml;base64,") for src in sources)
    assert "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html and "url(" not in html


@pytest.mark.parametrize(
    ("task", "titles"),
    [
        ("binary", ["ROC curve", "Precision-recall curve", "Calibration", "Confusion matrix"]),
        ("multiclass", ["Confusion matrix"]),
        ("regression", ["Residuals against prediction", "Residual histogram"]),
    ],
)
def test_diagnostic_plots_for_each_task(request, task, titles, html_of):
    html = html_of(request.getfixturevalue(f"{task}_result"))
    shown = re.findall(r'<img src="data:[^"]+" alt="([^"]+)">', html)
    assert [title for title in shown if title in titles] == titles


def test_comparison_section_has_deltas(binary_result):
    sections = {s.key: s for s in build_sections(binary_result.to_dict())}
    table = sections["comparison"].tables[0]
    assert table.headers[:4] == ["metric", "champion", "challenger", "delta"]
    row = next(r for r in table.rows if r[0] == "roc_auc")
    check = binary_result.check("comparison.roc_auc")
    assert row[3] == f"{check.details['delta']:+.4g}"
    assert row[-1] == "PASS"


def test_hostile_names_are_text(multiclass_result, html_of):
    html = html_of(multiclass_result)
    tags = _elements(html)
    assert not [t for t, a in tags if t == "script"]
    assert not [a for t, a in tags if t == "img" and a.get("src") == "x"]
    assert not [a for t, a in tags if any(k.startswith("on") for k in a)]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert HOSTILE_COLUMN not in html and HOSTILE_CLASSES[1] not in html


def test_unknown_family_gets_a_generic_section(multiclass_result):
    sections = {s.key: s for s in build_sections(multiclass_result.to_dict())}
    fairness = sections["fairness"]
    assert fairness.title == "Fairness"
    assert [c["id"] for c in fairness.checks] == ["fairness.selection_rate"]
    keys = [key for key, _ in fairness.details[0].rows]
    assert keys == [HOSTILE_COLUMN, "note"]


def test_a_registered_builder_adds_to_its_family_section(multiclass_result):
    registry = builders()
    built_in = registry["drift"]

    @section_builder("drift")
    def drift_section(section: Section, report) -> None:
        section.tables.append(Table("Drifted features", ["feature"], [["<x>"]]))

    try:
        html = render_html(multiclass_result)
    finally:
        registry["drift"] = built_in
    assert "<h3>Drifted features</h3>" in html
    assert "<td>&lt;x&gt;</td>" in html


def test_same_result_renders_the_same_bytes(regression_result, html_of):
    assert html_of(regression_result) == render_html(regression_result.to_dict())


def test_provenance_lists_data_gate_versions_and_ci(regression_result):
    report = regression_result.to_dict()
    report["environment"]["ci"] = {
        "provider": "github",
        "commit": "abc123",
        "run_url": "https://github.com/o/r/actions/runs/1",
    }
    html = render_html(report)
    provenance = html[html.index('id="provenance"') :]
    for text in (
        report["data"]["eval"]["digest"],
        report["gate"]["digest"],
        "442 rows",
        "scikit-learn ",
        "abc123",
        '<a href="https://github.com/o/r/actions/runs/1"',
    ):
        assert text in provenance


def test_a_non_http_run_url_is_not_a_link(regression_result):
    report = regression_result.to_dict()
    report["environment"]["ci"] = {"provider": "github", "run_url": "javascript:alert(1)"}
    html = render_html(report)
    assert "javascript:alert(1)" in html
    assert 'href="javascript' not in html


def test_bad_plot_data_loses_the_plot_not_the_report(binary_result):
    report = binary_result.to_dict()
    report["diagnostics"]["model"]["roc"]["fpr"] = [0.0]
    html = render_html(report)
    assert "this plot could not be drawn" in html
    assert 'data-check="performance.roc_auc"' in html


def test_comparison_details_beyond_the_table_stay_visible(binary_result):
    report = binary_result.to_dict()
    check = next(c for c in report["checks"] if c["id"] == "comparison.roc_auc")
    check["details"]["ci_low"] = -0.01
    sections = {s.key: s for s in build_sections(report)}
    assert [(d.check_id, d.rows) for d in sections["comparison"].details] == [
        ("comparison.roc_auc", [("ci_low", "-0.01")])
    ]


def test_provenance_leaves_out_empty_entries(regression_result):
    """Issue 19: a row read '"outcome": "skipped", "reason": ""'."""
    report = regression_result.to_dict()
    report["registry"] = {
        "run_id": "r1",
        "promotion": {"alias": "champion", "expected": None, "outcome": "skipped", "reason": ""},
    }
    provenance = render_html(report).split('id="provenance"')[1]
    assert "reason" not in provenance and "expected" not in provenance
    assert "&#34;outcome&#34;: &#34;skipped&#34;" in provenance
