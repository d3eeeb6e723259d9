"""Credentials out of every line mlgate shows or records about an MLflow store.

A tracking URI may carry ``user:password@`` or a token, and a server or proxy may echo a secret
back in an error message; console lines, reports, run params and tags go through :func:`redact`
so that neither reaches a CI log.
"""

from __future__ import annotations

import os
import re

# userinfo of a URI: ``user:password@`` keeps the user (who logged in helps debugging), a lone
# ``token@`` is all secret.
_CREDENTIALS_IN_URI = re.compile(
    r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:(?P<user>[^/@:\s]*):)?[^/@\s]+@"
)
SECRET_VARIABLES = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_PASSWORD")
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words


def redact(text: str) -> str:
    """Remove credentials: ``https://user:pw@host`` -> ``https://user:***@host``, ``https://tok@host``
    -> ``https://***@host``, and the values of
    MLflow's secret variables (MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_PASSWORD) wherever they
    appear, since a server or proxy may echo them back in an error message."""
    text = _CREDENTIALS_IN_URI.sub(_mask_userinfo, text)
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name, "")
        if len(secret) >= _MIN_SECRET_LENGTH:
            text = text.replace(secret, "***")
    return text


def _mask_userinfo(match: re.Match[str]) -> str:
    user = match.group("user")
    return (
        f"{match.group('scheme')}{user}:***@"
        if user is not None
        else f"{match.group('scheme')}***@"
    )
