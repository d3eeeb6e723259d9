"""MkDocs hook: the reference pages, generated from the code at every build.

The gate-file keys come from the shipped JSON Schema, the families and metrics from the catalog
behind ``mlgate checks``, the commands from the argument parser, the report fields from the
report schema, the exit codes from ``mlgate.errors``, and the environment variables from the
source itself (every ``os.environ``/``environ.get`` read, described in ``environment.yml``).
A generator that fails raises, so ``mkdocs build`` fails instead of publishing a stale page.
"""

from __future__ import annotations

import argparse
import ast
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from mkdocs.structure.files import File, Files

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parents[1] / "mlgate"
PAGES = {
    "reference/gate-file.md": lambda: gate_file_page(),
    "reference/checks.md": lambda: checks_page(),
    "reference/cli.md": lambda: cli_page(),
    "reference/report.md": lambda: report_page(),
    "reference/exit-codes.md": lambda: exit_codes_page(),
    "reference/environment.md": lambda: environment_page(),
}


def on_files(files: Files, config: Any) -> Files:
    for uri, generate in PAGES.items():
        files.append(File.generated(config, uri, content=generate()))
    return files


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def schema(name: str) -> dict:
    return json.loads(resources.files("mlgate.schemas").joinpath(name).read_text("utf-8"))


def resolve(node: dict, root: dict) -> dict:
    """``node`` with a local ``$ref`` followed (its own keys win)."""
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    return {**resolve(target, root), **{k: v for k, v in node.items() if k != "$ref"}}


def type_of(node: dict, root: dict) -> str:
    node = resolve(node, root)
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    if "type" in node:
        kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if "array" in kinds and isinstance(node.get("items"), dict):
            inner = type_of(node["items"], root)
            kinds = [f"array of {inner}" if k == "array" else k for k in kinds]
        return " \\| ".join(kinds)
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(type_of(option, root) for option in node[key])
    return "any"


def walk(node: dict, root: dict, path: str, rows: list[tuple[str, dict]], depth: int = 0) -> None:
    """Every documented key below ``node`` as (dotted path, node), depth first."""
    node = resolve(node, root)
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        rows.append((child_path, child))
        if depth < 6:
            walk(child, root, child_path, rows, depth + 1)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and (extra.get("properties") or extra.get("$ref")):
        rows.append((f"{path}.<name>", extra))
        if depth < 6:
            walk(extra, root, f"{path}.<name>", rows, depth + 1)


def key_table(root: dict, rows: list[tuple[str, dict]]) -> list[str]:
    lines = ["| key | type | default | description |", "|---|---|---|---|"]
    for path, node in rows:
        full = resolve(node, root)
        default = f"`{json.dumps(full['default'])}`" if "default" in full else ""
        description = full.get("description", "")
        if "examples" in full:
            description += " Example: " + ", ".join(f"`{json.dumps(e)}`" for e in full["examples"])
        lines.append(
            f"| `{cell(path)}` | {cell(type_of(node, root))} | {cell(default)} "
            f"| {cell(description)} |"
        )
    return lines


def gate_file_page() -> str:
    root = schema("gate.schema.json")
    rows: list[tuple[str, dict]] = []
    walk(root, root, "", rows)
    required = ", ".join(f"`{k}`" for k in root.get("required", [])) or "none"
    return "\n".join(
        [
            "# Gate-file reference",
            "",
            "Generated from the JSON Schema mlgate validates every gate file against "
            "(`mlgate schema gate` prints it). Unknown keys are refused with the closest name.",
            "",
            f"{root.get('description', '')}",
            "",
            f"Required at the top level: {required}.",
            "",
            *key_table(root, rows),
            "",
        ]
    )


def checks_page() -> str:
    from mlgate.catalog import DIRECTION, _family_keys
    from mlgate.checks import families
    from mlgate.checks._disparity import DISPARITY_DESCRIPTIONS
    from mlgate.metrics import METRIC_ALIASES, TASKS, definitions

    lines = [
        "# Check families and metrics",
        "",
        "Generated from the catalog behind `mlgate checks`.",
        "",
        "## Families",
        "",
        "| family (`checks.<name>`) | what it checks |",
        "|---|---|",
    ]
    lines += [f"| `{f.name}` | {cell(f.description)} |" for f in families().values()]
    for name, keys in _family_keys().items():
        lines += ["", f"### `checks.{name}`", "", "| key | description |", "|---|---|"]
        lines += [f"| `{cell(key)}` | {cell(text)} |" for key, text in keys]
    for task in TASKS:
        lines += [
            "",
            f"## {task.capitalize()} metrics",
            "",
            "Use as `checks.performance.<name>` or `checks.comparison.<name>`.",
            "",
            "| metric | direction | definition |",
            "|---|---|---|",
        ]
        for metric, definition in definitions(task).items():
            direction = DIRECTION[definition.greater_is_better]
            lines.append(f"| `{metric}` | {direction} | {cell(definition.description)} |")
    lines += ["", "## Fairness disparities (binary)", "", "| name | definition |", "|---|---|"]
    lines += [f"| `{n}` | {cell(d)} |" for n, d in DISPARITY_DESCRIPTIONS.items()]
    lines += ["", "## Short names", "", "| short name | reads as |", "|---|---|"]
    lines += [f"| `{a}` | `{n}` |" for a, n in METRIC_ALIASES.items()]
    return "\n".join(lines) + "\n"


def cli_page() -> str:
    from mlgate.cli import build_parser

    parser = build_parser()
    lines = ["# Command-line reference", "", "Generated from mlgate's argument parser.", ""]
    lines += command_section(parser, "mlgate", 2)
    return "\n".join(lines)


def command_section(parser: argparse.ArgumentParser, name: str, level: int) -> list[str]:
    lines = [f"{'#' * level} `{name}`", ""]
    if parser.description:
        lines += [parser.description, ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    rows = []
    subcommands: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            subcommands += list(action.choices.items())
            continue
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        names = ", ".join(action.option_strings) or action.dest
        default = action.default
        shown = "" if default in (None, False, argparse.SUPPRESS) else f"`{default}`"
        rows.append(f"| `{cell(names)}` | {cell(action.help or '')} | {cell(shown)} |")
    if rows:
        lines += ["| argument | meaning | default |", "|---|---|---|", *rows, ""]
    for sub_name, sub in subcommands:
        lines += command_section(sub, f"{name} {sub_name}", min(level + 1, 4))
    return lines


def report_page() -> str:
    root = schema("report.schema.json")
    rows: list[tuple[str, dict]] = []
    walk(root, root, "", rows)
    return "\n".join(
        [
            "# JSON report reference",
            "",
            "Generated from the JSON Schema of `mlgate-report.json` (`mlgate schema report`). "
            "Fields are added, never renamed or removed, within a major version.",
            "",
            *key_table(root, rows),
            "",
        ]
    )


def exit_codes_page() -> str:
    from mlgate import errors

    codes = {v: k for k, v in vars(errors).items() if k.startswith("EXIT_") and isinstance(v, int)}
    raised: dict[int, list[str]] = {}
    for value in vars(errors).values():
        if (
            isinstance(value, type)
            and issubclass(value, errors.MlgateError)
            and value is not errors.MlgateError
        ):
            doc = (value.__doc__ or "").strip().splitlines()[0]
            raised.setdefault(value.exit_code, []).append(f"`{value.__name__}`: {doc}")
    meaning = {
        "EXIT_PASSED": "the gate passed (or the command succeeded)",
        "EXIT_FAILED": "the gate ran and a check failed (or errored)",
        "EXIT_USAGE": "invalid input: the gate file, a model, data or an option; the one-line "
        "message names the key or file and how to fix it",
        "EXIT_INFRASTRUCTURE": "infrastructure: a registry, store or dependency could not be "
        "reached or is missing; nothing was tagged passed or promoted",
    }
    lines = [
        "# Exit codes",
        "",
        "Generated from `mlgate.errors`. Every command exits with one of these; a pipeline "
        "step gates on them. An error anywhere means the gate did not pass.",
        "",
        "| code | name | meaning | raised as |",
        "|---|---|---|---|",
    ]
    for code in sorted(codes):
        name = codes[code]
        raised_as = cell("; ".join(raised.get(code, [])))
        lines.append(f"| {code} | `{name}` | {cell(meaning[name])} | {raised_as} |")
    return "\n".join(lines) + "\n"


def environment_reads() -> set[str]:
    """Names of environment variables the package's source reads, found with ``ast``."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = ast.unparse(node.func.value)
                if node.func.attr in ("get", "pop", "setdefault") and "environ" in owner:
                    found |= literal_names(node.args[:1])
                if node.func.attr == "getenv":
                    found |= literal_names(node.args[:1])
            if isinstance(node, ast.Call) and any(
                isinstance(arg, ast.Name) and "environ" in arg.id for arg in node.args
            ):  # a helper given the environment and a variable's name
                found |= literal_names(node.args[1:2])
            if isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value):
                found |= literal_names([node.slice])
            if isinstance(node, ast.Assign):
                targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(t.endswith(("_VARIABLES", "_VARIABLE", "_ENV")) for t in targets):
                    found |= literal_names([node.value])
    return found


def literal_names(nodes: list[ast.expr]) -> set[str]:
    names = set()
    for node in nodes:
        for leaf in ast.walk(node):
            is_text = isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)
            if is_text and leaf.value.replace("_", "").isupper():
                names.add(leaf.value)
    return names


def environment_page(descriptions: Path = HERE / "environment.yml") -> str:
    described = yaml.safe_load(descriptions.read_text("utf-8"))
    read = environment_reads()
    missing = sorted(read - set(described))
    stale = sorted(set(described) - read)
    if missing or stale:
        raise RuntimeError(
            f"docs/_hooks/environment.yml is out of date: describe {missing}, remove {stale}"
        )
    lines = [
        "# Environment variables",
        "",
        "Generated from the source: every variable mlgate reads, with what it does "
        "(descriptions in `docs/_hooks/environment.yml`; the build fails when one is missing).",
        "",
        "| variable | what mlgate does with it |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {cell(described[name])} |" for name in sorted(described)]
    return "\n".join(lines) + "\n"
