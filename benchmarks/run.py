"""Run every benchmark (``benchmarks/bench_*.py``) and write ``benchmarks/RESULTS.md``.

Each script runs in its own process (``python benchmarks/bench_<topic>.py [--smoke]``) and prints
a Markdown table; this runner puts them under one description of the machine (CPU, cores, RAM,
load, Python and library versions) and the date. ``--smoke`` runs the tiny sizes (CI uses it so
the scripts never rot) and writes to a temporary file unless ``--output`` is given, so the
committed full results are not overwritten. Exit status: 1 when any script failed.

    python benchmarks/run.py            # full sizes, minutes to an hour: writes RESULTS.md
    python benchmarks/run.py --smoke    # tiny sizes, well under two minutes
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARIES = ("mlgate", "numpy", "pandas", "scipy", "scikit-learn", "mlflow", "pyarrow")


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory_gib() -> str:
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return "unknown"


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> list[str]:
    """Markdown bullet lines describing where the figures come from."""
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    libraries = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores; RAM {memory_gib()}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
        f"- Libraries: {libraries}",
        f"- Load average when starting: {load}",
    ]


def run_script(script: Path, smoke: bool) -> tuple[int, float, str]:
    """Exit code, wall seconds and standard output (or the error) of one benchmark."""
    command = [sys.executable, str(script), *(["--smoke"] if smoke else [])]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    output = done.stdout.strip()
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        output += f"\n\n```text\n{tail}\n```"
    return done.returncode, seconds, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (for CI)")
    parser.add_argument("--output", type=Path, help="where to write (default: RESULTS.md)")
    parser.add_argument("--only", nargs="*", default=None, help="topics to run, e.g. statistics")
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    output = args.output
    if output is None:
        output = (
            Path(tempfile.gettempdir()) / "mlgate-RESULTS-smoke.md"
            if args.smoke
            else HERE / "RESULTS.md"
        )
    size = "smoke sizes (--smoke)" if args.smoke else "full sizes"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmark results", "", f"{date}, {size}, `python benchmarks/run.py`", ""]
    lines += machine()
    failed = []
    for script in scripts:
        print(f"running {script.name} ...", flush=True)
        code, seconds, text = run_script(script, args.smoke)
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"  {status} in {seconds:.1f} s", flush=True)
        if code != 0:
            failed.append(script.name)
        lines += ["", f"## {script.stem.removeprefix('bench_')}", ""]
        lines += [f"`python benchmarks/{script.name}`: {status}, {seconds:.1f} s wall", "", text]
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
