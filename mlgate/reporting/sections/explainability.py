"""Explainability section: global SHAP importance (mean |SHAP| per feature) as bars and a table.

Everything comes from the ``details`` of ``explainability.importance``: the importance in ranking
order, each feature's share, the algorithm and the rows explained. The Markdown summary adds
nothing: the check's message already names the top features.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlgate.reporting import _family_plots
from mlgate.reporting._view import value_text
from mlgate.reporting.sections import Figure, Section, Table, drop_detail_keys, section_builder

MAX_BARS = 20
MSG_AGREEMENT = (
    "approximate attributions agree with exact TreeSHAP on {rows} rows: Spearman {spearman}, "
    "top-{top_k} overlap {overlap}"
)


@section_builder("explainability")
def explainability_section(section: Section, report: Mapping[str, Any]) -> None:
    """Importance bars (top features), their table, and the top few in the Markdown summary."""
    check = next((c for c in section.checks if (c.get("details") or {}).get("importance")), None)
    if check is None:
        return
    details = check["details"]
    importance: Mapping[str, Any] = details["importance"]
    share: Mapping[str, Any] = details.get("share") or {}
    ranking = [str(f) for f in details.get("ranking") or list(importance)]
    top = ranking[:MAX_BARS]
    sample = details.get("sample") or {}
    how = (
        f"{details.get('algorithm')} ({details.get('explainer')}, {details.get('model_type')}) on "
        f"{value_text(sample.get('rows'))} of {value_text(sample.get('of'))} rows, seed "
        f"{value_text(sample.get('seed'))}; explains {details.get('output')}"
    )
    if details.get("feature_space") == "transformed":
        how += "; features are the pipeline's transformed columns"
    shown = f"top {len(top)} of {len(ranking)} features" if len(ranking) > len(top) else ""
    section.notes.append(how)
    section.notes.extend(str(note) for note in details.get("notes") or [])
    agreement = details.get("agreement")
    if agreement:
        section.notes.append(
            MSG_AGREEMENT.format(
                rows=value_text(agreement.get("rows")),
                spearman=value_text(agreement.get("spearman")),
                top_k=value_text(agreement.get("top_k")),
                overlap=value_text(agreement.get("top_k_overlap")),
            )
        )

    def draw() -> str:
        return _family_plots.bars(top, [importance[f] for f in top], xlabel="mean |SHAP|")

    section.figures.append(Figure("Mean |SHAP| per feature", draw, shown or "all features"))
    rows = [
        [str(rank), feature, value_text(importance.get(feature)), _percent(share.get(feature))]
        for rank, feature in enumerate(top, start=1)
    ]
    headers = ["rank", "feature", "mean |SHAP|", "share"]
    title = "Feature importance" + (f" ({shown})" if shown else "")
    section.tables.append(Table(title, headers, rows))
    drop_detail_keys(section, {"importance", "share", "ranking"})


def _percent(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else ""
