"""The Azure release gate's REST check against a real ``mlflow server``.

The environment check calls ``GET /api/2.0/mlflow/registered-models/alias`` and evaluates its
success criterion on the JSON answer. Here the same request goes to a real server after real
gates, and the criterion's JSONPath is evaluated in Python (jsonpath-ng): true only for a
version whose gate passed; a missing alias is a 4xx, which fails the check.
"""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.integrations.ci._templates import RELEASE_GATE_CHECK

pytestmark = pytest.mark.integration
CRITERION = re.compile(r"^eq\(jsonpath\('(?P<path>[^']+)'\)\[0\], '(?P<expected>\w+)'\)$")


def check() -> dict:
    return json.loads(RELEASE_GATE_CHECK.read_text())


def criterion_holds(answer: dict) -> bool:
    """Azure's ``eq(jsonpath('<path>')[0], '<expected>')`` on ``answer``."""
    from jsonpath_ng.ext import parse

    match = CRITERION.match(check()["successCriteria"])
    assert match, "the criterion is not in the form this test evaluates"
    found = [m.value for m in parse(match["path"]).find(answer)]
    return bool(found) and found[0] == match["expected"]


def call(server_url: str, name: str, alias: str) -> requests.Response:
    suffix = check()["urlSuffix"].replace("name=churn", f"name={name}")
    suffix = suffix.replace("alias=challenger", f"alias={alias}")
    return requests.get(server_url + suffix, timeout=30)


def test_release_gate_criterion_on_a_real_mlflow_server(run_cli, registry, gate_for, mlflow_server):
    assert check()["method"] == "GET" and check()["completionEvent"] == "ApiResponse"
    passing = registry.register(("weak", "champion"), ("strong", "challenger"))
    failing = registry.register(("strong", "champion"), ("weak", "challenger"))
    never = registry.register(("strong", "challenger"))
    for name in (passing, failing):
        run_cli("run", "-c", str(gate_for(name, registry.uri)), "--no-promote")

    answer = call(mlflow_server.url, passing, "challenger")
    assert answer.status_code == 200
    body = answer.json()
    # The shape the criterion relies on: tags are a list of {key, value}.
    assert {"key": "mlgate.status", "value": "passed"} in body["model_version"]["tags"]
    assert criterion_holds(body)

    answer = call(mlflow_server.url, failing, "challenger")
    assert answer.status_code == 200 and not criterion_holds(answer.json())
    answer = call(mlflow_server.url, never, "challenger")
    assert answer.status_code == 200 and not criterion_holds(answer.json())
    missing = call(mlflow_server.url, passing, "no-such-alias")
    assert 400 <= missing.status_code < 500


def test_mlgate_status_is_the_simpler_route(run_cli, registry, gate_for):
    name = registry.register(("weak", "champion"), ("strong", "challenger"))
    run_cli("run", "-c", str(gate_for(name, registry.uri)), "--no-promote")
    code, out, _ = run_cli("status", f"models:/{name}@challenger", "--tracking-uri", registry.uri)
    assert code == 0
    assert out.startswith(f"models:/{name}@challenger (models:/{name}/2): gate passed")
