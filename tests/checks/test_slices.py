"""Slice checks: same metric definitions on each slice's rows, worst slice named, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm

import mlgate
from mlgate.checks import slices
from mlgate.checks._groups import MAX_GROUPS, MISSING
from mlgate.checks._where import MSG_WHERE_COLUMN, MSG_WHERE_REFUSED, MSG_WHERE_SYNTAX
from mlgate.context import MSG_MISSING_COLUMN
from mlgate.result import ERRORED, FAILED, PASSED, WARNED
from tests._cli import one_error_line


@pytest.fixture(scope="module")
def frame(binary_frame):
    rng = np.random.default_rng(11)
    data = binary_frame.copy()
    data["region"] = rng.choice(["north", "south", "east"], len(data))
    data["w"] = rng.uniform(0.5, 2.0, len(data))
    return data


@pytest.fixture(scope="module")
def outputs(frame, binary_model):
    X = frame[binary_model.feature_names_in_]
    return binary_model.predict(X), binary_model.predict_proba(X)[:, 1]


def _gate(items, **top):
    return {"target": "label", "checks": {"slices": items}, **top}


@pytest.mark.parametrize("weight", [None, "w"])
def test_slice_values_equal_the_metric_on_the_slice_rows(frame, binary_model, outputs, weight):
    y_pred, proba = outputs
    gate = _gate(
        [{"by": "region", "metrics": {"roc_auc": {"min": 0.5}, "f1_score": {"min": 0.5}}}],
        **({"sample_weight": weight} if weight else {}),
    )
    result = mlgate.run_gate(gate, data=frame, model=binary_model)
    for name, score, predictions in (
        ("roc_auc", skm.roc_auc_score, proba),
        ("f1_score", skm.f1_score, y_pred),
    ):
        check = result.check(f"slices.{name}[region]")
        assert check.status == PASSED
        assert [s["name"] for s in check.details["slices"]] == ["east", "north", "south"]
        for row in check.details["slices"]:
            rows = (frame["region"] == row["name"]).to_numpy()
            weights = None if weight is None else frame["w"].to_numpy()[rows]
            expected = score(frame["label"][rows], predictions[rows], sample_weight=weights)
            assert row["value"] == pytest.approx(expected, abs=1e-12, rel=0)
            assert row["size"] == rows.sum()
            assert row["selection_rate"] == pytest.approx(
                np.average(y_pred[rows] == 1, weights=weights), abs=1e-12, rel=0
            )
        worst = min(check.details["slices"], key=lambda s: s["value"])
        assert check.value == worst["value"]
        assert check.details["worst_slice"] == worst["name"]


def test_a_slice_of_every_row_equals_the_overall_metric(frame, binary_model):
    gate = _gate([{"where": "mean_radius > 0", "metrics": {"log_loss": {"max": 1.0}}}])
    gate["checks"]["performance"] = {"log_loss": {"max": 1.0}}
    result = mlgate.run_gate(gate, data=frame, model=binary_model)
    assert result.check("slices.log_loss[mean_radius > 0]").value == pytest.approx(
        result.check("performance.log_loss").value, abs=1e-15
    )


def test_where_slice_and_the_failing_message(frame, binary_model, outputs):
    y_pred, _ = outputs
    gate = _gate(
        [
            {
                "where": "mean_radius > 13 and region != 'east'",
                "name": "small",
                "metrics": {"recall_score": {"min": 0.9999}},
            }
        ]
    )
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check(
        "slices.recall_score[small]"
    )
    rows = ((frame["mean_radius"] > 13) & (frame["region"] != "east")).to_numpy()
    expected = skm.recall_score(frame["label"][rows], y_pred[rows])
    assert check.value == pytest.approx(expected, abs=1e-12, rel=0)
    assert check.status == FAILED
    assert check.message == slices.MSG_WHERE_OUTSIDE.format(
        metric="recall_score",
        value=mlgate.checks._format.fmt(expected),
        op="<",
        bound="0.9999",
        limit="min",
        name="small",
        rows=str(int(rows.sum())),
    )
    assert check.details["where"] == "mean_radius > 13 and region != 'east'"
    assert check.details["kind"] == "where"


def test_by_slice_message_names_the_worst_failing_slice(frame, binary_model):
    gate = _gate(
        [{"by": "region", "metrics": {"accuracy_score": {"min": 0.999, "severity": "warn"}}}]
    )
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check(
        "slices.accuracy_score[region]"
    )
    assert check.status == WARNED
    worst = min(check.details["slices"], key=lambda s: s["value"])
    assert check.message.startswith(f"accuracy_score on slice '{worst['name']}' of region = ")
    assert check.message.endswith("3 of 3 slice(s) outside >= 0.999")
    assert check.details["failing"] == ["east", "north", "south"]


def test_quantile_bins_are_described(frame, binary_model):
    gate = _gate(
        [{"by": {"column": "mean_texture", "bins": 4}, "metrics": {"accuracy_score": {"min": 0.5}}}]
    )
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check(
        "slices.accuracy_score[mean_texture]"
    )
    _, edges = pd.qcut(frame["mean_texture"], q=4, retbins=True)
    assert check.details["binning"] == {
        "method": "quantile",
        "bins_requested": 4,
        "bins": 4,
        "edges": [float(e) for e in edges],
    }
    assert [s["size"] for s in check.details["slices"]] == list(
        pd.qcut(frame["mean_texture"], q=4).value_counts(sort=False)
    )


def test_missing_values_and_small_slices(frame, binary_model):
    data = frame.copy()
    data.loc[data.index[:40], "region"] = None
    data.loc[data.index[40:45], "region"] = "west"
    gate = _gate([{"by": "region", "metrics": {"accuracy_score": {"min": 0.5}}, "min_size": 20}])
    check = mlgate.run_gate(gate, data=data, model=binary_model).check(
        "slices.accuracy_score[region]"
    )
    names = [s["name"] for s in check.details["slices"]]
    assert MISSING in names
    assert check.details["too_small"] == ["west"]
    assert next(s for s in check.details["slices"] if s["name"] == "west")["value"] is None
    assert check.status == PASSED


def test_every_slice_too_small_is_warned(frame, binary_model):
    gate = _gate([{"by": "region", "metrics": {"accuracy_score": {"min": 0.5}}, "min_size": 1000}])
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check(
        "slices.accuracy_score[region]"
    )
    assert check.status == WARNED
    assert check.message == slices.MSG_TOO_SMALL.format(
        metric="accuracy_score", name="region", size=1000, slices="east, north, south"
    )


def test_a_metric_undefined_on_a_slice_errors(frame, binary_model):
    gate = _gate(
        [{"where": "label == 1", "name": "positives", "metrics": {"roc_auc": {"min": 0.5}}}]
    )
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check("slices.roc_auc[positives]")
    assert check.status == ERRORED
    assert check.message.startswith(
        "roc_auc on slice 'positives' of positives could not be computed"
    )


# --- bad input: one line naming the key, exit 2 -------------------------------------------------

CLI_GATE = """\
prediction: pred
data: {{eval: eval.csv}}
target: label
checks:
  slices:
{items}
"""


@pytest.fixture
def cli_data(tmp_path, frame, outputs):
    data = frame[["label", "region", "mean_radius"]].copy()
    data["pred"] = outputs[0]
    data["id"] = np.arange(len(data))
    data.to_csv(tmp_path / "eval.csv", index=False)
    return tmp_path


def _run(run_cli, write_gate, items):
    gate = write_gate(CLI_GATE.format(items=items))
    code, _, err = run_cli("run", "-c", str(gate))
    return code, one_error_line(err), str(gate)


KEY = "checks.slices[0]"
METRICS = "metrics: {recall_score: {min: 0.5}}"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            "  - {where: 'mean_radius <', " + METRICS + "}",
            MSG_WHERE_SYNTAX.format(
                key=f"{KEY}.where", error="invalid syntax", text="mean_radius <"
            ),
        ),
        (
            "  - {where: \"__import__('os').system('id')\", " + METRICS + "}",
            MSG_WHERE_REFUSED.format(key=f"{KEY}.where", what="a function call"),
        ),
        (
            "  - {where: 'mean_radius > @limit', " + METRICS + "}",
            MSG_WHERE_REFUSED.format(
                key=f"{KEY}.where", what="'@' (a reference to a Python variable)"
            ),
        ),
        (
            "  - {where: 'region.__class__ == 1', " + METRICS + "}",
            MSG_WHERE_REFUSED.format(key=f"{KEY}.where", what="attribute access ('.__class__')"),
        ),
        (
            "  - {by: region, where: 'mean_radius > 1', " + METRICS + "}",
            slices.MSG_BY_OR_WHERE.format(key=KEY, got=["by", "where"]),
        ),
        ("  - {" + METRICS + "}", slices.MSG_BY_OR_WHERE.format(key=KEY, got="neither")),
        ("  - {by: region, metrics: {}}", slices.MSG_NO_METRICS.format(key=KEY)),
        (
            "  - {by: region, metrics: {recal_score: {min: 0.5}}}",
            slices.MSG_UNKNOWN_METRIC.format(
                name="recal_score", key=KEY, hint="; did you mean 'recall_score'?"
            ),
        ),
        (
            "  - {by: region, "
            + METRICS
            + "}\n  - {where: 'mean_radius > 1', name: region, "
            + METRICS
            + "}",
            slices.MSG_DUPLICATE_NAME.format(key="checks.slices[1]", name="region", other=KEY),
        ),
    ],
)
def test_gate_file_errors(run_cli, write_gate, cli_data, items, expected):
    code, line, gate = _run(run_cli, write_gate, items)
    assert code == 2
    assert line == f"{gate}: {expected}"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            "  - {where: 'mean_radiu > 1', " + METRICS + "}",
            MSG_WHERE_COLUMN.format(
                key=f"{KEY}.where",
                column="mean_radiu",
                source="{data}",
                hint="; did you mean 'mean_radius'?",
            ),
        ),
        (
            "  - {by: regio, " + METRICS + "}",
            MSG_MISSING_COLUMN.format(
                key=f"{KEY}.by",
                column="regio",
                source="{data}",
                hint="; did you mean 'region'?",
                columns="label, region, mean_radius, pred, id",
            ),
        ),
        (
            "  - {by: {column: region, bins: 3}, " + METRICS + "}",
            slices.MSG_BINS_NOT_NUMERIC.format(key=KEY, column="region", dtype="str"),
        ),
        (
            "  - {by: id, " + METRICS + "}",
            slices.MSG_TOO_MANY_SLICES.format(
                key=KEY, column="id", count="569", source="{data}", limit=MAX_GROUPS
            ),
        ),
    ],
)
def test_data_errors(run_cli, write_gate, cli_data, items, expected):
    code, line, _ = _run(run_cli, write_gate, items)
    assert code == 2
    assert line == expected.replace("{data}", str(cli_data / "eval.csv"))


def test_metric_of_another_task_is_refused(run_cli, write_gate, cli_data):
    code, line, gate = _run(run_cli, write_gate, "  - {by: region, metrics: {r2_score: {min: 0}}}")
    assert code == 2
    assert line.startswith(f"{gate}: {KEY}.metrics.r2_score: 'r2_score' is not a binary metric (")


def test_a_passing_slice_gate_from_the_command_line(run_cli, write_gate, cli_data):
    gate = write_gate(CLI_GATE.format(items="  - {by: region, " + METRICS + "}"))
    code, out, err = run_cli("run", "-c", str(gate))
    assert code == 0, err
    assert "slices.recall_score[region]" in out


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [{"wher": "x > 1", "metrics": {"f1_score": {"min": 0}}}],
            "unknown key 'wher' in 'checks.slices[0]'; did you mean 'where'?",
        ),
        (
            [{"by": {"column": "x", "bins": 1}, "metrics": {"f1_score": {"min": 0}}}],
            "'checks.slices[0].by.bins' must be >= 2, got 1",
        ),
        ([{"by": "x"}], "missing required key 'metrics' in 'checks.slices[0]'"),
        ({"by": "x"}, "'checks.slices' must be a list"),
    ],
)
def test_schema_covers_the_keys(items, expected):
    from mlgate.errors import GateFileError
    from mlgate.spec import spec_from_dict

    with pytest.raises(GateFileError) as error:
        spec_from_dict({"target": "label", "checks": {"slices": items}}, source="g")
    assert str(error.value).startswith(f"g: {expected}")


def test_checks_command_lists_the_family(run_cli):
    code, out, _ = run_cli("checks")
    assert code == 0
    assert any(line.split()[:1] == ["slices"] for line in out.splitlines())
