"""The documentation's sources and its built site, for the docs tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)
YAML_BLOCK = re.compile(r"^```yaml[^\n]*\n(?P<body>.*?)^```$", re.M | re.S)
GATE_KEYS = set(
    json.loads((ROOT / "mlgate/schemas/gate.schema.json").read_text("utf-8"))["properties"]
)
AZURE_KEYS = {"steps", "stages", "jobs", "trigger", "pool", "resources", "variables"}


def yaml_blocks() -> Iterator[tuple[str, str, object]]:
    """(where, text, document) of every YAML block in the docs and the README."""
    for path in [*PAGES, ROOT / "README.md"]:
        text = path.read_text("utf-8")
        for match in YAML_BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            yield where, match.group("body"), yaml.safe_load(match.group("body"))


def kind(document: object) -> str:
    """``gate`` (a whole gate file or a piece of one), ``github`` or ``azure``."""
    if not isinstance(document, dict):
        return "other"
    keys = {str(k) for k in document}
    if keys <= GATE_KEYS:
        return "gate"
    if "jobs" in keys and ("on" in keys or "True" in keys):  # YAML 1.1 reads `on` as True
        return "github"
    if keys & AZURE_KEYS:
        return "azure"
    return "other"


def build_site(target: Path) -> Path:
    """``mkdocs build --strict`` into ``target``; raises with mkdocs' output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if done.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}")
    return target


def site(tmp_factory) -> Path:
    """The site `.ci/run` built (``MLGATE_DOCS_SITE``), or a fresh build of this checkout."""
    built = os.environ.get("MLGATE_DOCS_SITE")
    if built and (Path(built) / "index.html").is_file():
        return Path(built)
    return build_site(tmp_factory.mktemp("site"))
