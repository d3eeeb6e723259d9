"""Colour on a terminal only (NO_COLOR respected); the progress line on a terminal outside CI."""

from __future__ import annotations

import io

import pytest

from mlgate import progress
from mlgate.reporting import console


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "expected"),
    [
        (_Terminal(), {}, True),
        (_Terminal(), {"NO_COLOR": "1"}, False),
        (_Terminal(), {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        (_Terminal(), {"TERM": "dumb"}, False),
        (io.StringIO(), {}, False),
    ],
)
def test_use_colour(stream, env, expected):
    assert console.use_colour(stream, env) is expected


def test_colour_marks_statuses_and_strips_control_characters(binary_result):
    plain = console.render(binary_result)
    coloured = console.render(binary_result, colour=True)
    assert "\x1b[" not in plain
    assert "\x1b[31mFAIL \x1b[0m" in coloured and "\x1b[32mPASS \x1b[0m" in coloured
    assert "\x1b[33mWARN \x1b[0m" in coloured
    assert coloured.splitlines()[-1].startswith("\x1b[31mgate FAILED\x1b[0m: ")


def test_messages_cannot_drive_the_terminal(multiclass_result):
    text = console.render(multiclass_result)
    assert "\x1b" not in text and "\x00" not in text


@pytest.mark.parametrize(
    ("stream", "env", "expected"),
    [
        (_Terminal(), {}, True),
        (_Terminal(), {"CI": "true"}, False),
        (_Terminal(), {"TF_BUILD": "True"}, False),
        (_Terminal(), {"GITHUB_ACTIONS": "true"}, False),
        (io.StringIO(), {}, False),
    ],
)
def test_progress_only_on_a_terminal_outside_ci(stream, env, expected):
    assert progress.wanted(stream, env) is expected


def test_progress_line_is_rewritten_then_erased():
    terminal = _Terminal()
    assert progress.enable(terminal, {})
    try:
        progress.show("predicting")
        progress.show("running checks")
    finally:
        progress.disable()
    progress.show("after")  # disabled: nothing more
    assert terminal.getvalue() == (
        "\r\x1b[2Kmlgate: predicting...\r\x1b[2Kmlgate: running checks...\r\x1b[2K"
    )


def test_gate_run_shows_steps_when_enabled(regression_frame, regression_model):
    import mlgate

    terminal = _Terminal()
    progress.enable(terminal, {})
    try:
        mlgate.run_gate({"target": "y"}, data=regression_frame, model=regression_model)
    finally:
        progress.disable()
    shown = terminal.getvalue()
    for step in ("loading data", "loading models", "predicting", "running checks"):
        assert f"mlgate: {step}..." in shown
    assert shown.endswith("\r\x1b[2K")
