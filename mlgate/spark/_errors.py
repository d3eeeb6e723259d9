"""Spark failures as mlgate's one-line errors: no JVM or Python-worker trace reaches the user.

An error raised by mlgate's own code in an executor (a model that fails on some rows raises
``InputError`` there, as it would in the pandas engine) comes back wrapped in Spark's exception,
its message inside the worker's traceback; it is raised again as that ``InputError`` (exit 2).
Anything else Spark raises while computing is an infrastructure failure (exit 3) named by the
first line that says what went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from mlgate.errors import InfrastructureError, InputError, MlgateError
from mlgate.spark._session import first_line

MSG_SPARK_FAILED = "Spark failed while {doing}: {error}"
_WORKER_INPUT_ERROR = re.compile(r"mlgate\.errors\.InputError: (.+)")
_WORKER_ERROR = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$", re.MULTILINE)


@contextmanager
def spark_errors(doing: str) -> Iterator[None]:
    """Within the block, a Spark failure raises a one-line ``MlgateError``."""
    try:
        yield
    except MlgateError:
        raise
    except Exception as error:
        if not type(error).__module__.startswith(("pyspark", "py4j")):
            raise
        text = str(error)
        own = _WORKER_INPUT_ERROR.search(text)
        if own is not None:
            raise InputError(own.group(1).strip()) from error
        found = _WORKER_ERROR.findall(text)
        reason = f"{found[-1][0]}: {found[-1][1]}" if found else first_line(error)
        raise InfrastructureError(
            MSG_SPARK_FAILED.format(doing=doing, error=reason.strip()[:300])
        ) from error
