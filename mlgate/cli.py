"""The ``mlgate`` command. Exit codes: 0 passed, 1 gate failed, 2 invalid usage or input,
3 infrastructure error.

Only argparse is imported at start-up so ``mlgate --help`` stays instant; each subcommand imports
what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from mlgate._version import __version__
from mlgate.errors import EXIT_FAILED, EXIT_INFRASTRUCTURE, EXIT_PASSED, EXIT_USAGE, MlgateError

MSG_INTERNAL = "internal error: {error}; rerun with --debug and report it"
MSG_MISSING_DEPENDENCY = "missing dependency: {error}; install it (pip install 'mlgate[...]')"

EPILOG = """exit codes: 0 gate passed, 1 gate failed (a required check failed or errored),
2 invalid usage, gate file or input, 3 infrastructure error (registry unreachable,
missing dependency)"""


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run", help="evaluate the gate and write reports", epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load the model(s) and data once, run every check, print a summary, write "
        "the reports, and exit 0 when the gate passes.",
    )  # fmt: skip
    run.add_argument("-c", "--config", metavar="PATH",
                     help="gate file (default: mlgate.yaml, else [tool.mlgate] in pyproject.toml)")
    run.add_argument("--report-dir", metavar="DIR",
                     help="folder for reports (default: report.dir of the gate file, else its folder)")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the decision line")
    run.set_defaults(handler=_run)  # fmt: skip


def _add_checks(subparsers: argparse._SubParsersAction) -> None:
    checks = subparsers.add_parser(
        "checks", help="list built-in checks and metrics",
        description="List every check family and built-in metric, with its direction.",
    )  # fmt: skip
    checks.add_argument("--task", choices=("regression", "binary", "multiclass"),
                        help="only the metrics of this task")  # fmt: skip
    checks.set_defaults(handler=_checks)


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="train, register and gate a demo model (no server, no network)",
        description="Train two small scikit-learn models on data scikit-learn ships, register "
        "them in an embedded MLflow store (sqlite) under DIR, write a gate file and run it.",
    )  # fmt: skip
    demo.add_argument("--dir", default="mlgate-demo", metavar="DIR",
                      help="folder for the demo's data, store and reports (default: mlgate-demo)")
    demo.set_defaults(handler=_demo)  # fmt: skip


def _add_schema(subparsers: argparse._SubParsersAction) -> None:
    schema = subparsers.add_parser(
        "schema", help="print a JSON Schema (gate file or report)",
        description="Print the JSON Schema of the gate file (for editors) or of the JSON report.",
    )  # fmt: skip
    schema.add_argument("which", nargs="?", choices=("gate", "report"), default="gate")
    schema.set_defaults(handler=_schema)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    parser = argparse.ArgumentParser(
        prog="mlgate", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Validate a machine-learning model against a gate file before it ships.",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"mlgate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_run, _add_checks, _add_demo, _add_schema):
        add(subparsers)
    return parser


def _run(args: argparse.Namespace) -> int:
    from mlgate.engine import run_gate
    from mlgate.reporting import console, write_reports
    from mlgate.spec import load_spec

    spec = load_spec(args.config)
    result = run_gate(spec)
    write_reports(result, args.report_dir or spec.resolve_path(spec.report_dir), spec.report_json)
    print(console.decision_line(result) if args.quiet else console.render(result))
    return EXIT_PASSED if result.passed else EXIT_FAILED


def _checks(args: argparse.Namespace) -> int:
    from mlgate.catalog import render_catalog

    print(render_catalog(args.task))
    return EXIT_PASSED


def _demo(args: argparse.Namespace) -> int:
    from mlgate.demo import run_demo

    return run_demo(args.dir)


def _schema(args: argparse.Namespace) -> int:
    from importlib import resources

    name = f"{args.which}.schema.json"
    sys.stdout.write(resources.files("mlgate.schemas").joinpath(name).read_text("utf-8"))
    return EXIT_PASSED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mlgate`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handler(args)
    except MlgateError as error:
        return _report(error, str(error), error.exit_code, args.debug)
    except ImportError as error:
        return _report(error, MSG_MISSING_DEPENDENCY.format(error=error), EXIT_INFRASTRUCTURE,
                       args.debug)  # fmt: skip
    except KeyboardInterrupt:
        print("mlgate: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # fail closed on anything unexpected
        return _report(error, MSG_INTERNAL.format(error=error), EXIT_INFRASTRUCTURE, args.debug)


def _report(error: BaseException, message: str, code: int, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exception(error)
    one_line = " ".join(message.split())
    print(f"mlgate: error: {one_line}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
