"""One sticky pull-request comment with the gate's Markdown summary, updated on every push.

Run by the GitHub action after ``mlgate run``, as
``python -m mlgate.integrations.ci.pr_comment --report-dir DIR``. It reads ``mlgate-report.md``
from the report folder and the runner's variables (``GITHUB_TOKEN``, ``GITHUB_API_URL``,
``GITHUB_REPOSITORY``, ``GITHUB_EVENT_PATH``), finds its earlier comment by a hidden marker
across every page of the pull request's comments (``Link`` headers), and updates it in place,
else creates it. Every request has a timeout; 5xx answers, connection errors and rate limits are
retried a bounded number of times, honouring ``Retry-After``. A comment that cannot be posted is
a warning, not a failed step: the gate step decides pass or fail, and a pull request from a fork
gets a read-only token.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import requests

from mlgate.integrations.ci._base import MARKDOWN_NAME
from mlgate.integrations.ci.github import GitHubReporter, command

MARKER = "<!-- mlgate:pr-comment key={key} -->"
COMMENT_MAX_CHARS = 65_536  # GitHub refuses a longer comment body
TRUNCATED = "\n\n_The summary was cut to fit a comment; the full report is in the run's artifacts._"
FOOTER = "\n\n[Workflow run]({server}/{repository}/actions/runs/{run_id})"
TIMEOUT_SECONDS = (5.0, 30.0)  # connect, read
ATTEMPTS = 3
BACKOFF_SECONDS = (1.0, 3.0)  # between attempts when the server does not say how long to wait
MAX_WAIT_SECONDS = 60.0  # longer Retry-After or rate-limit resets are not waited for
PER_PAGE = 100

MSG_FORBIDDEN = (
    "GitHub refused to {what} (403): the token needs the 'pull-requests: write' permission; add "
    "'permissions: {{pull-requests: write}}' to the job (a pull request from a fork only gets a "
    "read-only token)"
)
MSG_HTTP = "GitHub refused to {what}: HTTP {status} {reason}"
MSG_GAVE_UP = "could not {what} after {attempts} attempts: {reason}"
MSG_WAIT_TOO_LONG = (
    "could not {what}: GitHub rate limit, retry in {seconds:.0f} s (over {max:.0f} s)"
)
MSG_FOREIGN_LINK = "could not {what}: the next page is not on {api} ({url})"
MSG_NOT_A_LIST = "could not {what}: GitHub answered {kind}, not a list"
MSG_MISSING_VARIABLE = "{name} is not set; run this step in GitHub Actions (or set it)"
MSG_NO_SUMMARY = "{path} not found; run 'mlgate run' before the comment step"
MSG_NOT_A_PULL_REQUEST = "mlgate: not a pull-request event; no comment posted"
MSG_CREATED = "mlgate: created pull-request comment {url}"
MSG_UPDATED = "mlgate: updated pull-request comment {url}"


class GitHubApiError(Exception):
    """A GitHub API call that failed for good, with a one-line reason."""


def retry_wait(response: Any, attempt: int, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait before retrying ``response``, or None when retrying cannot help.

    5xx is retried; so is a rate limit: 429, or 403 with ``Retry-After`` (secondary limit) or
    ``x-ratelimit-remaining: 0`` (primary limit, wait until ``x-ratelimit-reset``).
    """
    status, headers = response.status_code, response.headers
    rate_limited = status == 429 or (
        status == 403 and ("Retry-After" in headers or headers.get("x-ratelimit-remaining") == "0")
    )
    if status < 500 and not rate_limited:
        return None
    retry_after = headers.get("Retry-After", "")
    if retry_after.strip().isdigit():
        return float(retry_after)
    reset = headers.get("x-ratelimit-reset", "")
    if rate_limited and reset.strip().isdigit():
        return max(0.0, float(reset) - now())
    return BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]


class GitHubClient:
    """The few REST calls the comment needs, with timeouts and bounded retries."""

    def __init__(
        self, api_url: str, token: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "mlgate",
            }
        )

    def request(self, what: str, method: str, url: str, **kwargs: Any) -> Any:
        """The response to ``method url``; GitHubApiError once retries cannot help."""
        reason = ""
        for attempt in range(ATTEMPTS):
            wait: float | None
            try:
                response = self.session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                reason = type(error).__name__
                wait = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
            else:
                if response.status_code < 400:
                    return response
                wait = retry_wait(response, attempt)
                if wait is None:
                    raise GitHubApiError(_refusal(what, response))
                reason = f"HTTP {response.status_code} {response.reason}"
                if wait > MAX_WAIT_SECONDS:
                    raise GitHubApiError(
                        MSG_WAIT_TOO_LONG.format(what=what, seconds=wait, max=MAX_WAIT_SECONDS)
                    )
            if attempt < ATTEMPTS - 1:
                self.sleep(wait)
        raise GitHubApiError(MSG_GAVE_UP.format(what=what, attempts=ATTEMPTS, reason=reason))

    def paginate(self, what: str, url: str) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list, following ``Link: <...>; rel="next"``.

        A next page on another host is refused: the token must only ever go to the API.
        """
        next_url: str | None = f"{url}?per_page={PER_PAGE}"
        while next_url is not None:
            if not next_url.startswith(self.api_url + "/"):
                message = MSG_FOREIGN_LINK.format(what=what, api=self.api_url, url=next_url)
                raise GitHubApiError(message)
            response = self.request(what, "GET", next_url)
            items = response.json()
            if not isinstance(items, list):
                raise GitHubApiError(MSG_NOT_A_LIST.format(what=what, kind=type(items).__name__))
            yield from items
            next_url = response.links.get("next", {}).get("url")


def _refusal(what: str, response: Any) -> str:
    if response.status_code == 403:
        return MSG_FORBIDDEN.format(what=what)
    return MSG_HTTP.format(what=what, status=response.status_code, reason=response.reason)


def comment_body(summary: str, key: str, environ: Mapping[str, str]) -> str:
    """Marker, summary (cut to fit a comment) and a link to the workflow run."""
    marker = MARKER.format(key=key)
    footer = ""
    if environ.get("GITHUB_RUN_ID") and environ.get("GITHUB_REPOSITORY"):
        footer = FOOTER.format(
            server=environ.get("GITHUB_SERVER_URL", "https://github.com"),
            repository=environ["GITHUB_REPOSITORY"],
            run_id=environ["GITHUB_RUN_ID"],
        )
    room = COMMENT_MAX_CHARS - len(marker) - len(footer) - 1
    if len(summary) > room:
        cut = summary[: room - len(TRUNCATED)]
        summary = cut[: cut.rfind("\n")] + TRUNCATED if "\n" in cut else cut + TRUNCATED
    return f"{marker}\n{summary.rstrip()}{footer}"


def pull_request_number(event: Mapping[str, Any]) -> int | None:
    """The pull request an event is about (pull_request, pull_request_target, issue_comment)."""
    if isinstance(event.get("pull_request"), dict):
        return int(event["pull_request"]["number"])
    issue = event.get("issue")
    if isinstance(issue, dict) and issue.get("pull_request"):
        return int(issue["number"])
    return None


def upsert_comment(client: GitHubClient, repository: str, number: int, body: str) -> str:
    """Update the comment that holds ``body``'s marker, else create one; prints and returns
    what was done with the comment's URL."""
    marker = body.split("\n", 1)[0]
    base = f"{client.api_url}/repos/{repository}"
    comments = f"{base}/issues/{number}/comments"
    listing = client.paginate("list the pull request's comments", comments)
    existing = next((c for c in listing if marker in (c.get("body") or "")), None)
    if existing is not None:
        url = f"{base}/issues/comments/{existing['id']}"
        response = client.request("update the comment", "PATCH", url, json={"body": body})
        message = MSG_UPDATED
    else:
        response = client.request(
            "comment on the pull request", "POST", comments, json={"body": body}
        )
        message = MSG_CREATED
    done = message.format(url=response.json().get("html_url", ""))
    print(done)
    return done


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise GitHubApiError(MSG_MISSING_VARIABLE.format(name=name))
    return value


def post_summary(report_dir: Path, key: str, environ: Mapping[str, str]) -> None:
    """Post or update the comment for the pull request of the current event."""
    token = _required(environ, "GITHUB_TOKEN")
    event = json.loads(Path(_required(environ, "GITHUB_EVENT_PATH")).read_text("utf-8"))
    number = pull_request_number(event)
    if number is None:
        print(MSG_NOT_A_PULL_REQUEST)
        return
    summary_path = report_dir / MARKDOWN_NAME
    if not summary_path.is_file():
        raise GitHubApiError(MSG_NO_SUMMARY.format(path=summary_path))
    body = comment_body(summary_path.read_text("utf-8"), key, environ)
    api = environ.get("GITHUB_API_URL", "https://api.github.com")
    client = GitHubClient(api, token)
    upsert_comment(client, _required(environ, "GITHUB_REPOSITORY"), number, body)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Entry point; 0 even when the comment could not be posted (that is a warning)."""
    parser = argparse.ArgumentParser(
        prog="python -m mlgate.integrations.ci.pr_comment",
        description="Post or update the sticky pull-request comment with the gate summary.",
    )
    parser.add_argument("--report-dir", required=True, help="the folder of 'mlgate run'")
    parser.add_argument(
        "--key", default="mlgate", help="tells apart the comments of several gates in one PR"
    )
    args = parser.parse_args(argv)
    env = os.environ if environ is None else environ
    GitHubReporter(env).mask_secrets()
    try:
        post_summary(Path(args.report_dir), args.key, env)
    except (GitHubApiError, OSError, ValueError) as error:
        print(command("warning", f"mlgate: {error}", title="mlgate pull-request comment"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
