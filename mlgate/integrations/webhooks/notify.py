"""Post a gate's decision to Slack or Microsoft Teams incoming webhooks.

The gate file's ``notify`` section names the environment variables holding the webhook URLs
(they are secrets) and the outcomes to notify. Slack gets ``{"text": ...}``; Teams (Workflows
incoming webhooks) gets an Adaptive Card. Each post has a timeout and a few retries on connection
errors, 429 and 5xx; a post that still fails is logged and changes nothing: the decision is
already in the registry.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from mlgate.integrations.webhooks.runner import ERRORED, PASSED, GateOutcome

TIMEOUT_SECONDS = 5.0
BACKOFF_SECONDS = (0.5, 2.0)  # 3 attempts
MAX_LISTED_CHECKS = 10
DEFAULT_ON = (PASSED, "failed", ERRORED)

MSG_NO_URL = "environment variable {env} (notify.{target}.url_env) is not set"
MSG_POST_FAILED = "{target}: {reason}"


def summary(model: str, version: str, outcome: GateOutcome, link: str | None) -> str:
    """One or two lines a person reads in chat."""
    head = f"mlgate: {model} version {version} {outcome.status.upper()}"
    if outcome.status == ERRORED:
        head += f" (gate could not run: {outcome.message})"
    elif outcome.message:  # passed, but the promotion was refused
        head += f" ({outcome.message})"
    if outcome.status != ERRORED and outcome.failed_checks:
        listed = outcome.failed_checks[:MAX_LISTED_CHECKS]
        more = len(outcome.failed_checks) - len(listed)
        head += f"; failed checks: {', '.join(listed)}" + (f" (+{more} more)" if more else "")
    return head + (f"\nreport: {link}" if link else "")


def slack_body(text: str) -> dict[str, Any]:
    return {"text": text}


def teams_body(text: str) -> dict[str, Any]:
    lines = text.split("\n")
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": lines[0], "wrap": True, "weight": "Bolder"},
            *({"type": "TextBlock", "text": line, "wrap": True} for line in lines[1:]),
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


BODIES: dict[str, Callable[[str], dict[str, Any]]] = {"slack": slack_body, "teams": teams_body}


def notify(section: Mapping[str, Any], text: str, status: str) -> list[str]:
    """Post ``text`` to every target of ``section`` that wants ``status``; the errors, if any."""
    if status not in section.get("on", DEFAULT_ON):
        return []
    errors = []
    for target, body in BODIES.items():
        if target not in section:
            continue
        env = section[target]["url_env"]
        url = os.environ.get(env)
        if not url:
            errors.append(
                MSG_POST_FAILED.format(
                    target=target, reason=MSG_NO_URL.format(env=env, target=target)
                )
            )
            continue
        error = post_json(url, body(text))
        if error is not None:
            errors.append(MSG_POST_FAILED.format(target=target, reason=error))
    return errors


def post_json(
    url: str, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> str | None:
    """POST ``body`` with bounded retries; None on a 2xx, else why not (the URL never appears)."""
    import requests

    reason = ""
    for pause in (*BACKOFF_SECONDS, None):
        try:
            answer = requests.post(
                url, json=body, headers=dict(headers or {}), timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            reason = type(error).__name__
        else:
            if answer.status_code < 300:
                return None
            reason = f"HTTP {answer.status_code}"
            if answer.status_code != 429 and answer.status_code < 500:
                return reason
        if pause is not None:
            time.sleep(pause)
    return f"{reason} after {len(BACKOFF_SECONDS) + 1} attempts"
