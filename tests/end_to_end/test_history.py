"""``mlgate history`` against a real MLflow server holding several gated versions."""

from __future__ import annotations

import base64
from html.parser import HTMLParser

import pytest

from mlgate.history import MSG_BAD_URI, MSG_EMPTY, MSG_NOT_REGISTERED

pytestmark = pytest.mark.integration


class _Page(HTMLParser):
    """Collects what a browser would run or fetch: scripts, external sources, and images."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.images: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "img":
            self.images.append(values["src"])
        for name in ("href", "src"):
            if values.get(name) and not values[name].startswith("data:"):
                self.external.append(values[name])


@pytest.fixture(scope="module")
def gated_model(registry, gate_for, tmp_path_factory):
    """v1 (weak) promoted first, v2 (strong) promoted over it, v3 (weak) refused."""
    from mlgate.cli import main

    name = registry.register(("weak", "challenger"))
    codes = []
    for key in (None, "strong", "weak"):
        if key is not None:
            registry.add_version(name, key, "challenger")
        codes.append(main(["run", "-q", "-c", str(gate_for(name, registry.uri))]))
    return name, codes


@pytest.fixture(scope="module")
def gate_for(tmp_path_factory, eval_csv):
    """The registry gate of tests/end_to_end/conftest.py, in a module-wide folder."""
    from tests.end_to_end.conftest import GATE, PROMOTE

    folder = tmp_path_factory.mktemp("history-gates")

    def write(name: str, uri: str):
        path = folder / "mlgate.yaml"
        text = GATE.format(name=name, data=eval_csv, uri=uri, extra=PROMOTE)
        path.write_text(text.replace("roc_auc: {min: 0.9}", "roc_auc: {min: 0.8}"))
        return path

    return write


def test_history_shows_each_version_and_the_champion_over_time(
    run_cli, registry, gated_model, tmp_path
):
    name, codes = gated_model
    assert codes == [0, 0, 1]
    page = tmp_path / "history.html"

    code, out, err = run_cli(
        "history", f"models:/{name}", "--tracking-uri", registry.uri, "--html", str(page)
    )

    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{name} at ") and lines[0].endswith("3 gated version(s)")
    header = lines[1].split()
    assert header[:4] == ["version", "evaluated", "(UTC)", "decision"]
    assert "roc_auc" in header  # the metric the gate put a threshold on
    rows = {line.split()[0]: line for line in lines[3:6]}
    assert " passed " in rows["1"] and "-> @champion" in rows["1"]
    assert " passed " in rows["2"] and "-> @champion" in rows["2"]
    assert " failed " in rows["3"] and "-> @champion" not in rows["3"]
    assert "(>= 0.8)" in rows["2"]  # the threshold each version was judged against
    strong = registry.client.get_run(registry.tags(name, 2)["mlgate.run_id"]).data.metrics
    assert f"{strong['roc_auc']:.4g}" in rows["2"]
    champion = out[out.index("champion over time:") :].splitlines()
    assert "@champion -> version 1" in champion[1] and "mlgate run" in champion[1]
    assert "@champion -> version 2" in champion[2]
    assert champion[3].strip() == "now: @champion = 2, @challenger = 3" or champion[3].strip() == (
        "now: @challenger = 3, @champion = 2"
    )
    html = page.read_text()
    parser = _Page()
    parser.feed(html)
    assert parser.scripts == 0 and parser.external == []
    assert len(parser.images) == 1  # one trend plot per metric shown
    svg = base64.b64decode(parser.images[0].split(",", 1)[1]).decode()
    assert svg.count("<circle") >= 3 and "stroke-dasharray" in svg  # values and threshold line
    assert f"<h1>mlgate history: {name}</h1>" in html


def test_metric_option_chooses_the_columns(run_cli, registry, gated_model):
    name, _ = gated_model

    code, out, _ = run_cli(
        "history",
        f"models:/{name}",
        "--tracking-uri",
        registry.uri,
        "--metric",
        "accuracy_score",
        "--metric",
        "log_loss",
    )

    assert code == 0
    header = out.splitlines()[1]
    assert "accuracy_score" in header and "log_loss" in header and "roc_auc" not in header


def test_a_model_never_gated_has_an_empty_history(run_cli, registry, tmp_path):
    name = registry.register(("weak", "champion"))
    page = tmp_path / "empty.html"

    code, out, err = run_cli(
        "history", f"models:/{name}", "--tracking-uri", registry.uri, "--html", str(page)
    )

    assert code == 0, err
    assert out.splitlines()[0] == MSG_EMPTY.format(name=name)
    assert MSG_EMPTY.format(name=name) in page.read_text()


def test_names_from_the_registry_are_escaped_in_the_page(registry, gated_model):
    from mlgate.history import read_history
    from mlgate.history._render import html_page

    name, _ = gated_model
    history = read_history(f"models:/{name}", registry.uri, [])
    history.name = "<script>alert(1)</script>"
    history.versions[0].promoted_by = "<img src=x onerror=alert(1)>"

    html = html_page(history)

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def test_a_model_not_in_the_registry_has_an_empty_history(run_cli, registry, gated_model):
    name, _ = gated_model
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")

    code, out, err = run_cli("history", f"models:/{typo}", "--tracking-uri", registry.uri)

    assert code == 0, err
    assert out.strip() == MSG_NOT_REGISTERED.format(
        name=typo, where=registry.uri, hint=f"; did you mean '{name}'?"
    )


def test_bad_uri_exits_2(run_cli, registry):
    code, _, err = run_cli("history", "models:/churn/3", "--tracking-uri", registry.uri)

    assert code == 2
    assert err.strip() == "mlgate: error: " + MSG_BAD_URI.format(uri="models:/churn/3")
