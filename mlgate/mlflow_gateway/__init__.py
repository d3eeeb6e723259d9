"""The one way mlgate talks to MLflow: stores, retries, error reading, redaction, references.

Model loading (:mod:`mlgate.loading`) and the registry integrations (:mod:`mlgate.integrations`)
both go through this package, and it imports neither of them, so MLflow plumbing has a single
home and the dependency runs one way. Importing it is cheap: MLflow and requests are imported
inside the functions that call them.
"""

from mlgate.mlflow_gateway._client import MSG_CALL_FAILED, call, classify, registry_client
from mlgate.mlflow_gateway._errors import NOT_FOUND_CODES, error_code, is_not_found, short_reason
from mlgate.mlflow_gateway._redaction import SECRET_VARIABLES, redact
from mlgate.mlflow_gateway._references import (
    MSG_ALIAS_NOT_FOUND,
    MSG_NOT_FOUND,
    MSG_UNREACHABLE,
    reference_error,
    resolve_registry_uri,
)
from mlgate.mlflow_gateway._retry import (
    ATTEMPTS,
    BACKOFF_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
    is_transient,
    mlflow_call,
    mlflow_environment,
)
from mlgate.mlflow_gateway._stores import (
    EMBEDDED_STORE,
    MSG_NO_SQLITE_FILE,
    default_tracking_uri,
    ensure_local_store,
    require_store_file,
    resolve_registry_store,
    resolve_tracking_uri,
)

__all__ = [
    "ATTEMPTS",
    "BACKOFF_SECONDS",
    "EMBEDDED_STORE",
    "MSG_ALIAS_NOT_FOUND",
    "MSG_CALL_FAILED",
    "MSG_NOT_FOUND",
    "MSG_NO_SQLITE_FILE",
    "MSG_UNREACHABLE",
    "NOT_FOUND_CODES",
    "REQUEST_TIMEOUT_SECONDS",
    "SECRET_VARIABLES",
    "call",
    "classify",
    "default_tracking_uri",
    "ensure_local_store",
    "error_code",
    "is_not_found",
    "is_transient",
    "mlflow_call",
    "mlflow_environment",
    "redact",
    "reference_error",
    "registry_client",
    "require_store_file",
    "resolve_registry_store",
    "resolve_registry_uri",
    "resolve_tracking_uri",
    "short_reason",
]
