"""``mlgate init``: write a gate file from measurements, and explain every number in it.

One evaluation through the engine (:mod:`mlgate.init._probe`) measures the model: bootstrap
intervals of every built-in metric, the paired difference with the baseline, SHAP importance,
group disparities, and weak slices (:mod:`mlgate.init._slices`). Each threshold is then set at
the safe edge of what was measured (:mod:`mlgate.init._thresholds`) and written with a comment
saying what was measured and why that number (:mod:`mlgate.init._writer`). Before anything is
written, the data, drift, fairness and slice sections run on the same evaluation: a check that
would fail on the very data it came from is written as a warning, with the reason.

Public API: :class:`InitOptions`, :func:`write_gate`, :func:`slices_text`.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlgate.checks._format import fmt
from mlgate.errors import InputError
from mlgate.init._thresholds import Entry

if TYPE_CHECKING:
    from mlgate.context import EvaluationContext
    from mlgate.init._probe import Measured
    from mlgate.init._slices import Discovery
    from mlgate.result import CheckResult

__all__ = ["InitOptions", "find_slices", "slices_text", "write_gate"]

MSG_EXISTS = "--out: {path} already exists; pass --force to overwrite it, or choose another --out"
MSG_SLICES_USAGE = (
    "init --only slices: give the gate to search (-c mlgate.yaml), or --model, --data and --target"
)
MSG_INIT_USAGE = "init: --model, --data and --target are required (or --only slices -c GATE)"
MSG_WROTE = (
    "wrote {gate} ({families} check families) and {schema}; check it with: mlgate run -c {gate}"
)

KEY_METRICS = {
    "binary": ("roc_auc", "accuracy_score", "f1_score", "log_loss"),
    "multiclass": ("accuracy_score", "f1_score", "log_loss"),
    "regression": ("r2_score", "root_mean_squared_error", "mean_absolute_error"),
}
PRIMARY_METRICS = {
    "binary": ("roc_auc", "accuracy_score"),
    "multiclass": ("accuracy_score",),
    "regression": ("root_mean_squared_error",),
}
GROUP_METRIC = {
    "binary": "accuracy_score",
    "multiclass": "accuracy_score",
    "regression": "mean_absolute_error",
}
DISPARITY = "demographic_parity_ratio"
DRIFT_TOP = 5
RESAMPLES = 1000
CONFIDENCE = 0.95
SCHEMA_SUFFIX = ".schema.yaml"


@dataclass(frozen=True)
class InitOptions:
    """What ``mlgate init`` was asked for (the command-line flags)."""

    model: str
    data: str
    target: str
    out: Path = Path("mlgate.yaml")
    baseline: str | None = None
    reference: str | None = None
    sensitive: tuple[str, ...] = ()
    force: bool = False
    seed: int = 0
    min_slice_size: int = 30


@dataclass
class _Plan:
    """The gate being written: top-level values, and per family its entries with comments."""

    top: list[Entry] = field(default_factory=list)
    sections: dict[str, list[Entry]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # comment above a section

    def document(self) -> dict[str, Any]:
        """The gate as a mapping (what the YAML text parses to)."""
        doc: dict[str, Any] = {entry.key: entry.value for entry in self.top}
        checks: dict[str, Any] = {}
        for family, entries in self.sections.items():
            if family == "slices":
                checks[family] = [entry.value for entry in entries]
            elif family in ("data", "drift"):
                checks[family] = {e.key: e.value for e in entries}
            elif family == "fairness":
                section: dict[str, Any] = {}
                for entry in entries:
                    if entry.key.startswith("group."):
                        section.setdefault("group", {})[entry.key[6:]] = entry.value
                    else:
                        section[entry.key] = entry.value
                checks[family] = section
            else:
                checks[family] = {entry.key: entry.value for entry in entries}
        doc["checks"] = checks
        return doc


def _reference_text(reference: str, out_dir: Path) -> str:
    """A model or data reference as the gate file should hold it: URIs as given, local paths
    relative to the gate file's folder (the gate resolves them from there)."""
    if ":/" in reference or reference.startswith(("models:", "runs:")):
        return reference
    path = Path(reference).expanduser().resolve()
    try:
        return os.path.relpath(path, out_dir)
    except ValueError:  # another drive on Windows
        return str(path)


def _absolute(reference: str) -> str:
    if ":/" in reference or reference.startswith(("models:", "runs:")):
        return reference
    return str(Path(reference).expanduser().resolve())


def _probe_document(options: InitOptions) -> dict[str, Any]:
    probe: dict[str, Any] = {
        "model": _absolute(options.model),
        "target": options.target,
        "seed": options.seed,
        "data": {"eval": _absolute(options.data)},
        "statistics": {"bootstrap": RESAMPLES, "confidence": CONFIDENCE},
    }
    if options.reference:
        probe["data"]["reference"] = _absolute(options.reference)
    if options.baseline:
        probe["baseline"] = _absolute(options.baseline)
    if options.sensitive:
        probe["sensitive_features"] = list(options.sensitive)
    return probe


def write_gate(options: InitOptions) -> list[str]:
    """Measure the model and write the gate file and its data schema; return console lines.

    Raises
    ------
    mlgate.errors.InputError
        The output exists (without ``force``), or an input is unusable (exit 2).
    """
    from mlgate.checks._data_schema import infer_schema, schema_yaml
    from mlgate.init._probe import measure

    out = options.out.expanduser().resolve()
    schema_path = out.with_name(out.stem + SCHEMA_SUFFIX)
    for path in (out, schema_path):
        if path.exists() and not options.force:
            raise InputError(MSG_EXISTS.format(path=path))
    measured = measure(_probe_document(options), Path.cwd(), options.sensitive)
    context = measured.context
    reference = context.reference
    schema_source = reference if reference is not None else context.data
    schema_text = schema_yaml(
        infer_schema(schema_source.frame), schema_source.source, len(schema_source.frame)
    )
    plan = _Plan()
    _top(plan, options, out.parent, measured)
    _performance(plan, measured)
    if context.baseline is not None:
        _comparison(plan, measured)
    plan.sections["data"] = [
        Entry(
            "schema",
            schema_path.name,
            [
                "Columns, kinds, nullability, sanity ranges and categories inferred from "
                f"{schema_source.source} (as 'mlgate schema infer' does); review "
                f"{schema_path.name}."
            ],
        )
    ]
    if reference is not None:
        _drift(plan, measured, reference.frame)
    if options.sensitive:
        _fairness(plan, measured, options, out.parent)
    discovery = _discover(context, measured.ranking, options.sensitive, options.min_slice_size)
    _slice_section(plan, discovery)
    with tempfile.TemporaryDirectory() as folder:
        temporary = Path(folder) / schema_path.name
        temporary.write_text(schema_text, encoding="utf-8")
        _verify(plan, context, options, temporary, out)
    text = _render(plan, options, measured, discovery, context.data.source)
    schema_path.write_text(schema_text, encoding="utf-8")
    out.write_text(text, encoding="utf-8")
    return [
        MSG_WROTE.format(gate=options.out, families=len(plan.sections), schema=schema_path.name)
    ]


def _top(plan: _Plan, options: InitOptions, out_dir: Path, measured: Measured) -> None:
    context = measured.context
    features = ", ".join(context.features[:12]) + (
        f" (+{len(context.features) - 12} more)" if len(context.features) > 12 else ""
    )
    plan.top.append(Entry("model", _reference_text(options.model, out_dir)))
    if options.baseline:
        plan.top.append(
            Entry(
                "baseline",
                _reference_text(options.baseline, out_dir),
                ["The champion the model is compared with on the same rows."],
            )
        )
    data = {"eval": _reference_text(options.data, out_dir)}
    if options.reference:
        data["reference"] = _reference_text(options.reference, out_dir)
    plan.top.append(Entry("data", data))
    plan.top.append(Entry("target", options.target))
    plan.top.append(
        Entry(
            "task",
            context.task,
            [
                f"Inferred as 'mlgate run' does: {context.task_reason}.",
                f"Model inputs ({len(context.features)}): {features}.",
            ],
        )
    )
    if options.sensitive:
        plan.top.append(Entry("sensitive_features", list(options.sensitive)))
    plan.top.append(Entry("seed", options.seed, ["Seeds the bootstrap resamples and SHAP sample."]))
    plan.top.append(
        Entry(
            "statistics",
            {"bootstrap": RESAMPLES, "confidence": CONFIDENCE},
            ["Bootstrap intervals of every metric in the report (percentile, stratified)."],
        )
    )


def _direction(task: str, name: str) -> bool:
    from mlgate.metrics import definitions

    return definitions(task)[name].greater_is_better is not False


def _performance(plan: _Plan, measured: Measured) -> None:
    from mlgate.init._thresholds import performance_entry

    context, result = measured.context, measured.result
    entries = []
    for name in KEY_METRICS[context.task]:
        interval = result.intervals.get(name)
        value = result.metrics.get(name)
        if not interval or interval.get("lower") is None or not isinstance(value, float):
            continue
        entries.append(
            performance_entry(
                name,
                value,
                interval["lower"],
                interval["upper"],
                _direction(context.task, name),
                RESAMPLES,
                context.n_rows,
                CONFIDENCE,
            )
        )
    plan.sections["performance"] = entries


def _comparison(plan: _Plan, measured: Measured) -> None:
    from mlgate.init._thresholds import comparison_entry
    from mlgate.statistics import statistics_of
    from mlgate.statistics._bootstrap import paired_difference

    context = measured.context
    assert context.baseline is not None
    model_stats = statistics_of(context, context.model)
    base_stats = statistics_of(context, context.baseline)
    both = set(model_stats.metric_names()) & set(base_stats.metric_names())
    name = next((n for n in PRIMARY_METRICS[context.task] if n in both), None)
    if name is None:
        plan.notes["comparison"] = ["No metric could be compared with the baseline."]
        return
    greater = _direction(context.task, name)
    paired = paired_difference(
        model_stats,
        base_stats,
        name,
        resamples=RESAMPLES,
        confidence=CONFIDENCE,
        seed=context.spec.seed,
        greater_is_better=greater,
    )
    model_value = context.metrics_of(context.model).values[name]
    base_value = context.metrics_of(context.baseline).values[name]
    plan.sections["comparison"] = [
        comparison_entry(name, model_value, base_value, paired, greater, CONFIDENCE)
    ]


def _drift(plan: _Plan, measured: Measured, reference: Any) -> None:
    from mlgate.init._probe import SHAP_SAMPLE

    context = measured.context
    shared = [f for f in (measured.ranking or context.features) if f in reference.columns]
    columns = shared[:DRIFT_TOP]
    if not columns:
        plan.notes["drift"] = ["No model input is in the reference data: no drift check."]
        return
    why = (
        f"The {len(columns)} most important inputs by mean |SHAP| on {SHAP_SAMPLE} rows"
        if measured.ranking
        else f"The first {len(columns)} inputs (no SHAP ranking: {measured.importance_note})"
    )
    entries = [
        Entry(
            "columns",
            columns,
            [
                f"{why}: drift there moves predictions most. Tests chosen by type and size, "
                "false alarms held at 5% across columns (Holm)."
            ],
        ),
        Entry("prediction", True),
        Entry("label", context.spec.target in reference.columns),
    ]
    plan.sections["drift"] = entries


def _row_values(context: EvaluationContext, metric: str) -> Any:
    """Per-row values whose group mean is the fairness value (for its sampling margin)."""
    import numpy as np

    if metric == DISPARITY:
        return (context.model.y_pred == context.pos_label).astype(float)
    if metric == "mean_absolute_error":
        return np.abs(context.y_true - context.model.y_pred.astype(float))
    return (context.model.y_pred == context.y_true).astype(float)


def _margin(context: EvaluationContext, column_index: int, metric: str, min_size: int) -> float:
    """One-sided margin of a min/max group ratio, from the lowest and highest judged groups."""
    from mlgate.checks.fairness import groupings
    from mlgate.init._thresholds import ratio_margin

    grouping = groupings(context)[column_index]
    values = _row_values(context, metric)
    stats = []
    for code in range(grouping.n_groups):
        rows = grouping.rows(code)
        if len(rows) >= min_size:
            part = values[rows]
            stats.append((float(part.mean()), float(part.var(ddof=1)), len(rows)))
    if len(stats) < 2:
        return 0.0
    low, high = min(stats), max(stats)
    ratio = low[0] / high[0] if high[0] > 0 else 0.0
    return ratio_margin(low, high, ratio)


def _fairness(plan: _Plan, measured: Measured, options: InitOptions, out_dir: Path) -> None:
    from mlgate.checks._fairness_config import DEFAULT_MIN_GROUP_SIZE
    from mlgate.init._probe import run_families
    from mlgate.init._thresholds import ratio_entry

    context = measured.context
    metric = GROUP_METRIC[context.task]
    section: dict[str, Any] = {"group": {metric: {"min_ratio": 0.0}}}
    if context.task == "binary":
        section[DISPARITY] = {"min": 0.0}
    document = {**_probe_document(options), "task": context.task, "checks": {"fairness": section}}
    results = run_families(context, document, str(options.out), out_dir)
    entries = []
    for index, column in enumerate(options.sensitive):
        for name, key in ((DISPARITY, DISPARITY), (metric, f"group.{metric}")):
            found = _result(results, name, column)
            if found is None:
                continue
            details = found.details
            # A disparity's value is the ratio; a group check's value is its worst group.
            ratio = found.value if name == DISPARITY else details.get("ratio")
            if not isinstance(ratio, float) or not math.isfinite(ratio):
                continue
            what = (
                f"{'selection rate' if name == DISPARITY else name} ratio (lowest / highest group)"
                f" over {column}"
            )
            detail = (
                f"worst group '{details.get('worst_group')}', best '{details.get('best_group')}'"
            )
            margin = _margin(context, index, name, DEFAULT_MIN_GROUP_SIZE)
            entry = ratio_entry(key, what, ratio, margin, detail)
            entries.append(entry)
    if entries:
        merged = _merge_columns(entries)
        plan.sections["fairness"] = merged


def _merge_columns(entries: list[Entry]) -> list[Entry]:
    """One entry per metric key: with several sensitive columns, the loosest bound (each
    column's own bound is in the comments), so every column's check passes today."""
    merged: dict[str, Entry] = {}
    for entry in entries:
        if entry.key not in merged:
            merged[entry.key] = Entry(entry.key, dict(entry.value), list(entry.comment))
            continue
        kept = merged[entry.key]
        bound = "min_ratio" if "min_ratio" in entry.value else "min"
        kept.value[bound] = min(kept.value[bound], entry.value[bound])
        if entry.value.get("severity") == "warn":
            kept.value["severity"] = "warn"
        kept.comment.extend(entry.comment)
    return list(merged.values())


def _result(results: list[CheckResult], metric: str, column: str) -> CheckResult | None:
    for result in results:
        if result.name == f"{metric}[{column}]":
            return result
    return None


def _discover(
    context: EvaluationContext, ranking: list[str], sensitive: tuple[str, ...], min_size: int
) -> Discovery:
    """Search every column of the evaluation data but the label: model inputs by importance
    first, then the others (a region the model never sees can still be where it fails)."""
    from mlgate.init._slices import find_weak_slices

    spec = context.spec
    excluded = {spec.target, spec.prediction, spec.baseline_prediction, spec.sample_weight}
    inputs = ranking or context.features
    others = [str(c) for c in context.data.frame.columns if str(c) not in inputs]
    columns = [
        c
        for c in dict.fromkeys([*inputs, *sensitive, *context.features, *others])
        if c not in excluded
    ]
    return find_weak_slices(
        context.data.frame,
        columns,
        context.task,
        context.y_true,
        context.model.y_pred,
        ranking=columns,
        min_size=min_size,
    )


def slice_entries(discovery: Discovery) -> list[Entry]:
    """One ``checks.slices`` item per weak slice found, its bound beyond the measured value."""
    from mlgate.init._thresholds import slice_bound

    entries = []
    for found in discovery.found:
        bound = slice_bound(found.value, found.standard_error, discovery.greater_is_better)
        limit = {"min": bound} if discovery.greater_is_better else {"max": bound}
        comment = [
            f"Weak slice: {discovery.metric} {fmt(found.value)} on {found.size:,} rows vs "
            f"{fmt(found.rest_value)} on the other rows ({discovery.test}, one-sided p = "
            f"{fmt(found.p_value)}, Holm-adjusted over {discovery.tried:,} slices: "
            f"{fmt(found.adjusted_p)}).",
            f"{next(iter(limit))} {fmt(bound)} = the measured value with its one-sided 95% "
            "margin, rounded to the safe side: the model must not get worse here.",
        ]
        item = {
            "name": found.name,
            "where": found.where,
            "metrics": {discovery.metric: limit},
            "min_size": discovery.min_size,
        }
        entries.append(Entry(found.name, item, comment))
    return entries


def _slice_section(plan: _Plan, discovery: Discovery) -> None:
    plan.notes["slices"] = _search_note(discovery)
    entries = slice_entries(discovery)
    if entries:
        plan.sections["slices"] = entries


def _search_note(discovery: Discovery) -> list[str]:
    pairs = len(discovery.pair_columns) * (len(discovery.pair_columns) - 1) // 2
    return [
        f"Weak-slice search: {discovery.tried:,} slices of at least {discovery.min_size} rows "
        f"({len(discovery.columns)} columns, {pairs} pairs of the top {len(discovery.pair_columns)}"
        f"), each tested one-sided against the other rows ({discovery.test}), Holm-corrected at "
        f"{discovery.alpha}. Found {len(discovery.found)} (at most 3 kept, worst first).",
    ]


def _verify(
    plan: _Plan, context: EvaluationContext, options: InitOptions, schema: Path, out: Path
) -> None:
    """Run the data, drift, fairness and slice sections on the measured data; a check that
    fails there is written as a warning with the reason (a gate must pass on its own data)."""
    from mlgate.init._probe import run_families

    document = plan.document()
    document["model"] = _absolute(options.model)
    if options.baseline:
        document["baseline"] = _absolute(options.baseline)
    document.pop("data", None)
    checks = {k: v for k, v in document["checks"].items() if k not in ("performance", "comparison")}
    checks["data"] = {**checks["data"], "schema": str(schema)}
    document["checks"] = checks
    results = run_families(context, document, str(out), out.parent)
    for result in results:
        if result.status in ("failed", "errored"):
            _settle(plan, result)


def _matching(plan: _Plan, result: CheckResult) -> Entry | None:
    """The written entry a data, drift, fairness or slice result comes from."""
    family = result.family
    if family == "data":
        part = result.id.split(".", 1)[1]
        entries = plan.sections.get("data")
        if entries is None:
            return None
        found = next((e for e in entries if e.key == part), None)
        if found is None:  # label and signature run by default: give them a key to warn on
            found = Entry(part, {})
            entries.append(found)
        return found
    if family == "drift":
        return plan.sections["drift"][0] if "drift" in plan.sections else None
    metric = result.name.split("[", 1)[0]
    for entry in plan.sections.get(family, []):
        if family == "slices" and result.name == f"{metric}[{entry.key}]":
            return entry
        if family == "fairness" and entry.key in (metric, f"group.{metric}"):
            return entry
    return None


def _settle(plan: _Plan, result: CheckResult) -> None:
    """A check that failed on its own data becomes a warning; one that errored is left out.

    Either way the comment says so: a gate must pass on the data it was measured on, and
    the reader must see what it could not hold.
    """
    entry = _matching(plan, result)
    if entry is None:
        return
    reason = f"{result.status.upper()} on the data it was measured on: {result.message}"
    family = result.family
    if result.status == "errored":
        if family in ("data", "drift"):
            plan.sections.pop(family, None)
        else:
            plan.sections[family] = [e for e in plan.sections[family] if e is not entry]
            if not plan.sections[family]:
                plan.sections.pop(family)
        plan.notes.setdefault(family, []).append(f"Left out: {entry.key} {reason}")
        return
    if family == "drift":
        section = plan.sections["drift"]
        if not any(e.key == "severity" for e in section):
            section.append(Entry("severity", "warn"))
        section[-1].comment.append(reason)
        return
    if family == "slices":
        for limit in entry.value["metrics"].values():
            limit["severity"] = "warn"
    elif family == "data" and entry.key == "schema" and isinstance(entry.value, str):
        entry.value = {"file": entry.value, "severity": "warn"}
    elif isinstance(entry.value, dict):
        entry.value["severity"] = "warn"
    entry.comment.append(reason + " Written as a warning: review it.")


def _render(
    plan: _Plan, options: InitOptions, measured: Measured, discovery: Discovery, source: str
) -> str:
    from mlgate.init._writer import Document

    doc = Document()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    doc.note(
        [
            f"Gate file written by 'mlgate init' on {when} from {source} "
            f"({measured.context.n_rows:,} rows). Every threshold was measured; the comment "
            "above it says what and why. Review it, then commit it with the model change.",
        ]
    )
    for entry in plan.top:
        doc.item(entry.key, entry.value, why=entry.comment)
    doc.blank()
    doc.section("checks")
    for family, entries in plan.sections.items():
        doc.blank()
        doc.section(family, 2, plan.notes.get(family, ()))
        if family == "slices":
            for entry in entries:
                doc.list_item(entry.value, 4, entry.comment)
            continue
        if family == "fairness":
            groups = [e for e in entries if e.key.startswith("group.")]
            for entry in entries:
                if not entry.key.startswith("group."):
                    doc.item(entry.key, entry.value, 4, entry.comment)
            if groups:
                doc.section("group", 4)
                for entry in groups:
                    doc.item(entry.key[6:], entry.value, 6, entry.comment)
            continue
        for entry in entries:
            doc.item(entry.key, entry.value, 4, entry.comment)
    for family, note in plan.notes.items():
        if family not in plan.sections:
            doc.blank()
            doc.note([f"checks.{family}: {' '.join(note)}"], 2)
    return doc.text()


def find_slices(gate: str | None, options: InitOptions | None, min_size: int) -> str:
    """``mlgate init --only slices``: search the weak slices of an existing gate's model (or of
    the given model and data) and return the ``checks.slices`` block; nothing is written."""
    from mlgate.init._probe import measure
    from mlgate.spec import load_spec

    if gate is not None:
        spec = load_spec(gate)
        probe = {
            key: value
            for key, value in spec.document.items()
            if key not in ("checks", "promote", "notify", "report", "statistics")
        }
        base_dir, sensitive = spec.base_dir, spec.sensitive_features
    elif options is not None:
        probe = _probe_document(options)
        base_dir, sensitive = Path.cwd(), options.sensitive
    else:
        raise InputError(MSG_SLICES_USAGE)
    measured = measure(probe, base_dir, tuple(sensitive))
    return slices_text(_discover(measured.context, measured.ranking, tuple(sensitive), min_size))


def slices_text(discovery: Discovery) -> str:
    """The ``checks.slices`` block for weak slices, to paste into an existing gate file."""
    from mlgate.init._writer import Document

    doc = Document()
    doc.note(["Paste under 'checks:' of the gate file (indented one level)."])
    doc.section("slices", 0, _search_note(discovery))
    for entry in slice_entries(discovery):
        doc.list_item(entry.value, 2, entry.comment)
    if not discovery.found:
        doc.note(["No slice is significantly worse than the other rows."], 2)
    return doc.text()
