"""Hand a queued version to CI instead of gating it here: ``mlgate serve --dispatch github|azure``.

Teams that gate in their pipeline keep the receiver as a trigger: GitHub gets a
``repository_dispatch`` event (``POST /repos/{owner}/{repo}/dispatches``, token in
``GITHUB_TOKEN``) whose ``client_payload`` names the version; Azure DevOps gets a pipeline run
(``POST {org}/{project}/_apis/pipelines/{id}/runs``, a personal access token in
``AZURE_DEVOPS_TOKEN``) with ``model_uri`` and ``gate`` as ``templateParameters`` (the pipeline
declares both). The pipeline then runs ``mlgate run -c <gate> --model <model_uri>``. Tokens are
read from the environment and never logged.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mlgate.errors import GateFileError
from mlgate.integrations.webhooks.notify import post_json
from mlgate.integrations.webhooks.queue import Job

GITHUB_EVENT_TYPE = "mlgate-gate"
GITHUB_TOKEN_ENV = "GITHUB_TOKEN"
AZURE_TOKEN_ENV = "AZURE_DEVOPS_TOKEN"
AZURE_API_VERSION = "7.1"
DEFAULT_GITHUB_API = "https://api.github.com"
AZURE_PARAMETERS = ("model_uri", "gate")

MSG_NEEDS = "--dispatch {target} needs {what}"
MSG_NO_TOKEN = "--dispatch {target} needs the token in the environment variable {env}"


@dataclass(frozen=True)
class Dispatcher:
    """Where and how to ask CI to gate a version."""

    target: str
    url: str
    token_env: str

    @classmethod
    def from_options(
        cls,
        target: str,
        github_repo: str | None,
        github_api: str | None,
        azure_org: str | None,
        azure_project: str | None,
        azure_pipeline: int | None,
    ) -> Dispatcher:
        """Check the options of ``target`` (exit 2 naming what is missing)."""
        if target == "github":
            if not github_repo or github_repo.count("/") != 1:
                raise GateFileError(
                    MSG_NEEDS.format(target=target, what="--github-repo OWNER/NAME")
                )
            api = (github_api or os.environ.get("GITHUB_API_URL") or DEFAULT_GITHUB_API).rstrip("/")
            dispatcher = cls(target, f"{api}/repos/{github_repo}/dispatches", GITHUB_TOKEN_ENV)
        else:
            if not azure_org or not azure_project or azure_pipeline is None:
                what = "--azure-org-url, --azure-project and --azure-pipeline-id"
                raise GateFileError(MSG_NEEDS.format(target=target, what=what))
            url = (
                f"{azure_org.rstrip('/')}/{quote(azure_project)}/_apis/pipelines/"
                f"{azure_pipeline}/runs?api-version={AZURE_API_VERSION}"
            )
            dispatcher = cls(target, url, AZURE_TOKEN_ENV)
        if not os.environ.get(dispatcher.token_env):
            raise GateFileError(MSG_NO_TOKEN.format(target=target, env=dispatcher.token_env))
        return dispatcher

    def body(self, job: Job) -> dict[str, Any]:
        facts = {
            "model": job.model,
            "version": job.version,
            "model_uri": job.uri,
            "gate": _display_path(job.gate),
            "gate_digest": job.digest,
            "delivery_id": job.delivery_id,
            "event": job.event,
        }
        if self.target == "github":
            return {"event_type": GITHUB_EVENT_TYPE, "client_payload": facts}
        # Azure rejects parameters the pipeline does not declare: only these two.
        return {"templateParameters": {key: facts[key] for key in AZURE_PARAMETERS}}

    def headers(self) -> dict[str, str]:
        token = os.environ.get(self.token_env, "")
        if self.target == "github":
            return {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        basic = base64.b64encode(f":{token}".encode()).decode("ascii")
        return {"Authorization": f"Basic {basic}"}

    def dispatch(self, job: Job) -> str | None:
        """Ask CI to gate ``job``; None when it accepted, else why not."""
        return post_json(self.url, self.body(job), self.headers())


def _display_path(gate: str) -> str:
    """The gate file relative to the working directory when inside it (as a repo path)."""
    path = Path(gate)
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
