"""The ``mlgate init`` subcommand: its arguments and handler (argparse only at import).

Weak slices of an existing gate are printed by ``mlgate init --only slices -c mlgate.yaml``
rather than by a separate ``mlgate slices find``: the search needs exactly what init already
takes (model, data, target, sensitive columns) and runs the same measurement, so one command
with one set of flags is less to learn than two that must stay in step. With ``--only slices``
nothing is written; the block goes to stdout to paste under ``checks:``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlgate.errors import EXIT_PASSED, InputError

EPILOG = """exit codes: 0 written (or printed), 2 invalid usage or input (existing --out without
--force, no target column, a model that cannot predict on the data, a missing sensitive column,
reference data sharing no column), 3 infrastructure error"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``init`` to the ``mlgate`` command."""
    parser = subparsers.add_parser(
        "init",
        help="write a gate file from measurements (thresholds explained)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Evaluate the model once and write a commented gate file: performance "
        "thresholds from bootstrap intervals, a comparison with --baseline, a data schema and "
        "drift checks from --reference, fairness over --sensitive columns, and the weak slices "
        "found. 'mlgate run' passes it on the same data.",
    )
    parser.add_argument("--model", metavar="MODEL", help="the model under test (path or URI)")
    parser.add_argument("--data", metavar="PATH", help="evaluation data (.csv, .parquet)")
    parser.add_argument("--target", metavar="COLUMN", help="the label column of --data")
    parser.add_argument("--baseline", metavar="MODEL", help="the champion to compare with")
    parser.add_argument(
        "--reference", metavar="PATH", help="reference data (training set): schema and drift"
    )
    parser.add_argument(
        "--sensitive", nargs="+", default=[], metavar="COLUMN", help="columns to check fairness by"
    )
    parser.add_argument(
        "--out", default="mlgate.yaml", metavar="PATH", help="gate file (default: mlgate.yaml)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing --out")
    parser.add_argument("--seed", type=int, default=0, help="seed of resamples and samples")
    parser.add_argument(
        "--min-slice-size", type=int, default=30, metavar="ROWS", help="smallest slice (30)"
    )
    parser.add_argument(
        "--only",
        choices=("slices",),
        help="'slices': print the weak slices as a checks.slices block, write nothing",
    )
    parser.add_argument(
        "-c", "--config", metavar="PATH", help="with --only slices: the existing gate to search"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the gate file, or print the weak slices; return the exit code."""
    from mlgate.init import MSG_INIT_USAGE, InitOptions, find_slices, write_gate

    given = args.model and args.data and args.target
    options = None
    if given:
        options = InitOptions(
            model=args.model,
            data=args.data,
            target=args.target,
            out=Path(args.out),
            baseline=args.baseline,
            reference=args.reference,
            sensitive=tuple(args.sensitive),
            force=args.force,
            seed=args.seed,
            min_slice_size=args.min_slice_size,
        )
    if args.only == "slices":
        print(find_slices(args.config, options, args.min_slice_size), end="")
        return EXIT_PASSED
    if options is None:
        raise InputError(MSG_INIT_USAGE)
    print("\n".join(write_gate(options)))
    return EXIT_PASSED
