"""Build the evaluation context in Spark: metrics over every row, a seeded sample for the rest.

The pandas context is built on a seeded sample of the data (``spark.sample`` rows): that settles
the task, the classes, the positive label and the input columns with the pandas engine's own
rules, and is what the families that read rows (``spark_rows="sample"``) judge. Every row is then
scored in the executors and the models' metrics are computed there; they replace the sample's,
and :attr:`EvaluationContext.rows_total` records how many rows they cover. The slice and fairness
groups (``context.groups``) and the data checks' facts (``context.table``) are computed over
every row too, from the cached scores and the table, and so are the drift checks' statistics
(``context.drift``) against the reference table.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

from mlgate.checks.comparison import FAMILY as COMPARISON
from mlgate.checks.comparison import ComparisonConfig
from mlgate.checks.drift import FAMILY as DRIFT
from mlgate.checks.drift import DriftConfig
from mlgate.checks.slices import FAMILY as SLICES
from mlgate.checks.slices import SlicesConfig
from mlgate.context import EvaluationContext, build_context, choose_features, require_column
from mlgate.errors import InputError
from mlgate.families import families
from mlgate.loading.data import LoadedData, from_frame
from mlgate.model import LoadedModel
from mlgate.prediction import ModelOutputs
from mlgate.spark._bootstrap import ROW_KEY, SparkBootstrap
from mlgate.spark._classification import classification_metrics
from mlgate.spark._columns import Rows, named
from mlgate.spark._drift import spark_sides
from mlgate.spark._errors import spark_errors
from mlgate.spark._groups import SparkGroups
from mlgate.spark._regression import regression_metrics
from mlgate.spark._scoring import ScoredColumns, score, scored_by, scorer
from mlgate.spark._session import describe_session, spark_session
from mlgate.spark._sources import (
    SparkData,
    files_digest,
    from_spark_frame,
    local_path,
    read_spark_source,
)
from mlgate.spark._table import SparkTable
from mlgate.spark._validation import check_every_row
from mlgate.spec import GateSpec

SAMPLE_KEY = "__mlgate_sample_key"
HASH_RANGE = 2**62
MSG_NO_DATA_ROWS = "{key}: {source} has no rows; point it at the evaluation data"


@dataclass
class SparkRun:
    """What the Spark engine hands back: the context and the two tables, for the report.

    The scored rows stay cached while the checks read the context (slices and fairness aggregate
    them); :meth:`release` drops them once the gate has run.
    """

    context: EvaluationContext
    eval_data: SparkData
    reference_data: SparkData | None
    scored: Any

    def release(self) -> None:
        self.scored.unpersist()
        if self.context.drift is not None:
            self.context.drift.release()


def open_data(
    spec: GateSpec, *, data: Any, reference: Any
) -> tuple[Any, SparkData | None, SparkData | None]:
    """The session and the evaluation and reference tables (read lazily: nothing scanned yet).

    A local JVM takes seconds to start and leaves a core idle meanwhile, so the data files are
    hashed for the report (their digests) in a thread as it starts. The session itself starts on
    this thread: Spark keeps the active session per thread.
    """
    entries = {
        "data.eval": (data, spec.eval_data),
        "data.reference": (reference, spec.reference_data),
    }
    paths = {
        key: local_path(source, spec.base_dir)
        for key, (given, source) in entries.items()
        if given is None and isinstance(source, str)
    }
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlgate-digest")
    try:
        digests = {
            key: hashing.submit(files_digest, path) for key, path in paths.items() if path.exists()
        }
        session = spark_session(spec.spark)
        eval_data, reference_data = (
            _table(session, given, source, key, spec.base_dir, digests.get(key))
            for key, (given, source) in entries.items()
        )
    finally:
        hashing.shutdown(wait=False, cancel_futures=True)
    return session, eval_data, reference_data


def build(
    spec: GateSpec,
    *,
    session: Any,
    eval_data: SparkData,
    reference_data: SparkData | None,
    model: LoadedModel | None,
    baseline: LoadedModel | None,
    baseline_skipped_reason: str | None,
) -> SparkRun:
    """The context of the gate on every row of ``eval_data`` (see the module's docstring)."""
    require_column(eval_data, spec.target, "target")
    if spec.sample_weight is not None:
        require_column(eval_data, spec.sample_weight, "sample_weight")
    with spark_errors("checking the target and weights of every row"):
        models = ((model, "model"), (baseline, "baseline"))
        size = check_every_row(eval_data, spec, [(m, role) for m, role in models if m is not None])
    with spark_errors("drawing the sample"):
        sample = _sample(eval_data, spec, size.rows)
    context = build_context(
        spec,
        sample,
        model,
        baseline,
        baseline_skipped_reason=baseline_skipped_reason,
    )
    kept = [spec.target, *([spec.sample_weight] if spec.sample_weight else [])]
    kept += [c for c in _grouped_columns(spec) if c in sample.frame.columns and c not in kept]
    compares = reference_data is not None and DRIFT in spec.document.get("checks", {})
    if compares:
        kept += [c for c in _drifting_columns(spec, context) if c in eval_data.frame.columns]
    scorers, columns = [], {}
    for outputs, loaded, key in (
        (context.model, model, "model"),
        (context.baseline, baseline, "baseline"),
    ):
        if outputs is None:
            continue
        if loaded is None:  # precomputed predictions: a column of the data
            column = spec.prediction if key == "model" else spec.baseline_prediction
            assert column is not None
            kept.append(column)
            columns[key] = ScoredColumns(role=key, label=column)
            continue
        features = choose_features(spec, sample, loaded, key)
        scoring, columns[key] = scorer(loaded, key, features, context.labels, context.task)
        scorers.append(scoring)
    frame = eval_data.frame
    draws = _draws_resamples(spec)
    if draws:  # each row's key, from its values: the Poisson bootstrap's counts hash it
        frame = frame.withColumn(ROW_KEY, F.xxhash64(*[named(c) for c in frame.columns]))
        kept.append(ROW_KEY)
    scored = score(frame, list(dict.fromkeys(kept)), scorers, context.task).persist()
    rows_by_role = {
        role: Rows(frame=scored, target=spec.target, weight=spec.sample_weight, columns=scored_as)
        for role, scored_as in columns.items()
    }
    try:
        with spark_errors("scoring every row and computing the metrics"):
            for outputs in (context.model, context.baseline):
                if outputs is not None:
                    outputs.metrics = _metrics(rows_by_role[outputs.role], context)
    except BaseException:
        scored.unpersist()
        raise
    rows = int(context.model.metrics.values["example_count"])  # type: ignore[union-attr]
    if draws:
        context.bootstrap = SparkBootstrap(
            rows_by_role,
            task=context.task,
            labels=context.labels,
            pos_label=context.pos_label,
            point={
                outputs.role: outputs.metrics
                for outputs in (context.model, context.baseline)
                if outputs is not None and outputs.metrics is not None
            },
        )
    context.groups = SparkGroups(
        rows_by_role=rows_by_role,
        task=context.task,
        labels=context.labels,
        pos_label=context.pos_label,
        source=eval_data.source,
    )
    if compares:
        assert reference_data is not None
        context.drift = spark_sides(
            context,
            reference=reference_data,
            evaluation=scored,
            eval_columns=list(eval_data.frame.columns),
            outputs=columns.get("model"),
            scoring=next((s for s in scorers if s.role == "model"), None),
            target_type=eval_data.frame.schema[spec.target].dataType,
        )
    context.table = SparkTable(
        frame=eval_data.frame,
        rows=rows,
        target=spec.target,
        reference=reference_data.frame if reference_data is not None else None,
    )
    eval_data.rows = rows
    context.rows_total = rows
    eval_data.snapshot["engine"] = {
        "name": "spark",
        **describe_session(session, spec.spark),
        "partitions": size.partitions,
        "sample": {"rows": context.n_rows, "seed": spec.seed, "families": _sampled(spec)},
    }
    _describe_outputs(context.model, scorers)
    return SparkRun(
        context=context, eval_data=eval_data, reference_data=reference_data, scored=scored
    )


def _draws_resamples(spec: GateSpec) -> bool:
    """Whether the gate has bootstrap intervals or a paired comparison (each row needs a key)."""
    return spec.statistics is not None or bool(spec.config(COMPARISON, ComparisonConfig).paired)


def _sampled(spec: GateSpec) -> list[str]:
    """The gate's families that judge the sample rather than every row (the report says so)."""
    configured = spec.document.get("checks", {})
    return [
        name
        for name, family in families().items()
        if name in configured and family.spark_rows == "sample"
    ]


def _drifting_columns(spec: GateSpec, context: EvaluationContext) -> list[str]:
    """Columns the drift checks compare with the reference (kept beside the scores)."""
    config = spec.config(DRIFT, DriftConfig)
    return list(config.columns) if config.columns is not None else list(context.features)


def _grouped_columns(spec: GateSpec) -> list[str]:
    """Columns the slice and fairness checks group the rows by (kept beside the scores)."""
    slices = spec.config(SLICES, SlicesConfig)
    named = [*spec.sensitive_features, *(s.by for s in slices.items if s.by is not None)]
    for item in slices.items:
        if item.where is not None:
            named += item.where.referenced
    return list(dict.fromkeys(named))


def _metrics(rows: Rows, context: EvaluationContext) -> Any:
    if context.task == "regression":
        return regression_metrics(rows)
    outputs = context.model if rows.columns.role == "model" else context.baseline
    assert outputs is not None and context.labels is not None
    model_classes = outputs.model.classes if outputs.model is not None else None
    return classification_metrics(
        rows,
        task=context.task,
        labels=list(context.labels),
        pos_label=context.pos_label,
        model_classes=model_classes,
    )


def _sample(data: SparkData, spec: GateSpec, total: int) -> LoadedData:
    """``spec.spark.sample`` rows chosen by a hash of each row's values and the seed, as pandas.

    The rows with the smallest hashes: the same data and seed give the same sample however the
    table is split into files and partitions (Spark's ``sample`` depends on the partitioning).
    One scan keeps the rows whose hash falls in a slice a little wider than needed (no sort of
    the table), and the driver keeps the smallest of those.
    """
    frame = data.frame
    wanted = spec.spark.sample
    key = F.xxhash64(*[F.col(f"`{c}`") for c in frame.columns], F.lit(spec.seed))
    keyed = frame.withColumn(SAMPLE_KEY, F.pmod(key, F.lit(HASH_RANGE)))
    share = (wanted + 6 * math.sqrt(wanted) + 10) / max(total, 1)  # 6 sigma of Binomial slack
    if share < 1:
        keyed = keyed.where(F.col(SAMPLE_KEY) < F.lit(int(share * HASH_RANGE)))
    chosen = keyed.toPandas()
    if len(chosen) < min(wanted, total):  # beyond 6 sigma: take the smallest hashes directly
        chosen = keyed.orderBy(SAMPLE_KEY).limit(wanted).toPandas()
    chosen = chosen.sort_values(SAMPLE_KEY, kind="stable").head(wanted)
    chosen = chosen.drop(columns=SAMPLE_KEY).reset_index(drop=True)
    if chosen.empty:
        raise _no_rows(data)
    return LoadedData(frame=chosen, source=data.source, digest=data.digest)


def _no_rows(data: SparkData) -> Exception:
    return InputError(MSG_NO_DATA_ROWS.format(key="data.eval", source=data.source))


def _describe_outputs(outputs: ModelOutputs, scorers: list[Any]) -> None:
    """The model's description says where it was called: in the executors, once per row."""
    roles = {s.role: s for s in scorers}
    if outputs.role in roles:
        how = scored_by(roles[outputs.role])
        outputs.description["scored_in"] = f"spark executors ({how}), once per row"


def _table(
    session: Any, given: Any, source: Any, key: str, base_dir: Path, digest: Future[str] | None
) -> SparkData | None:
    if given is not None:
        if isinstance(given, pd.DataFrame):  # small data from Python: Spark all the same
            loaded = from_frame(given, key)
            frame = session.createDataFrame(given)
            return SparkData(frame=frame, source=loaded.source, digest=loaded.digest)
        return from_spark_frame(given, key)
    if source is None:
        return None
    known = digest.result() if digest is not None else None
    return read_spark_source(session, source, key, base_dir, digest=known)
