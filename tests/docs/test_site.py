"""The built documentation site, as a reader's browser shows it (real headless Chromium).

The site is served from loopback (Material's search loads its index with fetch, which file://
forbids). Every page loads with no console error and requests nothing outside the site; the
search finds ``roc_auc``; the tutorial shows what its commands printed when it was built.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tests.docs._site import site
from tests.end_to_end._chromium import running_chromium

pytestmark = pytest.mark.integration

PROBE = "JSON.stringify({title: document.title, text: document.body.innerText})"
SEARCH_PROBE = """new Promise(resolve => {
  const started = Date.now();
  const poll = () => {
    const hits = Array.from(document.querySelectorAll('.md-search-result__item'));
    if (hits.length || Date.now() - started > 15000) {
      resolve(JSON.stringify({hits: hits.map(h => h.innerText),
        meta: (document.querySelector('.md-search-result__meta') || {}).innerText || null}));
    } else { setTimeout(poll, 100); }
  };
  poll();
})"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return site(tmp_path_factory)


@pytest.fixture(scope="module")
def origin(built):
    handler = functools.partial(_QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with running_chromium(tmp_path_factory.mktemp("chromium-docs-profile")) as chromium:
        yield chromium


def outside(visit, origin: str) -> list[str]:
    return [
        url for url in visit.requests() if not url.startswith((origin, "data:", "about:", "blob:"))
    ]


def test_every_page_loads_cleanly_and_stays_inside_the_site(built, origin, browser):
    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    assert "index.html" in pages and "reference/gate-file.html" in pages
    assert len(pages) >= 30
    for page in pages:
        visit = browser.visit_url(f"{origin}/{page}", PROBE)
        assert visit.console_errors() == [], page
        assert outside(visit, origin) == [], page
        assert visit.dom["text"].strip(), page


def test_search_finds_roc_auc(origin, browser):
    visit = browser.visit_url(f"{origin}/index.html?q=roc_auc", SEARCH_PROBE, await_promise=True)
    assert visit.console_errors() == []
    assert outside(visit, origin) == []
    assert visit.dom["hits"], visit.dom["meta"]
    assert any("roc_auc" in hit for hit in visit.dom["hits"])


def test_the_harness_sees_a_request_outside_the_site(built, origin, browser, tmp_path):
    """Guard: a page that fetches from elsewhere is caught by the same filter."""
    page = built / "guard-outside.html"
    page.write_text("<html><body><img src='http://127.0.0.1:9/p.png'>text</body></html>")
    try:
        visit = browser.visit_url(f"{origin}/guard-outside.html", PROBE)
    finally:
        page.unlink()
    assert outside(visit, origin) == ["http://127.0.0.1:9/p.png"]


def test_the_tutorial_shows_what_its_commands_printed(built):
    text = (built / "get-started" / "first-gate.html").read_text("utf-8")
    failed, passed = text.find("gate FAILED"), text.find("gate PASSED")
    assert 0 < failed < passed
    assert "FAIL</span>" in text or "FAIL " in text
