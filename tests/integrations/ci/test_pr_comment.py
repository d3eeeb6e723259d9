"""The sticky pull-request comment against a real HTTP server that answers like GitHub."""

from __future__ import annotations

import json

import pytest

from mlgate.integrations.ci import pr_comment
from tests.integrations.ci._fake_github import Fault, fake_github

TOKEN = "ghs_fakeTokenValue0123456789"
SUMMARY = "### mlgate: gate PASSED\n\n| | check |\n|---|---|\n| ✅ passed | `roc_auc` |\n"


@pytest.fixture
def api():
    with fake_github(TOKEN) as server:
        yield server


@pytest.fixture
def runner_env(tmp_path, api):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"number": 7}}))
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "mlgate-report.md").write_text(SUMMARY, encoding="utf-8")
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": api.url,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "42",
    }


def post(tmp_path, env, capsys) -> str:
    assert pr_comment.main(["--report-dir", str(tmp_path / "reports")], env) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"::add-mask::{TOKEN}"
    assert TOKEN not in "\n".join(lines[1:])
    return out


def test_creates_then_updates_one_comment_found_on_a_later_page(tmp_path, api, runner_env, capsys):
    for index in range(130):  # two pages of 100: the marker must be searched on page 2
        api.add_comment(7, f"someone else {index}")
    out = post(tmp_path, runner_env, capsys)
    assert "created pull-request comment" in out
    ours = [c for c in api.comments[7] if "mlgate:pr-comment" in c["body"]]
    assert len(ours) == 1 and ours[0]["body"].startswith("<!-- mlgate:pr-comment key=mlgate -->")
    assert ours[0]["body"].endswith("[Workflow run](https://github.example/o/r/actions/runs/42)")
    (tmp_path / "reports" / "mlgate-report.md").write_text("### mlgate: gate FAILED\n")
    api.requests.clear()
    out = post(tmp_path, runner_env, capsys)
    assert "updated pull-request comment" in out
    assert [c for c in api.comments[7] if "mlgate:pr-comment" in c["body"]] == ours
    assert "gate FAILED" in ours[0]["body"] and len(api.comments[7]) == 131
    assert [(r.method, r.path.split("?")[-1]) for r in api.requests] == [
        ("GET", "per_page=100"),
        ("GET", "per_page=100&page=2"),
        ("PATCH", "/repos/o/r/issues/comments/" + str(ours[0]["id"])),
    ]
    sent = api.requests[0].headers
    assert sent["Accept"] == "application/vnd.github+json" and sent["X-GitHub-Api-Version"]


def test_each_gate_key_has_its_own_comment(tmp_path, api, runner_env, capsys):
    post(tmp_path, runner_env, capsys)
    argv = ["--report-dir", str(tmp_path / "reports"), "--key", "gates/other.yaml"]
    assert pr_comment.main(argv, runner_env) == 0
    assert len(api.comments[7]) == 2


def test_retries_5xx_and_rate_limits_honouring_retry_after(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(502), Fault(429, {"Retry-After": "1"})]
    post(tmp_path, runner_env, capsys)
    second, third = api.requests[1:3]
    assert third.at - second.at >= 1.0  # waited as told
    assert len(api.comments[7]) == 1


def test_secondary_rate_limit_403_with_retry_after_is_retried(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(403, {"Retry-After": "0"}, "secondary rate limit")]
    post(tmp_path, runner_env, capsys)
    assert len(api.comments[7]) == 1


def test_gives_up_after_bounded_attempts_with_a_warning(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(503, {"Retry-After": "0"})] * 5
    out = post(tmp_path, runner_env, capsys)
    assert len(api.requests) == pr_comment.ATTEMPTS
    expected = pr_comment.MSG_GAVE_UP.format(
        what="list the pull request's comments", attempts=3, reason="HTTP 503 Service Unavailable"
    )
    assert f"::warning title=mlgate pull-request comment::mlgate: {expected}" in out


def test_rate_limit_reset_too_far_away_is_not_waited_for(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9999999999"})]
    out = post(tmp_path, runner_env, capsys)
    assert len(api.requests) == 1 and "GitHub rate limit, retry in" in out


def test_403_says_which_permission_is_missing(tmp_path, api, runner_env, capsys):
    api.add_comment(7, "unrelated")
    api.requests.clear()
    # The listing works (read permission), creating the comment is refused.
    original = api.answer

    def refuse_writes(handler):
        if handler.command in ("POST", "PATCH"):
            api.faults = [Fault(403, message="Resource not accessible by integration")]
        return original(handler)

    api.answer = refuse_writes
    out = post(tmp_path, runner_env, capsys)
    message = pr_comment.MSG_FORBIDDEN.format(what="comment on the pull request")
    assert f"mlgate: {message}" in out and "pull-requests: write" in message
    assert len(api.comments[7]) == 1


def test_a_push_event_posts_nothing(tmp_path, api, runner_env, capsys):
    (tmp_path / "event.json").write_text(json.dumps({"ref": "refs/heads/main"}))
    out = post(tmp_path, runner_env, capsys)
    assert pr_comment.MSG_NOT_A_PULL_REQUEST in out and api.requests == []


def test_a_next_page_on_another_host_is_refused(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(200, {"Link": '<http://evil.example/steal>; rel="next"'}, payload=[])]
    out = post(tmp_path, runner_env, capsys)
    assert "the next page is not on" in out and len(api.requests) == 1


def test_long_summary_is_cut_to_fit_a_comment():
    body = pr_comment.comment_body("| row |\n" * 20_000, "k", {})
    assert len(body) <= pr_comment.COMMENT_MAX_CHARS
    assert body.endswith(pr_comment.TRUNCATED) and body.startswith("<!-- mlgate:pr-comment key=k")


def test_an_answer_that_is_not_a_list_is_an_error(tmp_path, api, runner_env, capsys):
    api.faults = [Fault(200, payload={"unexpected": True})]
    out = post(tmp_path, runner_env, capsys)
    assert "::warning" in out and "not a list" in out


def test_an_unreachable_api_is_retried_then_a_warning(tmp_path, runner_env, capsys):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runner_env["GITHUB_API_URL"] = f"http://127.0.0.1:{port}"
    out = post(tmp_path, runner_env, capsys)
    expected = pr_comment.MSG_GAVE_UP.format(
        what="list the pull request's comments", attempts=3, reason="ConnectionError"
    )
    assert f"mlgate: {expected}" in out
