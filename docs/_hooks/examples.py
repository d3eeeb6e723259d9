"""MkDocs hook: pages marked ``<!-- docs:run -->`` are run at build time, outputs included.

In such a page, every fenced block titled ``title="<file>"`` is written to that file in a fresh
folder, and every ``console`` block's ``$ command`` lines are run there in order with bash; what
each command prints is written under it. A command annotated ``# exit N`` must exit with N, and
any other must exit 0, or the build fails: the page shows only what the code prints today.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

MARKER = "<!-- docs:run -->"
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
TITLE = re.compile(r'title="([^"]+)"')
EXPECTED_EXIT = re.compile(r"#\s*exit (\d+)")
TIMEOUT_SECONDS = 120


class ExampleError(RuntimeError):
    """A documented command did not behave as its page says."""


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    return run_page(markdown, page.file.src_uri)


def run_page(markdown: str, name: str) -> str:
    """``markdown`` with its files written, its commands run and their outputs shown."""
    with tempfile.TemporaryDirectory(prefix="mlgate-docs-") as folder:
        work = Path(folder)

        def block(match: re.Match[str]) -> str:
            info, body = match.group("info"), match.group("body")
            title = TITLE.search(info)
            if title:
                (work / title.group(1)).write_text(body, encoding="utf-8")
                return match.group(0)
            if info.strip() != "console":
                return match.group(0)
            shown = []
            for line in body.splitlines():
                if not line.startswith("$ "):
                    raise ExampleError(f"{name}: a console block holds only '$ command' lines")
                shown.append(line)
                output = run(line[2:], work, name)
                shown.extend(output.splitlines())
            return "```console\n" + "\n".join(shown) + "\n```"

        return FENCE.sub(block, markdown)


def run(command: str, work: Path, name: str) -> str:
    expected = EXPECTED_EXIT.search(command)
    code = int(expected.group(1)) if expected else 0
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env=_environment(),
    )
    output = (done.stdout + done.stderr).replace(f"{work}/", "").replace(str(work), ".")
    if done.returncode != code:
        raise ExampleError(
            f"{name}: '{command}' exited {done.returncode}, the page says {code}:\n{output}"
        )
    return output.rstrip()


def _environment() -> dict[str, str]:
    """The build's environment without colour or CI detection, as a reader's terminal would
    print to a file."""
    import os

    drop = ("GITHUB_ACTIONS", "TF_BUILD", "CI", "BUILD_BUILDID")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["NO_COLOR"] = "1"
    return env
