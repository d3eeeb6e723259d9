"""The SparkSession a gate runs on: the active one, else Spark Connect, else a local one.

A Databricks notebook already has a session, and the gate uses it as it is; a process Spark
started (``spark-submit``, a Databricks job task) gets the cluster's session, not a local one.
Spark Connect (``--spark-remote sc://host:port`` or ``SPARK_REMOTE``; Databricks Connect works
the same way) is probed with a plain TCP connection first, because the client retries an
unreachable server for minutes before it fails. A local session needs a Java runtime, which is
looked for before Spark would fail with a JVM stack trace.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyspark.sql import SparkSession

from mlgate.errors import GateFileError, InfrastructureError
from mlgate.spark._batches import MAX_BYTES, MAX_ROWS, NO_BYTE_LIMIT
from mlgate.spec import SparkSpec

MSG_NO_CONNECT = (
    "spark remote {url}: the Spark Connect client is not installed; install it with "
    'pip install "mlgate[spark]"'
)
MSG_NO_JAVA = (
    "engine: spark starts a local Spark, which needs a Java runtime (17 or later), and none was "
    "found on PATH or in JAVA_HOME; install one (Debian/Ubuntu: apt-get install "
    "openjdk-17-jre-headless) or run the gate on a cluster with --spark-remote sc://host:port"
)
MSG_BAD_REMOTE = (
    "spark remote: {url!r} is not a Spark Connect address; write sc://host:port (or set "
    "SPARK_REMOTE to it)"
)
MSG_UNREACHABLE = (
    "spark remote: cannot reach the Spark Connect server at {host}:{port} ({error}); check the "
    "address and that the server is running"
)
MSG_START_FAILED = "engine: spark could not start a Spark session: {error}"
MSG_BAD_CONF = "spark.conf.{key}: Spark refused the setting: {error}"
CONNECT_PORT = 15002  # Spark Connect's default port
PROBE_SECONDS = 10.0
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
JVM_LOG = Path(tempfile.gettempdir()) / f"mlgate-spark-{os.getpid()}.log"
LOCAL_DEFAULTS = {  # a local session for one gate: no web UI, no progress bars, errors-only log
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Larger Arrow batches: fewer model calls per partition (each call has a fixed cost).
    MAX_ROWS: "100000",
    # No byte limit: Spark 4 checks it after every row by walking every column of the batch,
    # a third of the scoring pass's JVM time; mlgate bounds the batches by rows instead
    # (mlgate.spark._batches).
    MAX_BYTES: str(NO_BYTE_LIMIT),
    "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{LOG_CONFIG}",
}


def spark_session(settings: SparkSpec) -> Any:
    """The session to run on, with the gate's ``spark.conf`` applied (exit 3 when none starts)."""
    active = SparkSession.getActiveSession() or _active_connect_session()
    if active is not None:
        _set_runtime_conf(active, settings.conf)
        return active
    remote = settings.remote or os.environ.get("SPARK_REMOTE")
    # Python workers started on this machine must run this interpreter (the one mlgate and the
    # model's libraries are installed in), not whatever 'python3' is first on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder
    if remote and not remote.startswith("local"):
        _probe(remote)
        builder = builder.remote(remote)
        conf: Mapping[str, str] = settings.conf
    elif _launched_by_spark():  # spark-submit or a Databricks job: the cluster's own session
        conf = settings.conf
    else:  # a JVM on this machine: a local session, or a local Spark Connect server
        _require_java()
        if remote:
            builder = builder.remote(remote)
        else:
            builder = builder.master(os.environ.get("MLGATE_SPARK_MASTER", "local[*]"))
        conf = {**LOCAL_DEFAULTS, **settings.conf}
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        with _jvm_output_to_log(), warnings.catch_warnings():
            # A local Connect server is given its static settings at start; the client then
            # warns that it cannot set them again at runtime.
            warnings.simplefilter("ignore", UserWarning)
            session = builder.getOrCreate()
    except ImportError as error:  # pyspark without its Connect client (grpc, pyarrow...)
        raise InfrastructureError(MSG_NO_CONNECT.format(url=remote)) from error
    except Exception as error:  # the JVM or the server refused: one line, no Java trace
        raise InfrastructureError(MSG_START_FAILED.format(error=first_line(error))) from error
    return session


@contextmanager
def _jvm_output_to_log() -> Iterator[None]:
    """Send the output of a JVM started in the block to :data:`JVM_LOG`, not the terminal.

    The JVM inherits the standard error of the process that starts it; Spark prints its start-up
    banner and Java warnings there. mlgate reports failures itself, in one line, so the JVM (and
    the Python workers it starts) write to a log file instead, for the whole run.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with open(JVM_LOG, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def describe_session(session: Any, settings: SparkSpec) -> dict[str, Any]:
    """What the report records about the session: Spark's version and where it runs."""
    facts: dict[str, Any] = {"spark_version": session.version}
    if is_connect(session):
        remote = settings.remote or os.environ.get("SPARK_REMOTE") or "an active Connect session"
        facts["remote"] = _redacted_remote(remote)
    else:
        facts["master"] = session.sparkContext.master
    return facts


def is_connect(session: Any) -> bool:
    """True for a Spark Connect session (no SparkContext, no RDDs, no broadcast variables)."""
    return type(session).__module__.startswith("pyspark.sql.connect")


def first_line(error: BaseException) -> str:
    """The first line of a Spark or Py4J error, without its JVM stack trace."""
    text = str(error).strip() or type(error).__name__
    line = text.splitlines()[0].strip()
    return line[:500]


def _active_connect_session() -> Any:
    try:
        from pyspark.sql.connect.session import (  # noqa: PLC0415 (optional: Connect client)
            SparkSession as ConnectSession,
        )
    except ImportError:  # pyspark without the Connect client: no Connect session can be active
        return None
    return ConnectSession.getActiveSession()


def _set_runtime_conf(session: Any, conf: Mapping[str, str]) -> None:
    for key, value in conf.items():
        try:
            session.conf.set(key, value)
        except Exception as error:  # a static setting on a running session, or a bad value
            raise GateFileError(MSG_BAD_CONF.format(key=key, error=first_line(error))) from error


def _probe(url: str) -> None:
    """Fail in seconds (exit 3) when the Spark Connect server does not accept connections."""
    parts = urlsplit(url)
    if parts.scheme != "sc" or not parts.hostname:
        raise InfrastructureError(MSG_BAD_REMOTE.format(url=_redacted_remote(url)))
    port = parts.port or CONNECT_PORT
    try:
        with socket.create_connection((parts.hostname, port), timeout=PROBE_SECONDS):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InfrastructureError(
            MSG_UNREACHABLE.format(host=parts.hostname, port=port, error=reason)
        ) from error


def _redacted_remote(url: str) -> str:
    """A Connect address without its parameters (``;token=...`` carries credentials)."""
    return url.split(";", 1)[0]


def _launched_by_spark() -> bool:
    """Whether Spark started this process (spark-submit, a Databricks job): its master is set."""
    return bool(
        os.environ.get("PYSPARK_GATEWAY_PORT") or os.environ.get("DATABRICKS_RUNTIME_VERSION")
    )


def _require_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return
    if shutil.which("java") is None:
        raise InfrastructureError(MSG_NO_JAVA)
