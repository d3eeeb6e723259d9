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
from mlgate.errors import EXIT_INFRASTRUCTURE, EXIT_PASSED, EXIT_USAGE, MlgateError
from mlgate.exits import guarded, print_error, redacted

MSG_INFER_USAGE = (
    "schema: give the reference data to infer from, as in "
    "'mlgate schema infer reference.parquet > schema.yaml'"
)

EPILOG = """exit codes: 0 gate passed, 1 gate failed (a required check failed or errored),
2 invalid usage, gate file or input, 3 infrastructure error (registry unreachable,
missing dependency)"""
PROMOTE_EPILOG = """exit codes: 0 promoted, 1 refused (report not passed, too old, not matching the
registry, or the alias moved since the gate started), 2 bad report or reference,
3 registry unreachable"""
STATUS_EPILOG = """exit codes: 0 its last gate passed, 1 it failed, 2 never gated (or bad
reference), 3 registry unreachable"""


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser(
        "run",
        help="evaluate the gate and write reports",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Load the model(s) and data once, run every check, print a summary, write "
        "the reports, and exit 0 when the gate passes.",
    )
    run.add_argument(
        "-c",
        "--config",
        metavar="PATH",
        help="gate file (default: mlgate.yaml, else [tool.mlgate] in pyproject.toml)",
    )
    run.add_argument(
        "--report-dir",
        metavar="DIR",
        help="folder for reports (default: report.dir of the gate file, else its folder)",
    )
    run.add_argument(
        "--report",
        metavar="FORMATS",
        help="reports to write, comma-separated: json,html,md,junit (default: report.formats of "
        "the gate file, else all four)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the decision line")
    run.add_argument(
        "--model",
        metavar="URI",
        help="evaluate this model instead of the gate file's 'model', e.g. a pinned version "
        "models:/churn/7 (what 'mlgate serve' runs); the gate digest stays the gate file's",
    )
    run.add_argument(
        "--engine",
        choices=("pandas", "spark"),
        help="compute the gate in pandas on this machine, or in Spark on every row of the data "
        "(default: the gate file's 'engine', else pandas)",
    )
    run.add_argument(
        "--spark-remote",
        metavar="URL",
        help="run the Spark engine on this Spark Connect server, sc://host:port (default: "
        "SPARK_REMOTE; without either, the active Spark session or a local one)",
    )
    run.add_argument(
        "--no-promote",
        action="store_true",
        help="log and tag in the MLflow registry, but do not move promote.on_pass.alias "
        "(promote later with 'mlgate promote --report')",
    )
    run.add_argument(
        "--ci",
        choices=("auto", "github", "azure", "none"),
        default="auto",
        help="report to this CI system: annotations, step outputs, summary (default: auto, "
        "GitHub Actions when GITHUB_ACTIONS=true, Azure Pipelines when TF_BUILD=True)",
    )
    run.add_argument(
        "--fail-on",
        choices=("failed", "warned", "never"),
        default="failed",
        help="exit 1 when the gate failed (default), also when a check warned (then nothing is "
        "promoted), or never (a gate that could not run still exits 2 or 3)",
    )
    run.set_defaults(handler=_run)


def _add_promote(subparsers: argparse._SubParsersAction) -> None:
    promote = subparsers.add_parser(
        "promote",
        help="promote the version a passed report gated (release stage)",
        epilog=PROMOTE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Move the gate's promote.on_pass.alias to the version a report gated, after "
        "checking the report against the registry. Refuses (exit 1) when the report did not "
        "pass, is older than --max-age, or no longer matches the version's mlgate.* tags, or "
        "when the alias moved since the gate started.",
    )
    promote.add_argument(
        "--report", required=True, metavar="PATH", help="the JSON report of 'mlgate run'"
    )
    promote.add_argument(
        "--max-age",
        metavar="DURATION",
        help="refuse a report older than this (90s, 30m, 24h, 7d; default: no limit)",
    )
    promote.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="MLflow registry (default: the report's, else MLFLOW_TRACKING_URI)",
    )
    promote.set_defaults(handler=_promote)


def _add_status(subparsers: argparse._SubParsersAction) -> None:
    status = subparsers.add_parser(
        "status",
        help="print the gate tags of a model version; exit code says passed/failed/never",
        epilog=STATUS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Print the mlgate.* tags of a registered model version: a one-line "
        "building block for release gates.",
    )
    status.add_argument("uri", metavar="URI", help="models:/name/N or models:/name@alias")
    status.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="MLflow registry (default: MLFLOW_TRACKING_URI, else the embedded local store)",
    )
    status.set_defaults(handler=_status)


def _add_checks(subparsers: argparse._SubParsersAction) -> None:
    checks = subparsers.add_parser(
        "checks",
        help="list built-in checks and metrics",
        description="List every check family and built-in metric, with its direction.",
    )
    checks.add_argument(
        "--task",
        choices=("regression", "binary", "multiclass"),
        help="only the metrics of this task",
    )
    checks.set_defaults(handler=_checks)


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="train, register and gate a demo model (no server, no network)",
        description="Train two small scikit-learn models on data scikit-learn ships, register "
        "them in an embedded MLflow store (sqlite) under DIR, write a gate file and run it.",
    )
    demo.add_argument(
        "--dir",
        default="mlgate-demo",
        metavar="DIR",
        help="folder for the demo's data, store and reports (default: mlgate-demo)",
    )
    demo.set_defaults(handler=_demo)


def _add_report(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report",
        help="re-render reports from a saved JSON report",
        description="Render HTML, Markdown or JUnit XML from an mlgate-report.json alone, "
        "without the model or the data (e.g. a report downloaded from a CI run).",
    )
    report.add_argument("json_report", metavar="REPORT", help="the JSON report of 'mlgate run'")
    report.add_argument(
        "--format",
        default="html,md,junit",
        metavar="FORMATS",
        help="comma-separated: html, md, junit, json (default: html,md,junit)",
    )
    report.add_argument(
        "--out",
        metavar="DIR",
        help="folder for the reports (default: the JSON report's folder)",
    )
    report.set_defaults(handler=_report_command)


def _add_schema(subparsers: argparse._SubParsersAction) -> None:
    schema = subparsers.add_parser(
        "schema",
        help="print a JSON Schema (gate file or report); 'schema infer FILE' writes a data "
        "schema from reference data",
        description="Print the JSON Schema of the gate file (for editors) or of the JSON report; "
        "or, with 'infer FILE', write a data schema (YAML) inferred from reference data for "
        "checks.data.schema: mlgate schema infer reference.parquet > schema.yaml",
    )
    schema.add_argument("which", nargs="?", choices=("gate", "report", "infer"), default="gate")
    schema.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="with 'infer': the reference data (.csv, .parquet, or a Delta table folder)",
    )
    schema.set_defaults(handler=_schema)


def _add_serve(subparsers: argparse._SubParsersAction) -> None:
    from mlgate.integrations.webhooks import command

    serve = subparsers.add_parser(
        "serve",
        help="gate every new registry version: receive MLflow webhooks",
        epilog=command.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Receive MLflow 3 registry webhooks (POST /webhooks/mlflow), verify their "
        "signature, and run 'mlgate run --model models:/NAME/N' for each new version, one at a "
        "time per model, from a queue kept on disk. GET /healthz answers while it runs.",
    )
    command.add_arguments(serve)
    serve.set_defaults(handler=command.run)


def _add_init(subparsers: argparse._SubParsersAction) -> None:
    from mlgate.init import command

    command.register(subparsers)


def _add_history(subparsers: argparse._SubParsersAction) -> None:
    from mlgate.history import command

    command.register(subparsers)


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    parser = argparse.ArgumentParser(
        prog="mlgate",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Validate a machine-learning model against a gate file before it ships.",
    )
    parser.add_argument("--version", action="version", version=f"mlgate {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_run,
        _add_promote,
        _add_status,
        _add_checks,
        _add_demo,
        _add_report,
        _add_schema,
        _add_serve,
        _add_init,
        _add_history,
    ):
        add(subparsers)
    return parser


def _run(args: argparse.Namespace) -> int:
    """``mlgate run``: the pipeline with the arguments given, reported to the CI system in use."""
    from pathlib import Path

    from mlgate.integrations.ci import StepOutcome, open_reporter, step_exit_code
    from mlgate.pipeline import GateOptions, run_pipeline
    from mlgate.reporting import parse_formats

    ci = open_reporter(args.ci)
    try:
        options = GateOptions(
            config=args.config,
            model=args.model,
            engine=args.engine,
            spark_remote=args.spark_remote,
            report_dir=args.report_dir,
            formats=parse_formats(args.report) if args.report is not None else None,
            promote=not args.no_promote,
            fail_on=args.fail_on,
            quiet=args.quiet,
            show_progress=True,
        )
        outcome = run_pipeline(options, ci)
    except Exception as failure:
        exit_code = failure.exit_code if isinstance(failure, MlgateError) else EXIT_INFRASTRUCTURE
        report_dir = Path(args.report_dir) if args.report_dir else None
        ci.gate_error(redacted(str(failure)), report_dir, exit_code)
        raise
    if outcome.registry_error:
        print_error(outcome.registry_error)
    step_code = step_exit_code(outcome.exit_code, outcome.result, args.fail_on)
    return ci.finish(
        StepOutcome(
            outcome.result,
            outcome.report_dir,
            outcome.exit_code,
            step_code,
            outcome.registry_error,
        )
    )


def _promote(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlgate.integrations.release import parse_duration, promote_from_report

    max_age = parse_duration(args.max_age) if args.max_age else None
    decision = promote_from_report(Path(args.report), max_age, args.tracking_uri)
    if decision.exit_code == EXIT_PASSED:
        print(f"registry: {decision.message}")
    else:
        print_error(decision.message)
    return decision.exit_code


def _status(args: argparse.Namespace) -> int:
    from mlgate.integrations.release import gate_status

    decision, lines = gate_status(args.uri, args.tracking_uri)
    print("\n".join([decision.message, *lines]))
    return decision.exit_code


def _checks(args: argparse.Namespace) -> int:
    from mlgate.catalog import render_catalog

    print(render_catalog(args.task))
    return EXIT_PASSED


def _demo(args: argparse.Namespace) -> int:
    from mlgate.demo import run_demo

    return run_demo(args.dir)


def _report_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlgate.reporting import parse_formats, read_report, write_reports

    formats = parse_formats(args.format, "--format")
    path = Path(args.json_report)
    report = read_report(path)
    written = write_reports(report, args.out or path.parent, path.name, formats)
    print("reports: " + ", ".join(written.values()))
    return EXIT_PASSED


def _schema(args: argparse.Namespace) -> int:
    from importlib import resources

    if args.which == "infer" or args.file is not None:
        return _infer_schema(args)
    name = f"{args.which}.schema.json"
    sys.stdout.write(resources.files("mlgate.schemas").joinpath(name).read_text("utf-8"))
    return EXIT_PASSED


def _infer_schema(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlgate.errors import InputError
    from mlgate.schema_infer import infer_schema_text

    if args.which != "infer" or args.file is None:
        raise InputError(MSG_INFER_USAGE)
    sys.stdout.write(infer_schema_text(Path(args.file)))
    return EXIT_PASSED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mlgate`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    return guarded(lambda: handler(args), debug=args.debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
