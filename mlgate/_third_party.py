"""Third-party deprecation warnings kept out of mlgate's and pytest's output.

MLflow's SQLAlchemy store, shap's import and pyspark (about pandas versions) raise deprecation
warnings about their own internals; a user can do nothing about them, and in a CI log or pytest's
warnings summary they read as problems with the gate. Only deprecation-type warnings attributed
to these libraries are hidden: anything from the user's code (custom metrics, their model) and
every other warning still shows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

LIBRARIES = r"(mlflow|shap|sqlalchemy|alembic|matplotlib|numba|llvmlite|pyspark)(\..*)?$"
CATEGORIES = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


@contextmanager
def quiet_deprecations() -> Iterator[None]:
    """Within the block, deprecation warnings raised from :data:`LIBRARIES` are not shown.

    Filters are set inside :func:`warnings.catch_warnings`, ahead of any a caller installed
    (pytest sets ``always`` for deprecations per test), and restored on exit.
    """
    with warnings.catch_warnings():
        for category in CATEGORIES:
            warnings.filterwarnings("ignore", category=category, module=LIBRARIES)
        yield
