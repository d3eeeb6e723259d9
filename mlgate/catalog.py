"""The catalog behind ``mlgate checks``: every family and built-in metric, one line each."""

from __future__ import annotations

from mlgate.metrics import TASKS, definitions

DIRECTION = {True: "higher is better", False: "lower is better", None: "descriptive"}


def render_catalog(task: str | None = None) -> str:
    """Plain text listing check families, then metrics per task with their direction."""
    from mlgate.checks import families

    lines = ["check families (keys under 'checks' in the gate file):"]
    width = max(12, *(len(name) for name in families()))
    for family in families().values():
        lines.append(f"  {family.name:<{width}} {family.description}")
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
    lines.append("")
    lines.append("custom metrics: declare under 'metrics' as name: {function: 'module:function'}")
    return "\n".join(lines)
