"""The ``mlgate serve`` command line: its options and the checks made before listening.

Only the standard library is imported here, so ``mlgate --help`` stays instant; the receiver is
imported when the command runs.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

SECRET_ENV = "MLGATE_WEBHOOK_SECRET"
EVENTS = ("model_version.created", "model_version_alias.created", "model_version_tag.set")

MSG_SECRET_FILE = "--secret-file {path}: {reason}"
MSG_EMPTY_SECRET_FILE = "--secret-file {path} is empty"
MSG_BAD_EVENT = "--events: unknown event {event!r}{hint}; known: {known}"
MSG_BAD_NUMBER = "{option} must be {what}, got {value}"

EPILOG = """The secret is the one given to MlflowClient().create_webhook(..., secret=...); it is
read from MLGATE_WEBHOOK_SECRET or --secret-file, never from the command line.
Answers: 202 accepted (queued, duplicate or ignored), 400 malformed, 401 bad signature or stale
timestamp, 409 replayed delivery id, 413 body too large, 503 queue full (MLflow retries)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``mlgate serve``."""
    gates = parser.add_argument_group("gates")
    gates.add_argument(
        "--gate",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="gate file for registered model NAME (repeatable)",
    )
    gates.add_argument(
        "--gates", metavar="DIR", help="folder of gate files named by model (DIR/<name>.yaml)"
    )
    gates.add_argument(
        "--events",
        default=",".join(EVENTS),
        metavar="LIST",
        help="comma-separated events that start a gate (default: %(default)s)",
    )
    listen = parser.add_argument_group("listening")
    listen.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    listen.add_argument("--port", type=int, default=8787, help="default: %(default)s (0: any)")
    listen.add_argument(
        "--secret-file", metavar="PATH", help=f"file holding the secret (else ${SECRET_ENV})"
    )
    listen.add_argument(
        "--insecure-no-signature",
        action="store_true",
        help="accept unsigned deliveries (only on a network you trust)",
    )
    listen.add_argument(
        "--max-age",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="refuse deliveries whose timestamp is further from now (default: %(default)g)",
    )
    listen.add_argument(
        "--max-body",
        type=int,
        default=64 * 1024,
        metavar="BYTES",
        help="refuse larger bodies with 413 (default: %(default)s)",
    )
    work = parser.add_argument_group("work")
    work.add_argument(
        "--state-dir",
        default=".mlgate/serve",
        metavar="DIR",
        help="queue and reports, kept across restarts (default: %(default)s)",
    )
    work.add_argument(
        "--max-queue",
        type=int,
        default=1000,
        metavar="N",
        help="waiting gates before answering 503 (default: %(default)s)",
    )
    work.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="gates run at once, never two on one model (default: %(default)s)",
    )
    ci = parser.add_argument_group(
        "run the gate in CI instead (token in GITHUB_TOKEN / AZURE_DEVOPS_TOKEN)"
    )
    ci.add_argument("--dispatch", choices=("github", "azure"), help="trigger CI, do not gate here")
    ci.add_argument("--github-repo", metavar="OWNER/NAME", help="repository_dispatch target")
    ci.add_argument(
        "--github-api-url", metavar="URL", help="default: $GITHUB_API_URL, else api.github.com"
    )
    ci.add_argument("--azure-org-url", metavar="URL", help="e.g. https://dev.azure.com/myorg")
    ci.add_argument("--azure-project", metavar="NAME")
    ci.add_argument("--azure-pipeline-id", type=int, metavar="ID")


def run(args: argparse.Namespace) -> int:
    """Check the options, then serve until stopped."""
    from mlgate.errors import GateFileError, did_you_mean
    from mlgate.integrations.webhooks.dispatch import Dispatcher
    from mlgate.integrations.webhooks.gates import GateRoutes
    from mlgate.integrations.webhooks.server import MSG_NO_SECRET, ServeConfig, serve
    from mlgate.spec import load_spec

    routes = GateRoutes.from_options(args.gate, args.gates)
    for path in routes.all_files():
        load_spec(path)  # an invalid gate file stops the receiver now, not at the first version
    events = tuple(event.strip() for event in args.events.split(",") if event.strip())
    for event in events:
        if event not in EVENTS:
            hint = did_you_mean(event, EVENTS)
            known = ", ".join(EVENTS)
            raise GateFileError(MSG_BAD_EVENT.format(event=event, hint=hint, known=known))
    for option, value, least in (
        ("--max-age", args.max_age, 1),
        ("--max-body", args.max_body, 1),
        ("--max-queue", args.max_queue, 1),
        ("--workers", args.workers, 1),
    ):
        if value < least:
            message = MSG_BAD_NUMBER.format(option=option, what=f">= {least}", value=value)
            raise GateFileError(message)
    from mlgate.integrations.webhooks.metrics import require_client

    require_client()  # GET /metrics: fail at start (exit 3), not at the first scrape
    secret = _secret(args.secret_file)
    if secret is None and not args.insecure_no_signature:
        raise GateFileError(MSG_NO_SECRET)
    dispatcher = None
    if args.dispatch:
        dispatcher = Dispatcher.from_options(
            args.dispatch,
            args.github_repo,
            args.github_api_url,
            args.azure_org_url,
            args.azure_project,
            args.azure_pipeline_id,
        )
    config = ServeConfig(
        routes=routes,
        secret=secret,
        host=args.host,
        port=args.port,
        state_dir=Path(args.state_dir),
        events=events,
        window=args.max_age,
        max_body=args.max_body,
        capacity=args.max_queue,
        workers=args.workers,
        dispatcher=dispatcher,
    )
    os.environ.pop(SECRET_ENV, None)  # gates run in children: they never see the secret
    return serve(config)


def _secret(path: str | None) -> str | None:
    """The secret from --secret-file (one trailing newline dropped), else the environment."""
    from mlgate.errors import GateFileError

    if path is None:
        return os.environ.get(SECRET_ENV) or None
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.__class__.__name__
        raise GateFileError(MSG_SECRET_FILE.format(path=path, reason=reason)) from error
    secret = text.removesuffix("\n").removesuffix("\r")
    if not secret:
        raise GateFileError(MSG_EMPTY_SECRET_FILE.format(path=path))
    return secret
