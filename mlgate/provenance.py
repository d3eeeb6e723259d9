"""Where a gate ran: library versions, and the commit and CI run when the CI says so.

Recorded in the result's ``environment`` section at run time, because a report re-rendered later
from the JSON alone must still show them. Shape::

    {"python": "3.12.1", "platform": "Linux-6.1-x86_64",
     "libraries": {"numpy": "2.3.0", ...},           # installed distributions only
     "ci": {"provider": "github", "commit": "...", "run_url": "...", "ref": "..."}}  # or absent
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from importlib import metadata
from typing import Any
from urllib.parse import quote

LIBRARIES = (
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "mlflow",
    "fairlearn",
    "shap",
    "pandera",
    "jinja2",
)


def environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Versions of Python and the libraries the gate uses, and the CI run if any."""
    facts: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "libraries": _versions(),
    }
    ci = ci_run(os.environ if env is None else env)
    if ci:
        facts["ci"] = ci
    return facts


def _versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def ci_run(env: Mapping[str, str]) -> dict[str, str]:
    """Commit and run URL from GitHub Actions' or Azure Pipelines' variables; {} elsewhere."""
    if env.get("GITHUB_SHA"):
        facts = {"provider": "github", "commit": env["GITHUB_SHA"]}
        server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
        run_id = env.get("GITHUB_RUN_ID")
        if server and repository and run_id:
            facts["run_url"] = f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"
        if env.get("GITHUB_REF"):
            facts["ref"] = env["GITHUB_REF"]
        return facts
    if env.get("BUILD_SOURCEVERSION"):
        facts = {"provider": "azure", "commit": env["BUILD_SOURCEVERSION"]}
        collection, project = env.get("SYSTEM_COLLECTIONURI"), env.get("SYSTEM_TEAMPROJECT")
        build_id = env.get("BUILD_BUILDID")
        if collection and project and build_id:
            facts["run_url"] = (
                f"{collection.rstrip('/')}/{quote(project)}/_build/results?buildId={build_id}"
            )
        if env.get("BUILD_SOURCEBRANCH"):
            facts["ref"] = env["BUILD_SOURCEBRANCH"]
        return facts
    return {}
