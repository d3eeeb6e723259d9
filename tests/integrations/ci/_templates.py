"""Paths of the CI files and helpers that read or run pieces of them."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
ACTION_DIR = ROOT / "github-actions"
EXAMPLES = sorted((ACTION_DIR / "examples").glob("*.yml"))
README_WORKFLOW = ACTION_DIR / "examples" / "model-gate.yml"
AZURE_TEMPLATE = ROOT / "azure-pipelines" / "templates" / "mlgate-step.yml"
AZURE_EXAMPLES = sorted((ROOT / "azure-pipelines" / "examples").glob("*.yml"))
README_PIPELINE = ROOT / "azure-pipelines" / "examples" / "azure-pipelines.yml"
RELEASE_GATE_CHECK = ROOT / "azure-pipelines" / "release-gate" / "check.json"


def azure_step(name: str, parameters: dict[str, object]) -> tuple[str, dict[str, str]]:
    """A template step's script and env, ``${{ parameters.x }}`` expanded as Azure renders them
    (a boolean as ``True``/``False``)."""
    document = yaml.safe_load(AZURE_TEMPLATE.read_text())
    values = {p["name"]: p.get("default", "") for p in document["parameters"]}
    values.update(parameters)

    def value(match: re.Match[str]) -> str:
        given = values[match.group(1)]
        return str(given).capitalize() if isinstance(given, bool) else str(given)

    def expand(text: str) -> str:
        return re.sub(r"\$\{\{\s*parameters\.(\w+)\s*\}\}", value, text)

    for step in document["steps"]:
        if step.get("displayName") == name:
            return step["bash"], {k: expand(str(v)) for k, v in step.get("env", {}).items()}
    raise AssertionError(f"no step {name!r} in {AZURE_TEMPLATE}")


def command_shims(folder: Path, *names: str) -> Path:
    """Commands for the front of PATH that record their arguments and exit 0.

    Only for the install steps: neither pip nor uv can reach an index from the tests, and
    installing the action's checkout would rebuild mlgate; what those steps own is the command
    lines they build. Each call appends ``[name, *argv]`` as one JSON line to the returned file.
    """
    folder.mkdir()
    record = folder / "calls.jsonl"
    for name in names:
        shim = folder / name
        shim.write_text(
            f"#!{sys.executable}\nimport json, sys\n"
            f"with open({str(record)!r}, 'a') as calls:\n"
            f"    calls.write(json.dumps([{name!r}, *sys.argv[1:]]) + '\\n')\n"
        )
        shim.chmod(0o755)
    return record


def recorded_calls(record: Path) -> list[list[str]]:
    """The calls the shims of :func:`command_shims` recorded, in order."""
    if not record.is_file():
        return []
    return [json.loads(line) for line in record.read_text().splitlines()]
