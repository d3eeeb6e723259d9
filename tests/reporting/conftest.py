"""Results of real binary, multiclass (hostile) and regression gates, built once per session."""

from __future__ import annotations

import pytest

from tests import _reports


@pytest.fixture(scope="session")
def binary_result(binary_frame, binary_model, weak_binary_model):
    return _reports.binary_result(binary_frame, binary_model, weak_binary_model)


@pytest.fixture(scope="session")
def multiclass_result(multiclass_frame):
    return _reports.multiclass_result(multiclass_frame)


@pytest.fixture(scope="session")
def regression_result(regression_frame, regression_model):
    return _reports.regression_result(regression_frame, regression_model)


@pytest.fixture(params=["binary", "multiclass", "regression"])
def any_result(request):
    """Each of the three gates in turn."""
    return request.getfixturevalue(f"{request.param}_result")


@pytest.fixture(scope="session")
def html_of():
    """``html_of(result)``: its HTML report, rendered once per session (plots take a while)."""
    from mlgate.reporting.html import render_html

    cache: dict[int, str] = {}

    def render(result) -> str:
        if id(result) not in cache:
            cache[id(result)] = render_html(result)
        return cache[id(result)]

    return render
