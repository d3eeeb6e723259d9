"""``mlgate serve`` refuses to start on bad options: exit 2 and one line naming the fix."""

from __future__ import annotations

import pytest

from mlgate.cli import main
from mlgate.integrations.webhooks.command import MSG_BAD_EVENT, MSG_EMPTY_SECRET_FILE
from mlgate.integrations.webhooks.dispatch import MSG_NEEDS, MSG_NO_TOKEN
from mlgate.integrations.webhooks.gates import MSG_BAD_GATE_OPTION, MSG_NO_GATE_FILE, MSG_NO_GATES
from mlgate.integrations.webhooks.server import MSG_NO_SECRET

GATE = "model: models:/churn@challenger\ndata: {eval: e.csv}\ntarget: y\n"


@pytest.fixture
def gate(tmp_path, monkeypatch):
    monkeypatch.delenv("MLGATE_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    path = tmp_path / "churn.yaml"
    path.write_text(GATE)
    return path


def error_line(capsys) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line


def test_no_secret_refuses_to_start(gate, capsys):
    assert main(["serve", "--gate", f"churn={gate}"]) == 2
    assert error_line(capsys) == f"mlgate: error: {MSG_NO_SECRET}"


def test_an_empty_secret_file_is_refused(gate, tmp_path, capsys):
    secret = tmp_path / "secret"
    secret.write_text("\n")
    assert main(["serve", "--gate", f"churn={gate}", "--secret-file", str(secret)]) == 2
    assert error_line(capsys) == "mlgate: error: " + MSG_EMPTY_SECRET_FILE.format(path=secret)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--gate", "churn"], MSG_BAD_GATE_OPTION.format(value="churn")),
        (["--gate", "churn=nope.yaml"], MSG_NO_GATE_FILE.format(name="churn", path="nope.yaml")),
        ([], MSG_NO_GATES),
    ],
)
def test_bad_gate_options(option, message, gate, capsys, monkeypatch):
    monkeypatch.setenv("MLGATE_WEBHOOK_SECRET", "x")
    assert main(["serve", *option]) == 2
    assert error_line(capsys) == f"mlgate: error: {message}"


def test_an_unknown_event_suggests_the_closest(gate, capsys, monkeypatch):
    monkeypatch.setenv("MLGATE_WEBHOOK_SECRET", "x")
    assert main(["serve", "--gate", f"churn={gate}", "--events", "model_version.create"]) == 2
    known = "model_version.created, model_version_alias.created, model_version_tag.set"
    message = MSG_BAD_EVENT.format(
        event="model_version.create", hint="; did you mean 'model_version.created'?", known=known
    )
    assert error_line(capsys) == f"mlgate: error: {message}"


def test_an_invalid_gate_file_stops_it_before_listening(gate, capsys, monkeypatch):
    monkeypatch.setenv("MLGATE_WEBHOOK_SECRET", "x")
    gate.write_text(GATE + "notify: {slack: {url_env: 'not a name'}}\n")
    assert main(["serve", "--gate", f"churn={gate}"]) == 2
    assert "'notify.slack.url_env' must name an environment variable" in error_line(capsys)


def test_dispatch_needs_its_target_and_token(gate, capsys, monkeypatch):
    monkeypatch.setenv("MLGATE_WEBHOOK_SECRET", "x")
    assert main(["serve", "--gate", f"churn={gate}", "--dispatch", "github"]) == 2
    what = "--github-repo OWNER/NAME"
    assert error_line(capsys) == "mlgate: error: " + MSG_NEEDS.format(target="github", what=what)
    args = ["serve", "--gate", f"churn={gate}", "--dispatch", "github", "--github-repo", "a/b"]
    assert main(args) == 2
    expected = MSG_NO_TOKEN.format(target="github", env="GITHUB_TOKEN")
    assert error_line(capsys) == f"mlgate: error: {expected}"
