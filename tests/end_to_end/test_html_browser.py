"""The HTML report as a person sees it: opened from file:// in real headless Chromium.

For a binary, a multiclass (hostile names) and a regression gate: the page loads with no console
error and no network request, the decision banner and every check row are in the DOM, every
image is drawn with a non-zero size, and hostile names run no script. Screenshots are kept in
``test-artifacts/`` (or ``$MLGATE_ARTIFACTS``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import _reports
from tests.end_to_end._chromium import running_chromium
from tests.reporting._sections import family_plot_checks

pytestmark = pytest.mark.integration

ARTIFACTS = Path(os.environ.get("MLGATE_ARTIFACTS") or Path(__file__).parents[2] / "test-artifacts")
PROBE = """JSON.stringify({
  banner: (document.querySelector('#decision') || {}).innerText || null,
  bannerClass: (document.querySelector('#decision') || {}).className || null,
  rows: Array.from(document.querySelectorAll('tr.check')).map(r => r.dataset.check),
  images: Array.from(document.images).map(i => {
    const box = i.getBoundingClientRect();
    return {alt: i.alt, width: box.width, height: box.height, natural: i.naturalWidth,
            complete: i.complete};
  }),
  text: document.body.innerText,
  scripts: document.scripts.length,
  injected: document.querySelectorAll('img[src="x"], [onerror], [onload]').length,
  title: document.title
})"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with running_chromium(tmp_path_factory.mktemp("chromium-profile")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def results(binary_frame, binary_model, weak_binary_model, multiclass_frame, regression_frame,
            regression_model):  # fmt: skip
    return {
        "binary": _reports.binary_result(binary_frame, binary_model, weak_binary_model),
        "multiclass": _reports.multiclass_result(multiclass_frame),
        "regression": _reports.regression_result(regression_frame, regression_model),
    }


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_report_in_a_real_browser(browser, results, task, tmp_path):
    from mlgate.reporting import write_reports

    result = results[task]
    written = write_reports(result, tmp_path, formats=("html",))
    visit = browser.visit(Path(written["html"]), PROBE)
    browser.screenshot(ARTIFACTS / f"report-{task}.png")

    assert visit.console_errors() == []
    assert visit.network_requests() == []
    assert visit.dialogs() == []
    assert visit.dom["bannerClass"] == f"banner {result.status}"
    assert visit.dom["banner"].startswith(f"gate {result.status.upper()}")
    assert sorted(visit.dom["rows"]) == sorted(check.id for check in result.checks)
    assert visit.dom["images"], "no plot in the report"
    for image in visit.dom["images"]:
        assert image["complete"] and image["natural"] > 0, image["alt"]
        assert image["width"] > 50 and image["height"] > 50, image
    assert visit.dom["scripts"] == 0 and visit.dom["injected"] == 0


def test_family_plots_load_in_a_real_browser(browser, results, tmp_path):
    """Bars, limit lines and histograms with hostile names: every SVG decodes and has a size."""
    from mlgate.reporting import write_reports

    report = results["binary"].to_dict()
    report["checks"].extend(family_plot_checks())
    written = write_reports(report, tmp_path, formats=("html",))
    visit = browser.visit(Path(written["html"]), PROBE)
    browser.screenshot(ARTIFACTS / "report-families.png")

    assert visit.console_errors() == [] and visit.dialogs() == []
    assert len(visit.dom["images"]) == 8  # 4 diagnostics, fairness bars, 2 histograms, SHAP bars
    for image in visit.dom["images"]:
        assert image["complete"] and image["natural"] > 0, image["alt"]
        assert image["width"] > 50 and image["height"] > 50, image
    assert visit.dom["injected"] == 0


def test_hostile_names_show_as_text(browser, results, tmp_path):
    from mlgate.reporting import write_reports

    written = write_reports(results["multiclass"], tmp_path, formats=("html",))
    visit = browser.visit(Path(written["html"]), PROBE)
    text = visit.dom["text"]
    assert _reports.HOSTILE_COLUMN in text
    assert _reports.HOSTILE_CLASSES[1] in text
    assert visit.dialogs() == [] and visit.dom["injected"] == 0


def test_the_harness_sees_script_errors_and_requests(browser, tmp_path):
    """Guard: the same probe on a page that does run script and fetch fails the assertions."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><img src=x onerror=alert(1)><img src='http://127.0.0.1:9/p.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    visit = browser.visit(page, PROBE)
    assert visit.dialogs() == ["1"]
    assert visit.console_errors()
    assert "http://127.0.0.1:9/p.png" in visit.network_requests()
    assert visit.dom["injected"] == 1


def test_demo_screenshot_for_the_docs(browser, results, tmp_path):
    """The README's screenshot: the top of the binary report (copied to docs/ by hand)."""
    from mlgate.reporting import write_reports

    written = write_reports(results["binary"], tmp_path, formats=("html",))
    browser.visit(Path(written["html"]), PROBE)
    shot = browser.screenshot(ARTIFACTS / "report-top.png", max_height=1250)
    assert shot.stat().st_size > 10_000


NAME_BREAKS = """JSON.stringify(Array.from(document.querySelectorAll('td.id code')).map(code => {
  const parts = [];
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    parts.push({text: walker.currentNode.textContent, lines: range.getClientRects().length});
  }
  return {id: code.textContent, parts: parts, height: code.getBoundingClientRect().height};
}))"""


def test_check_names_break_only_between_words_in_a_narrow_window(browser, results, tmp_path):
    """Issue 19: check names broke mid-word in a narrow column (a phone, a split screen)."""
    from mlgate.reporting import write_reports

    report = results["binary"].to_dict()
    report["checks"].extend(family_plot_checks())
    written = write_reports(report, tmp_path, formats=("html",))
    browser.call("Emulation.setDeviceMetricsOverride", width=420, height=900,
                 deviceScaleFactor=1, mobile=False)  # fmt: skip
    try:
        names = browser.visit(Path(written["html"]), NAME_BREAKS).dom
    finally:
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                     deviceScaleFactor=1, mobile=False)  # fmt: skip
    assert {n["id"] for n in names} == {c["id"] for c in report["checks"]}
    assert len(names) > len(report["checks"])  # the checks table and the family sections
    assert any(len(n["parts"]) > 1 and n["height"] > 30 for n in names), "nothing wrapped"
    for name in names:
        for part in name["parts"]:  # a word wraps as a whole, never inside
            assert part["lines"] == 1, (name["id"], part)
