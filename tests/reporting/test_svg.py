"""The SVG writer of the HTML plots: escaping, well-formed XML, same bytes, ticks, bad numbers."""

from __future__ import annotations

import base64
import itertools
import math
from xml.etree import ElementTree

import pytest

from mlgate.reporting import _family_plots, _plots, _svg
from mlgate.reporting.html import render_html
from tests.reporting._sections import HOSTILE, family_plot_checks, svgs

SVG = "{http://www.w3.org/2000/svg}"
URI_PREFIX = "data:image/svg+xml;base64,"
NASTY = ["a & b", 'say "hi"', "it's <b>", "]]> -->", "$cost$", "bell\x07\x00 tab\t"]
SHOWN = ["a & b", 'say "hi"', "it's <b>", "]]> -->", "$cost$", "bell tab\t"]  # XML-safe
ROC = {"fpr": [0.0, 0.1, 0.4, 1.0], "tpr": [0.0, 0.6, 0.9, 1.0], "auc": 0.85}


def decode(uri: str) -> str:
    assert uri.startswith(URI_PREFIX)
    return base64.b64decode(uri.removeprefix(URI_PREFIX)).decode("utf-8")


def parse(uri: str) -> ElementTree.Element:
    return ElementTree.fromstring(decode(uri))


def texts(root: ElementTree.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def numbers_are_finite(root: ElementTree.Element) -> bool:
    """No attribute of any element holds a NaN or an infinity."""
    values = [v.lower() for node in root.iter() for v in node.attrib.values()]
    return not any("nan" in v or "inf" in v for v in values)


@pytest.fixture(scope="module")
def every_plot_html(binary_result):
    """The binary gate's report with fairness, drift and explainability checks added."""
    report = binary_result.to_dict()
    report["checks"].extend(family_plot_checks())
    return render_html(report)


def test_hostile_names_are_text_in_tick_labels_and_cell_counts():
    matrix = [[i + j for j in range(len(NASTY))] for i in range(len(NASTY))]
    uri = _plots.confusion_matrix(NASTY, matrix)
    shown = texts(parse(uri))
    assert shown.count("a & b") == 2  # one per axis
    assert all(name in shown for name in SHOWN)
    raw = decode(uri)
    assert "a &amp; b" in raw and "it's &lt;b&gt;" in raw and "<b>" not in raw


def test_hostile_names_are_text_in_bars_legends_and_histograms():
    bars = _family_plots.bars(
        [HOSTILE, *NASTY], [0.1] * 7, xlabel="rate & <x>", limits=[(0.05, HOSTILE)]
    )
    histogram = {"kind": "categorical", "categories": NASTY, "reference": [1] * 6, "eval": [2] * 6}
    paired = _family_plots.paired_histogram(histogram, HOSTILE)
    for uri in (bars, paired):
        assert "<img" not in decode(uri)
        assert all(name in texts(parse(uri)) for name in SHOWN)
    assert {"rate & <x>", _family_plots.label(HOSTILE), HOSTILE} <= set(texts(parse(bars)))
    assert _family_plots.label(HOSTILE) in texts(parse(paired))  # its x label


def test_a_chart_escapes_legend_and_cell_text_it_is_given():
    chart = _svg.Chart(_svg.Axis("x <&>"), _svg.Axis('y "q"'), 100, 100)
    chart.cell_text(0.5, 0.5, HOSTILE)
    chart.legend([_svg.LegendEntry('</text><script>"', "#000000")], "upper left")
    root = ElementTree.fromstring(chart.svg())
    assert {HOSTILE, '</text><script>"', "x <&>", 'y "q"'} <= set(texts(root))
    assert not list(root.iter(f"{SVG}script"))


def test_attribute_values_are_quoted():
    value = "\"/><script>alert('x')</script>"
    node = ElementTree.fromstring(_svg.element("text", {"class": value}, "x"))
    assert node.get("class") == value


def test_every_plot_of_a_full_report_is_well_formed_svg(
    every_plot_html, html_of, multiclass_result, regression_result
):
    ours = svgs(every_plot_html)
    assert "could not be drawn" not in every_plot_html
    assert len(ours) == 4 + 1 + 2 + 1  # diagnostics; fairness bars; two histograms; importance
    images = ours + svgs(html_of(multiclass_result)) + svgs(html_of(regression_result))
    for svg in images:
        root = ElementTree.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert float(root.attrib["width"]) > 50 and float(root.attrib["height"]) > 50
        assert root.attrib["viewBox"] == f"0 0 {root.attrib['width']} {root.attrib['height']}"
        assert numbers_are_finite(root)
        assert "<img" not in svg


def test_same_input_gives_the_same_bytes(every_plot_html, binary_result):
    report = binary_result.to_dict()
    report["checks"].extend(family_plot_checks())
    assert render_html(report) == every_plot_html
    assert _plots.roc_curve(ROC, ROC) == _plots.roc_curve(dict(ROC), dict(ROC))


@pytest.mark.parametrize(
    ("low", "high", "step", "labels"),
    [
        (0, 1, 0.2, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
        (0, 0.003, 0.0005, ["0.0000", "0.0005", "0.0010", "0.0015", "0.0020", "0.0025", "0.0030"]),
        (-5, 1234, 200, ["0", "200", "400", "600", "800", "1000", "1200"]),
        (0, 25_000, 5_000, ["0", "5k", "10k", "15k", "20k", "25k"]),
        (-0.37, 0.41, 0.2, ["-0.2", "0.0", "0.2", "0.4"]),
        (7, 7, 1, ["7"]),
    ],
)
def test_nice_ticks(low, high, step, labels):
    values, found = _svg.ticks(low, high)
    assert found == pytest.approx(step)
    assert _svg.tick_labels(values, found) == labels
    assert all(low <= value <= high for value in values)


def test_a_constant_range_is_widened_never_divided_by():
    assert _svg.extent([2.0, 2.0, None]) == pytest.approx((1.8, 2.2))
    assert _svg.extent([0, 0]) == (-1.0, 1.0)
    assert _svg.extent([]) == (0.0, 1.0)
    root = parse(_plots.residual_scatter({"prediction": [3.0] * 4, "residual": [0.0] * 4}))
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    with pytest.raises(ValueError, match="not a finite interval"):
        _svg.Axis("x", 1.0, 1.0)


def test_numeric_ticks_thin_out_until_their_labels_fit():
    wide = _svg.Axis("x", 0, 1_000_000).ticks(60, vertical=False)
    values = [value for value, _ in wide]
    assert 2 <= len(values) < 5
    gaps = [60 * (b - a) / 1_000_000 for a, b in itertools.pairwise(values)]
    assert min(gaps) >= max(_svg.text_width(text) for _, text in wide)


def test_non_finite_values_are_left_out_not_written():
    roc = {"fpr": [0.0, 0.1, math.nan, 0.5, 1.0, 1.0], "tpr": [0.0, 0.5, 0.7, None, 1.0, math.inf]}
    root = parse(_plots.roc_curve({**roc, "auc": 0.8}, None))
    lines = [node.get("points") for node in root.iter(f"{SVG}polyline")]
    assert len(lines) == 2  # the chance diagonal, and the one run of two finite points
    assert numbers_are_finite(root)
    bars = parse(_family_plots.bars(["a", "b", "c"], [0.5, None, math.nan], xlabel="rate"))
    assert len(list(bars.iter(f"{SVG}rect"))) == 1 + 1  # background + the one finite bar
    assert {"a", "b", "c"} <= set(texts(bars))  # rows kept
    histogram = parse(_plots.residual_histogram({"edges": [0, 1, 2], "counts": [3, math.nan]}))
    assert len(list(histogram.iter(f"{SVG}rect"))) == 1 + 1
    assert numbers_are_finite(histogram)


def test_lists_of_different_lengths_lose_the_plot_not_the_report(binary_result):
    with pytest.raises(ValueError, match="1 x values and"):
        _plots.roc_curve({"fpr": [0.0], "tpr": [0.0, 1.0], "auc": 0.5}, None)
    with pytest.raises(ValueError, match="one edge more"):
        _plots.residual_histogram({"edges": [0, 1], "counts": [1, 2]})
    with pytest.raises(ValueError, match="2 names for 1 values"):
        _family_plots.bars(["a", "b"], [1.0], xlabel="x")
    report = binary_result.to_dict()
    report["diagnostics"]["model"]["calibration"]["fraction_positive"] = [math.nan, "x"]
    html = render_html(report)
    assert "this plot could not be drawn" in html and 'alt="ROC curve"' in html


def test_long_names_are_shortened_and_many_turned():
    names = [f"category number {i} with a long name" for i in range(6)]
    histogram = {"kind": "categorical", "categories": names, "reference": [1] * 6, "eval": [1] * 6}
    root = parse(_family_plots.paired_histogram(histogram, "x"))
    turned = [n for n in root.iter(f"{SVG}text") if "rotate(-45" in n.get("transform", "")]
    assert len(turned) == 6
    assert all(len(text) <= _plots.MAX_LABEL_CHARS for text in texts(root))


def test_confusion_matrix_counts_white_on_dark_cells_and_none_when_many_classes():
    root = parse(_plots.confusion_matrix(["a", "b"], [[9, 1], [0, 10]]))
    fills = {"".join(n.itertext()): n.get("fill") for n in root.iter(f"{SVG}text")}
    assert fills["9"] == fills["10"] == "#ffffff"
    assert fills["1"] != "#ffffff"
    many = _plots.MAX_ANNOTATED_CLASSES + 1
    matrix = [[1] * many for _ in range(many)]
    root = parse(_plots.confusion_matrix([f"c{i}" for i in range(many)], matrix))
    assert "1" not in texts(root)


def test_numeric_histograms_are_drawn_as_densities():
    """Issue 19: unequal bins drawn as shares made a wide bin a misleadingly tall block."""
    from mlgate.reporting._family_plots import densities

    # rows spread evenly over [0, 10): a wide bin holds more rows but is no denser
    edges, counts = [0.0, 1.0, 2.0, 10.0], [10, 10, 80]
    assert densities(edges, counts) == pytest.approx([0.1, 0.1, 0.1])
    assert math.isnan(densities([0.0, 1.0, 1.0], [5, 5])[1])  # a zero-width bin draws no bar
    histogram = {"kind": "numeric", "edges": edges, "reference": counts, "eval": counts}
    svg = base64.b64decode(
        _family_plots.paired_histogram(histogram, "wage").split(",", 1)[1]
    ).decode()
    assert "share of rows per unit" in svg
