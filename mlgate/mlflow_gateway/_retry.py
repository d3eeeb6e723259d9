"""Bounded retries for MLflow calls, so that a registry that is down fails a gate in seconds.

MLflow's REST client retries on its own: 7 times with exponential backoff (minutes on a dead
server), and for 408 and 429 too, which are client errors. For the duration of mlgate's own calls
``mlflow_call`` switches that off and retries here instead: only connection errors, timeouts and
5xx responses, ``ATTEMPTS`` times with a short backoff. A 4xx (unknown model, refused credentials,
rate limit) is never retried: the same request would get the same answer.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from mlgate._third_party import quiet_deprecations

T = TypeVar("T")

BACKOFF_SECONDS = (0.5, 1.5)  # the pauses between attempts: 3 attempts, 2 s of waiting
ATTEMPTS = len(BACKOFF_SECONDS) + 1
REQUEST_TIMEOUT_SECONDS = 15  # per request, unless MLFLOW_HTTP_REQUEST_TIMEOUT is set

# urllib3 reports a status it was told to retry (and then was not allowed to) in this wording.
_STATUS_IN_RETRY_ERROR = re.compile(r"too many (\d{3}) error responses")
_ENV_LOCK = threading.Lock()
_env_users = 0
_env_saved: dict[str, str | None] = {}


def _call_environment() -> dict[str, str]:
    """MLflow settings for mlgate's calls: no retries of its own, a short timeout, no URL print.

    MLflow prints run URLs built from the tracking URI, credentials included; mlgate prints its
    own, redacted.
    """
    timeout = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT") or str(REQUEST_TIMEOUT_SECONDS)
    return {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": timeout,
        "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }


@contextmanager
def mlflow_environment() -> Iterator[None]:
    """Apply :func:`_call_environment` for a block and restore the caller's values afterwards.

    Reference-counted, so overlapping blocks in several threads restore only when the last ends.
    """
    global _env_users
    with _ENV_LOCK:
        if _env_users == 0:
            wanted = _call_environment()
            _env_saved.update({name: os.environ.get(name) for name in wanted})
            os.environ.update(wanted)
        _env_users += 1
    try:
        yield
    finally:
        with _ENV_LOCK:
            _env_users -= 1
            if _env_users == 0:
                for name, value in _env_saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                _env_saved.clear()


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def is_transient(error: BaseException) -> bool:
    """True for a connection error, a timeout or a 5xx response anywhere in the cause chain."""
    import requests

    for link in _chain(error):
        if isinstance(link, requests.exceptions.RetryError):
            status = _STATUS_IN_RETRY_ERROR.search(str(link))
            return status is not None and status.group(1).startswith("5")
        if isinstance(
            link,
            requests.exceptions.ConnectionError
            | requests.exceptions.Timeout
            | ConnectionError
            | TimeoutError,
        ):
            return True
    return False


def mlflow_call(operation: Callable[[], T]) -> T:
    """Run one MLflow client call with mlgate's bounded retry policy; re-raise the last error."""
    for pause in (*BACKOFF_SECONDS, None):
        try:
            with mlflow_environment(), quiet_deprecations():
                return operation()
        except Exception as error:
            if pause is None or not is_transient(error):
                raise
        time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the last attempt returns or raises
