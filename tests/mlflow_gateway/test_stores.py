"""Store URIs resolve the same way for loading, recording and the release commands."""

from __future__ import annotations

from mlgate.mlflow_gateway import resolve_tracking_uri


def test_relative_sqlite_uri_is_read_from_the_gate_folder(tmp_path):
    assert (
        resolve_tracking_uri("sqlite:///store.db", tmp_path) == f"sqlite:///{tmp_path / 'store.db'}"
    )
    assert resolve_tracking_uri("sqlite:////abs/x.db", tmp_path) == "sqlite:////abs/x.db"
    assert resolve_tracking_uri("http://127.0.0.1:5000", tmp_path) == "http://127.0.0.1:5000"
