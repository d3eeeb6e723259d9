"""Paths of the CI files and helpers that read or run pieces of them."""

from __future__ import annotations

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


def python_shim(folder: Path) -> Path:
    """A ``python`` for the front of PATH that records its arguments and exits 0.

    Only for the install steps: pip cannot reach an index from the tests, and installing the
    action's checkout would rebuild mlgate; what those steps own is the command line they build.
    """
    folder.mkdir()
    record = folder / "argv.json"
    shim = folder / "python"
    shim.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
    )
    shim.chmod(0o755)
    return record
