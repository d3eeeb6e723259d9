"""The ``mlgate history`` subcommand: its arguments and handler (argparse only at import)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mlgate.errors import EXIT_PASSED

EPILOG = """exit codes: 0 shown (also when no version was gated yet), 2 bad model URI or unknown
model, 3 registry unreachable"""
MSG_HTML_WRITTEN = "history: {path}"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``history`` to the ``mlgate`` command."""
    parser = subparsers.add_parser(
        "history",
        help="every gated version of a registered model: decisions, metrics, champion",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read from MLflow the gate run of each version of a registered model and "
        "show per version: when, the decision, key metrics with their thresholds, who or what "
        "promoted it, and the champion over time. --html writes one offline page with a trend "
        "plot per metric.",
    )
    parser.add_argument("uri", metavar="URI", help="the registered model, models:/name")
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="NAME",
        help="a metric to show (repeat; default: those the latest gate put thresholds on)",
    )
    parser.add_argument("--html", metavar="PATH", help="also write the history as an HTML page")
    parser.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="MLflow registry (default: MLFLOW_TRACKING_URI, else the embedded local store)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the history (and write the page); exit 0 even when nothing was gated yet."""
    from mlgate.history import read_history
    from mlgate.history._render import console, html_page

    history = read_history(args.uri, args.tracking_uri, list(args.metric))
    print(console(history))
    if args.html:
        path = Path(args.html)
        path.write_text(html_page(history), encoding="utf-8")
        print(MSG_HTML_WRITTEN.format(path=path))
    return EXIT_PASSED
