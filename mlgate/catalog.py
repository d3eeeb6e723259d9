"""The catalog behind ``mlgate checks``: every family and built-in metric, one line each."""

from __future__ import annotations

from mlgate.metrics import METRIC_ALIASES, TASKS, definitions

METRIC_FAMILIES = ("performance", "comparison")  # their keys are the metrics listed below
MSG_ALIASES = "short names, read as the full name (reports show the full name): {aliases}"
DIRECTION = {True: "higher is better", False: "lower is better", None: "descriptive"}


def render_catalog(task: str | None = None) -> str:
    """Plain text listing check families, then metrics per task with their direction."""
    from mlgate.checks import families

    lines = ["check families (keys under 'checks' in the gate file):"]
    width = max(12, *(len(name) for name in families()))
    for family in families().values():
        lines.append(f"  {family.name:<{width}} {family.description}")
    for name, keys in _family_keys().items():
        lines.append("")
        lines.append(f"checks.{name} keys:")
        lines.extend(f"  {key:<32} {description}" for key, description in keys)
    for each in (task,) if task else TASKS:
        lines.append("")
        lines.append(
            f"{each} metrics (use as checks.performance.<name> / checks.comparison.<name>):"
        )
        for name, definition in definitions(each).items():
            lines.append(
                f"  {name:<32} {DIRECTION[definition.greater_is_better]:<17} "
                f"{definition.description}"
            )
        if each != "regression":
            lines.append(
                f"  {'precision_score[<class>]':<32} {DIRECTION[True]:<17} "
                "Per-class precision; also recall_score[<class>], f1_score[<class>]."
            )
    if task in (None, "binary"):
        lines.extend(_fairness_lines())
    lines.append("")
    lines.append(
        MSG_ALIASES.format(aliases=", ".join(f"{a} = {n}" for a, n in METRIC_ALIASES.items()))
    )
    lines.append("")
    lines.append("custom metrics: declare under 'metrics' as name: {function: 'module:function'}")
    return "\n".join(lines)


def _fairness_lines() -> list[str]:
    """Disparity metrics of checks.fairness (binary); any metric above also works per group."""
    from mlgate.checks._disparity import DISPARITY_DESCRIPTIONS

    lines = [
        "",
        "fairness metrics, binary (checks.fairness.<name>; any metric above per group under "
        "checks.fairness.group):",
    ]
    for name, description in DISPARITY_DESCRIPTIONS.items():
        lines.append(f"  {name:<32} {description}")
    return lines


def _family_keys() -> dict[str, list[tuple[str, str]]]:
    """Each family's gate-file keys with their whole schema descriptions (metric families excepted).

    A ``$ref`` (``severity`` and the like) is followed to its definition's description. The whole
    description is shown: cutting at the first ". " broke ``(e.g. a&b)`` mid-sentence.
    """
    import json
    from importlib import resources

    text = resources.files("mlgate.schemas").joinpath("gate.schema.json").read_text("utf-8")
    schema = json.loads(text)
    sections = schema["properties"]["checks"]["properties"]
    return {
        name: [
            (key, _description(node, schema)) for key, node in section.get("properties", {}).items()
        ]
        for name, section in sections.items()
        if name not in METRIC_FAMILIES and section.get("properties")
    }


def _description(node: dict, schema: dict) -> str:
    """The node's description, or the one of the definition its ``$ref`` points to."""
    if "description" not in node and str(node.get("$ref", "")).startswith("#/"):
        target = schema
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {})
        node = target
    return str(node.get("description", ""))
