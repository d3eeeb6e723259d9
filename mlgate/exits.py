"""How a command ends: one line on stderr and the documented exit code, never a traceback
unless asked for.

Shared by the ``mlgate`` command and the gate child of ``mlgate serve``, so an error reads the
same in a CI log and in a job's ``mlgate-run.log``. Imports nothing heavy (``mlgate --help``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator

from mlgate.errors import EXIT_INFRASTRUCTURE, MlgateError

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
MLFLOW_LOG_VARIABLE = "MLFLOW_LOGGING_LEVEL"
QUIET_LEVEL = "ERROR"
QUIET_LOGGERS = ("mlflow", "alembic")
MSG_INTERNAL = "internal error: {error}; rerun with --debug and report it"
MSG_MISSING_DEPENDENCY = "missing dependency: {error}; install it (pip install 'mlgate[...]')"


def guarded(command: Callable[[], int], *, debug: bool = False) -> int:
    """Run ``command`` and return its exit code; any error becomes one stderr line and its code.

    ``MlgateError`` carries its own code (2 bad input, 3 infrastructure); a missing library and
    anything unexpected are 3 (fail closed). MLflow's own log lines stay off stderr unless
    ``debug``, which also prints the traceback.
    """
    from mlgate._third_party import quiet_deprecations

    try:
        with library_logging(debug), quiet_deprecations():
            return command()
    except MlgateError as error:
        return _report(error, str(error), error.exit_code, debug)
    except ImportError as error:
        return _report(
            error, MSG_MISSING_DEPENDENCY.format(error=error), EXIT_INFRASTRUCTURE, debug
        )
    except KeyboardInterrupt:
        print("mlgate: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # fail closed on anything unexpected
        return _report(error, MSG_INTERNAL.format(error=error), EXIT_INFRASTRUCTURE, debug)


@contextlib.contextmanager
def library_logging(debug: bool) -> Iterator[None]:
    """Keep MLflow's own log lines (store creation, migrations) off stderr unless ``debug``.

    MLflow sets its loggers' level from MLFLOW_LOGGING_LEVEL when it is imported (later, by a
    subcommand), so the variable is set for the command's duration unless the user set it; if
    MLflow is already imported (mlgate called in-process), its loggers are quieted directly.
    """
    if debug or os.environ.get(MLFLOW_LOG_VARIABLE):
        yield
        return
    os.environ[MLFLOW_LOG_VARIABLE] = QUIET_LEVEL
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    if "mlflow" in sys.modules:
        for logger in loggers:
            logger.setLevel(QUIET_LEVEL)
    try:
        yield
    finally:
        os.environ.pop(MLFLOW_LOG_VARIABLE, None)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def print_error(message: str) -> None:
    """One line on stderr, credentials redacted (errors may quote a tracking URI)."""
    print(f"mlgate: error: {redacted(message)}", file=sys.stderr)


def redacted(message: str) -> str:
    """``message`` on one line with any credentials in URIs removed."""
    from mlgate.mlflow_gateway import redact

    return redact(" ".join(message.split()))


def _report(error: BaseException, message: str, code: int, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exception(error)
    print_error(message)
    return code
