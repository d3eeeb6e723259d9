"""Arbitrary unicode in model names, check names, messages and details cannot change a report's
structure: the HTML has the same elements as with plain text (so nothing executable is added), the
JUnit XML stays valid against its schema, the Markdown gains no link, image or HTML, and CI logging
commands stay one line that no text can end early or forge."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlgate.integrations.ci import azure, github
from mlgate.reporting import render
from mlgate.result import CheckResult

JUNIT_SCHEMA = Path(__file__).parents[1] / "reporting" / "schemas" / "junit-ant.xsd"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "![x](http://evil/x.png)",
    "| a | b |\n|---|---|",
    "\r\n::error::forged\n##vso[task.complete result=Failed]x",
    "</textarea><svg onload=alert(1)>",
    "\x00\x1b[31m\u2028\u0085",
    "{{ 7*7 }} {% raw %}",
    "%0A%25",
]
TEXT = st.sampled_from(HOSTILE) | st.text(
    st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30
)
PLAIN = "plain"
# The report offers line breaks inside long check names (<wbr> after '.', '_', ...), so their
# number follows the text; an empty void element, it carries nothing executable.
WORD_BREAK = "wbr"


@pytest.fixture(scope="module")
def base_result(regression_frame, regression_model):
    import mlgate

    gate = {"target": "y", "checks": {"performance": {"r2_score": {"min": 0.2}}}}
    return mlgate.run_gate(gate, data=regression_frame, model=regression_model)


def _with_text(result, text: str):
    """A copy of ``result`` with ``text`` wherever data from users reaches a report."""
    injected = copy.deepcopy(result)
    injected.model = {**injected.model, "name": text, "uri": text}
    injected.checks.append(
        CheckResult(
            id=f"custom.{text}",
            family="custom",
            name=text,
            status="failed",
            value=1.0,
            threshold={"max": 0.5},
            message=text,
            details={text: text, "note": [text]},
        )
    )
    injected.metrics_unavailable = {text: text}
    return injected


class _Elements(HTMLParser):
    """Start tags and attribute names, in document order; attribute values that run code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.scripts_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == WORD_BREAK and not attrs:
            return
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        for _name, value in attrs:
            if value and re.match(r"\s*(javascript|vbscript|data:text/html)", value, re.I):
                self.scripts_urls.append(value)


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


@given(TEXT)
def test_html_elements_do_not_depend_on_the_text(base_result, text):
    plain = _elements(render(_with_text(base_result, PLAIN), "html"))
    hostile = _elements(render(_with_text(base_result, text), "html"))
    assert [tag for tag, _ in hostile.tags] == [tag for tag, _ in plain.tags]
    assert hostile.tags == plain.tags
    assert hostile.scripts_urls == []
    assert not any(name.startswith("on") for _, names in hostile.tags for name in names)


@given(TEXT)
def test_junit_stays_valid_against_its_schema(base_result, text):
    import xmlschema

    xmlschema.XMLSchema(JUNIT_SCHEMA).validate(render(_with_text(base_result, text), "junit"))


# Unescaped: an HTML tag opening, a link or image target, a line break.
MARKDOWN_SYNTAX = (r"(?<!\\)<", r"(?<!\\)\]\(", r"(?<!\\)!\[", r"\n")


@given(TEXT)
def test_markdown_gains_no_link_image_html_or_line(base_result, text):
    plain = render(_with_text(base_result, PLAIN), "md")
    hostile = render(_with_text(base_result, text), "md")
    for token in MARKDOWN_SYNTAX:
        assert len(re.findall(token, hostile)) == len(re.findall(token, plain)), token
    # A table row keeps its cells: no unescaped pipe comes from the text.
    assert [line.count("|") - line.count("\\|") for line in hostile.splitlines()] == [
        line.count("|") - line.count("\\|") for line in plain.splitlines()
    ]


@given(TEXT, TEXT)
def test_github_command_is_one_line_and_keeps_its_shape(message, title):
    line = github.command("error", message, title=title, file=title)
    assert "\n" not in line and "\r" not in line
    match = re.fullmatch(r"::error title=([^:,]*),file=([^:,]*)::(.*)", line, re.S)
    assert match is not None, line
    assert match.group(3) == github.escape_data(message)


@given(TEXT, TEXT)
def test_azure_command_is_one_line_and_text_cannot_forge_one(message, title):
    line = azure.command("task.logissue", message, type="error", sourcepath=title)
    assert "\n" not in line and "\r" not in line
    assert re.fullmatch(r"##vso\[task\.logissue type=error;sourcepath=[^;\]]*;\](.*)", line, re.S)
    printed = azure.defuse(message)
    assert "##vso[" not in printed.lower() and "##[" not in printed
