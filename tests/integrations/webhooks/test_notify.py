"""Chat notifications: Slack and Teams bodies, bounded retries, errors that change nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mlgate.integrations.webhooks import notify as notify_module
from mlgate.integrations.webhooks.notify import notify, post_json, summary
from mlgate.integrations.webhooks.runner import GateOutcome


class Chat:
    """A loopback webhook that answers the queued statuses in turn (then 200) and keeps bodies."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.bodies: list[Any] = []
        chat = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                chat.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(chat.statuses.pop(0) if chat.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/SECRET-PATH"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def chat(monkeypatch) -> Iterator[Chat]:
    monkeypatch.setattr(notify_module, "BACKOFF_SECONDS", (0.0, 0.0))
    chat = Chat()
    yield chat
    chat.server.shutdown()
    chat.server.server_close()


FAILED = GateOutcome("failed", 1, "", failed_checks=["performance.roc_auc"])


def test_summary_names_the_decision_the_failed_checks_and_the_link():
    text = summary("churn", "7", FAILED, "http://mlflow/#/models/churn/versions/7")
    assert text == (
        "mlgate: churn version 7 FAILED; failed checks: performance.roc_auc\n"
        "report: http://mlflow/#/models/churn/versions/7"
    )


def test_slack_and_teams_get_their_own_formats(chat, monkeypatch):
    monkeypatch.setenv("SLACK_URL", chat.url)
    monkeypatch.setenv("TEAMS_URL", chat.url)
    section = {"slack": {"url_env": "SLACK_URL"}, "teams": {"url_env": "TEAMS_URL"}}
    assert notify(section, "line one\nline two", "failed") == []
    slack, teams = chat.bodies
    assert slack == {"text": "line one\nline two"}
    card = teams["attachments"][0]["content"]
    assert [block["text"] for block in card["body"]] == ["line one", "line two"]


def test_outcomes_not_listed_under_on_are_not_posted(chat, monkeypatch):
    monkeypatch.setenv("SLACK_URL", chat.url)
    assert notify({"slack": {"url_env": "SLACK_URL"}, "on": ["failed"]}, "x", "passed") == []
    assert chat.bodies == []


def test_5xx_and_429_are_retried_a_bounded_number_of_times(chat):
    chat.statuses = [503, 429]
    assert post_json(chat.url, {"text": "x"}) is None
    assert len(chat.bodies) == 3
    chat.statuses = [500, 500, 500, 500]
    assert post_json(chat.url, {"text": "x"}) == "HTTP 500 after 3 attempts"
    assert len(chat.bodies) == 6


def test_4xx_is_not_retried_and_errors_never_show_the_url(chat, monkeypatch):
    chat.statuses = [404]
    monkeypatch.setenv("SLACK_URL", chat.url)
    errors = notify({"slack": {"url_env": "SLACK_URL"}}, "x", "failed")
    assert errors == ["slack: HTTP 404"]
    assert len(chat.bodies) == 1
    monkeypatch.setenv("SLACK_URL", "http://127.0.0.1:9/SECRET-PATH")  # nothing listens
    (error,) = notify({"slack": {"url_env": "SLACK_URL"}}, "x", "failed")
    assert error == "slack: ConnectionError after 3 attempts"


def test_a_missing_url_variable_is_reported(monkeypatch):
    monkeypatch.delenv("NOPE", raising=False)
    assert notify({"teams": {"url_env": "NOPE"}}, "x", "errored") == [
        "teams: environment variable NOPE (notify.teams.url_env) is not set"
    ]


def test_summary_says_when_a_passed_version_was_not_promoted():
    refused = GateOutcome("passed", 1, "promotion refused: churn@champion changed")
    assert summary("churn", "7", refused, None) == (
        "mlgate: churn version 7 PASSED (promotion refused: churn@champion changed)"
    )
    errored = GateOutcome("errored", 3, "mlgate: error: registry down")
    assert summary("churn", "7", errored, None) == (
        "mlgate: churn version 7 ERRORED (gate could not run: mlgate: error: registry down)"
    )
