"""Credentials never reach a line mlgate prints or records."""

from __future__ import annotations

from mlgate.mlflow_gateway import redact


def test_credentials_in_uris_are_redacted():
    assert (
        redact("load https://alice:s3cret@host/x failed") == "load https://alice:***@host/x failed"
    )
    assert redact("http://token@host") == "http://***@host"
    assert redact("models:/m@champion") == "models:/m@champion"
