"""Fairness checks: every value equals fairlearn's on the same inputs; groups; bad inputs."""

from __future__ import annotations

import functools
import json

import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm

import mlgate
from mlgate.checks import _disparity, fairness
from mlgate.checks import _fairness_config as fairness_config
from mlgate.checks._groups import MAX_GROUPS, MISSING
from mlgate.context import MSG_MISSING_COLUMN
from mlgate.engine import evaluate
from mlgate.result import ERRORED, FAILED, PASSED, SKIPPED, WARNED
from tests._cli import one_error_line

DISPARITIES = {
    "demographic_parity_difference": flm.demographic_parity_difference,
    "demographic_parity_ratio": flm.demographic_parity_ratio,
    "equalized_odds_difference": flm.equalized_odds_difference,
    "equalized_odds_ratio": flm.equalized_odds_ratio,
    "equal_opportunity_difference": flm.equal_opportunity_difference,
    "equal_opportunity_ratio": flm.equal_opportunity_ratio,
}
LOOSE = {"min": -1.0}  # a bound that always holds: the value is what these tests compare


@pytest.fixture(scope="module")
def frame(binary_frame):
    """Breast-cancer rows plus seeded sensitive columns (not model inputs) and weights."""
    rng = np.random.default_rng(7)
    data = binary_frame.copy()
    # 'sex' leans on a feature so groups really differ; 'band' is random with 4 values.
    data["sex"] = np.where(data["mean_radius"] + rng.normal(0, 2, len(data)) > 14, "m", "f")
    data["band"] = rng.choice(["18-30", "30-45", "45-60", "60+"], len(data))
    data["w"] = rng.uniform(0.2, 3.0, len(data))
    return data


@pytest.fixture(scope="module")
def y_pred(frame, binary_model):
    return binary_model.predict(frame[binary_model.feature_names_in_])


def _gate(section, *, sensitive=("sex", "band"), weight=None, **top):
    gate = {
        "target": "label",
        "sensitive_features": list(sensitive),
        "checks": {"fairness": section},
        **top,
    }
    if weight:
        gate["sample_weight"] = weight
    return gate


@pytest.mark.parametrize("weight", [None, "w"])
def test_disparities_equal_fairlearn_per_column_and_intersectional(
    frame, binary_model, y_pred, weight
):
    section = {name: LOOSE for name in DISPARITIES} | {"intersectional": True}
    result = mlgate.run_gate(_gate(section, weight=weight), data=frame, model=binary_model)
    sample_weight = None if weight is None else frame["w"].to_numpy()
    for label, columns in (("sex", "sex"), ("band", "band"), ("sex&band", ["sex", "band"])):
        for name, reference in DISPARITIES.items():
            expected = reference(
                frame["label"],
                y_pred,
                sensitive_features=frame[columns],
                sample_weight=sample_weight,
            )
            check = result.check(f"fairness.{name}[{label}]")
            assert check.status == PASSED
            assert check.value == pytest.approx(expected, abs=1e-12, rel=0), (name, label)


def test_group_values_equal_metricframe(frame, binary_model, y_pred):
    """Per-group selection and true/false positive rates, sizes: as MetricFrame (weighted)."""
    gate = _gate({"equalized_odds_ratio": LOOSE, "intersectional": True}, weight="w")
    result = mlgate.run_gate(gate, data=frame, model=binary_model)
    check = result.check("fairness.equalized_odds_ratio[sex&band]")
    reference = flm.MetricFrame(
        metrics={
            "selection_rate": flm.selection_rate,
            "true_positive_rate": flm.true_positive_rate,
            "false_positive_rate": flm.false_positive_rate,
            "count": flm.count,
        },
        y_true=frame["label"],
        y_pred=y_pred,
        sensitive_features=frame[["sex", "band"]],
        sample_params={
            name: {"sample_weight": frame["w"].to_numpy()}
            for name in ("selection_rate", "true_positive_rate", "false_positive_rate")
        },
    ).by_group
    assert len(check.details["groups"]) == len(reference) == 8
    for group in check.details["groups"]:
        row = reference.loc[(group["features"]["sex"], group["features"]["band"])]
        assert group["size"] == row["count"]
        assert group["name"] == f"{group['features']['sex']}, {group['features']['band']}"
        for rate in ("selection_rate", "true_positive_rate", "false_positive_rate"):
            assert group[rate] == pytest.approx(row[rate], abs=1e-12, rel=0)
        assert group["value"] == group[check.details["component"]]
    component = reference[check.details["component"]]
    assert check.details["worst_group"] == ", ".join(component.idxmin())
    assert check.details["best_group"] == ", ".join(component.idxmax())


@pytest.mark.parametrize("weight", [None, "w"])
def test_group_metrics_equal_metricframe(frame, binary_model, y_pred, weight):
    """Confusion-based (fast path) and probability-based metrics, with every aggregate."""
    sample_weight = None if weight is None else frame["w"].to_numpy()
    proba = binary_model.predict_proba(frame[binary_model.feature_names_in_])[:, 1]
    references = {
        "recall_score": (functools.partial(skm.recall_score, zero_division=0.0), y_pred),
        "precision_score": (functools.partial(skm.precision_score, zero_division=0.0), y_pred),
        "f1_score": (functools.partial(skm.f1_score, zero_division=0.0), y_pred),
        "accuracy_score": (skm.accuracy_score, y_pred),
        "roc_auc": (skm.roc_auc_score, proba),
        "log_loss": (skm.log_loss, proba),
        "balanced_accuracy_score": (skm.balanced_accuracy_score, y_pred),
        "true_positives": (_unweighted_true_positives, y_pred),
        "example_count": (flm.count, y_pred),
    }
    group = {name: {"min": -1.0} for name in references}
    counts = ("example_count",)  # fairlearn's count takes no weights
    result = mlgate.run_gate(_gate({"group": group}, weight=weight), data=frame, model=binary_model)
    for name, (function, predictions) in references.items():
        reference = flm.MetricFrame(
            metrics=function,
            y_true=frame["label"],
            y_pred=predictions,
            sensitive_features=frame["band"],
            sample_params={} if name in counts else {"sample_weight": sample_weight},
        )
        details = result.check(f"fairness.{name}[band]").details
        for row in details["groups"]:
            assert row["value"] == pytest.approx(reference.by_group[row["name"]], abs=1e-12, rel=0)
        assert details["group_min"] == pytest.approx(reference.group_min(), abs=1e-12, rel=0)
        assert details["group_max"] == pytest.approx(reference.group_max(), abs=1e-12, rel=0)
        assert details["ratio"] == pytest.approx(reference.ratio(), abs=1e-12, rel=0)
        assert details["difference"] == pytest.approx(reference.difference(), abs=1e-12, rel=0)


def _unweighted_true_positives(y_true, y_pred, sample_weight=None):
    """MLflow's true_positives: a count of rows, whatever the weights."""
    return skm.confusion_matrix(y_true, y_pred, labels=[0, 1])[1, 1]


def test_a_zero_weight_group_is_not_judged(frame, binary_model):
    data = frame.copy()
    data.loc[data["band"] == "60+", "w"] = 0.0
    gate = _gate({"demographic_parity_ratio": LOOSE}, sensitive=("band",), weight="w")
    check = mlgate.run_gate(gate, data=data, model=binary_model).check(
        "fairness.demographic_parity_ratio[band]"
    )
    assert check.details["too_small"] == ["60+"]
    assert check.status == PASSED


def test_group_bounds_and_worst_group_direction(frame, binary_model):
    gate = _gate(
        {
            "group": {
                "recall_score": {"min": 0.99},
                "log_loss": {"max": 10.0},
                "accuracy_score": {"min_ratio": 0.999},
                "precision_score": {"max_difference": 0.0001, "severity": "warn"},
            }
        },
        sensitive=("band",),
    )
    result = mlgate.run_gate(gate, data=frame, model=binary_model)
    recall = result.check("fairness.recall_score[band]")
    assert recall.status == FAILED
    assert recall.value == recall.details["group_min"]
    lowest = fairness.fmt(recall.details["group_min"])
    assert recall.message.startswith(f"recall_score over band: lowest group value {lowest} ")
    assert f"below min 0.99 (worst group '{recall.details['worst_group']}'" in recall.message
    log_loss = result.check("fairness.log_loss[band]")
    assert log_loss.status == PASSED
    assert (
        log_loss.details["worst_group"]
        == max(log_loss.details["groups"], key=lambda g: g["value"])["name"]
    )  # lower is better: the worst group has the highest loss
    assert result.check("fairness.accuracy_score[band]").status == FAILED
    assert "below min_ratio 0.999" in result.check("fairness.accuracy_score[band]").message
    assert result.check("fairness.precision_score[band]").status == WARNED


def test_custom_metric_per_group(frame, binary_model, y_pred, tmp_path, monkeypatch):
    (tmp_path / "fair_metrics.py").write_text(
        "def share_missed(y_true, y_pred, sample_weight=None):\n"
        "    import numpy as np\n"
        "    return float(np.average((y_true == 1) & (y_pred == 0), weights=sample_weight))\n",
        encoding="utf-8",
    )
    frame.to_csv(tmp_path / "eval.csv", index=False)
    gate = _gate(
        {"group": {"share_missed": {"max": 0.5}}},
        sensitive=("band",),
        weight="w",
        metrics={
            "share_missed": {"function": "fair_metrics:share_missed", "greater_is_better": False}
        },
        data={"eval": "eval.csv"},
    )
    (tmp_path / "mlgate.yaml").write_text(json.dumps(gate), encoding="utf-8")
    result = mlgate.run_gate(str(tmp_path / "mlgate.yaml"), model=binary_model)
    details = result.check("fairness.share_missed[band]").details
    for row in details["groups"]:
        rows = (frame["band"] == row["name"]).to_numpy()
        expected = np.average(
            (frame["label"][rows] == 1) & (y_pred[rows] == 0), weights=frame["w"][rows]
        )
        assert row["value"] == pytest.approx(expected, abs=1e-12, rel=0)


def test_multiclass_and_regression_per_group_metrics(
    multiclass_frame, multiclass_model, regression_frame, regression_model
):
    rng = np.random.default_rng(3)
    wine = multiclass_frame.copy()
    wine["region"] = rng.choice(["north", "south"], len(wine))
    result = mlgate.run_gate(
        _gate({"group": {"f1_score": {"min": 0.0}}}, sensitive=("region",)),
        data=wine,
        model=multiclass_model,
    )
    y_pred = multiclass_model.predict(wine[multiclass_model.feature_names_in_])
    reference = flm.MetricFrame(
        metrics=functools.partial(skm.f1_score, average="weighted", zero_division=0.0),
        y_true=wine["label"],
        y_pred=y_pred,
        sensitive_features=wine["region"],
    )
    check = result.check("fairness.f1_score[region]")
    assert check.details["ratio"] == pytest.approx(reference.ratio(), abs=1e-12, rel=0)
    assert all(g["selection_rate"] is None for g in check.details["groups"])

    diabetes = regression_frame.copy()
    diabetes["site"] = np.where(diabetes["age"] > 0, "old", "young")
    result = mlgate.run_gate(
        _gate(
            {"group": {"mean_absolute_error": {"max": 70.0, "max_difference": 100.0}}},
            sensitive=("site",),
            target="y",
            features=[c for c in regression_model.feature_names_in_],
        ),
        data=diabetes,
        model=regression_model,
    )
    reference = flm.MetricFrame(
        metrics=skm.mean_absolute_error,
        y_true=diabetes["y"],
        y_pred=regression_model.predict(diabetes[regression_model.feature_names_in_]),
        sensitive_features=diabetes["site"],
    )
    check = result.check("fairness.mean_absolute_error[site]")
    assert check.value == pytest.approx(reference.group_max(), abs=1e-12, rel=0)
    assert check.details["worst_group"] == reference.by_group.idxmax()


def test_missing_values_form_their_own_group(frame, binary_model, y_pred):
    data = frame.copy()
    data.loc[data.index[::9], "band"] = None
    result = mlgate.run_gate(
        _gate({"demographic_parity_difference": LOOSE}, sensitive=("band",)),
        data=data,
        model=binary_model,
    )
    check = result.check("fairness.demographic_parity_difference[band]")
    assert MISSING in [g["name"] for g in check.details["groups"]]
    filled = data["band"].fillna(MISSING)
    expected = flm.demographic_parity_difference(data["label"], y_pred, sensitive_features=filled)
    assert check.value == pytest.approx(expected, abs=1e-12, rel=0)


def test_small_groups_are_listed_and_never_judged(frame, binary_model, y_pred):
    data = frame.copy()
    data.loc[data.index[:5], "band"] = "90+"  # five rows: far below min_group_size
    gate = _gate(
        {"demographic_parity_ratio": {"min": 0.0}, "min_group_size": 30}, sensitive=("band",)
    )
    check = mlgate.run_gate(gate, data=data, model=binary_model).check(
        "fairness.demographic_parity_ratio[band]"
    )
    assert check.details["too_small"] == ["90+"]
    tiny = next(g for g in check.details["groups"] if g["name"] == "90+")
    assert tiny == tiny | {"judged": False, "value": None, "size": 5}
    judged = (data["band"] != "90+").to_numpy()
    expected = flm.demographic_parity_ratio(
        data["label"][judged], y_pred[judged], sensitive_features=data["band"][judged]
    )
    assert check.value == pytest.approx(expected, abs=1e-12, rel=0)


def test_every_group_too_small_is_warned_not_passed(frame, binary_model):
    gate = _gate({"demographic_parity_ratio": {"min": 0.8}, "min_group_size": 10_000})
    result = mlgate.run_gate(gate, data=frame, model=binary_model)
    check = result.check("fairness.demographic_parity_ratio[sex]")
    assert check.status == WARNED
    assert check.message == fairness.MSG_TOO_SMALL.format(
        metric="demographic_parity_ratio", grouping="sex", size=10_000, groups="f, m"
    )
    assert result.status == "passed"  # warned does not fail the gate


def test_undefined_ratio_errors(frame, binary_model):
    data = frame.copy()
    data["nobody"] = 0  # a 'prediction' column that never selects anyone
    gate = _gate(
        {"demographic_parity_ratio": {"min": 0.8}}, sensitive=("sex",), prediction="nobody"
    )
    check = mlgate.run_gate(gate, data=data).check("fairness.demographic_parity_ratio[sex]")
    assert check.status == ERRORED
    assert check.message == fairness.MSG_UNDEFINED.format(
        metric="demographic_parity_ratio",
        grouping="sex",
        reason="every group's selection_rate is 0",
    )


def test_comparison_with_champion_equals_the_fairlearn_difference(
    frame, binary_model, weak_binary_model, y_pred
):
    gate = _gate(
        {"comparison": {"equal_opportunity_difference": {"max_delta": 0.0}}}, sensitive=("sex",)
    )
    result = mlgate.run_gate(gate, data=frame, model=binary_model, baseline=weak_binary_model)
    champion = weak_binary_model.predict(frame[weak_binary_model.feature_names_in_])
    model_value, base_value = (
        flm.equal_opportunity_difference(frame["label"], p, sensitive_features=frame["sex"])
        for p in (y_pred, champion)
    )
    check = result.check("fairness.comparison.equal_opportunity_difference[sex]")
    assert check.details["model"] == pytest.approx(model_value, abs=1e-12, rel=0)
    assert check.details["baseline"] == pytest.approx(base_value, abs=1e-12, rel=0)
    assert check.value == pytest.approx(model_value - base_value, abs=1e-12, rel=0)
    assert check.status == (PASSED if model_value <= base_value else FAILED)
    assert len(check.details["baseline_groups"]) == 2


def test_comparison_without_baseline_is_skipped_with_the_reason(frame, binary_model):
    gate = _gate({"comparison": {"demographic_parity_ratio": {"min_delta": -0.02}}})
    check = mlgate.run_gate(gate, data=frame, model=binary_model).check(
        "fairness.comparison.demographic_parity_ratio[sex]"
    )
    assert check.status == SKIPPED
    assert check.message == "no baseline to compare with: the gate names no baseline"


def test_sensitive_columns_are_not_model_inputs(frame, binary_frame):
    """A model fitted on a bare array takes the default columns: those exclude the sensitive."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = binary_frame.drop(columns="label").to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, binary_frame["label"])
    data = frame.drop(columns="w")
    gate = _gate({"demographic_parity_ratio": LOOSE})
    context, result = evaluate(gate, data=data, model=model)
    assert "sex" not in context.features and "band" not in context.features
    assert result.check("fairness.demographic_parity_ratio[sex]").status == PASSED


def test_details_are_plain_json_and_deterministic(frame, binary_model):
    gate = _gate(
        {"equalized_odds_difference": {"max": 0.5}, "group": {"roc_auc": {"min": 0.5}}},
        weight="w",
    )
    first = [c.to_dict() for c in mlgate.run_gate(gate, data=frame, model=binary_model).checks]
    second = [c.to_dict() for c in mlgate.run_gate(gate, data=frame, model=binary_model).checks]
    assert json.dumps(first, allow_nan=False) == json.dumps(second, allow_nan=False)


# --- bad input: one line naming the key, exit 2 -------------------------------------------------

CLI_GATE = """\
prediction: pred
data: {{eval: eval.csv}}
target: label
{top}
checks:
  fairness:
{section}
"""


@pytest.fixture
def cli_data(tmp_path, frame, y_pred):
    data = frame[["label", "sex", "band", "mean_radius"]].copy()
    data["pred"] = y_pred
    data["one"] = "x"
    data["id"] = np.arange(len(data))
    data["fine"] = np.arange(len(data)) % 30
    data["fine2"] = (np.arange(len(data)) // 30) % 30
    data.to_csv(tmp_path / "eval.csv", index=False)
    return tmp_path


def _run(run_cli, write_gate, top, section, task=None):
    if task:
        top = f"{top}\ntask: {task}"
    gate = write_gate(CLI_GATE.format(top=top, section=section))
    code, _, err = run_cli("run", "-c", str(gate))
    return code, one_error_line(err), str(gate)


@pytest.mark.parametrize(
    ("top", "section", "expected"),
    [
        (
            "sensitive_features: [sex]",
            "    demographic_parity_ration: {min: 0.8}",
            "unknown key 'demographic_parity_ration' in 'checks.fairness'; did you mean "
            "'demographic_parity_ratio'?",
        ),
        (
            "sensitive_features: [sex]",
            "    group: {recal_score: {min: 0.5}}",
            fairness_config.MSG_UNKNOWN_GROUP_METRIC.format(
                name="recal_score", hint="; did you mean 'recall_score'?"
            ),
        ),
        (
            "sensitive_features: [sex]",
            "    group: {recall_score: {severity: warn}}",
            fairness_config.MSG_NO_GROUP_BOUND.format(
                name="recall_score", bounds="min, max, min_ratio, max_difference"
            ),
        ),
        ("", "    demographic_parity_ratio: {min: 0.8}", fairness_config.MSG_NO_SENSITIVE),
        (
            "sensitive_features: [sex, sex]",
            "    demographic_parity_ratio: {min: 0.8}",
            fairness_config.MSG_DUPLICATE_SENSITIVE.format(column="sex"),
        ),
        (
            "sensitive_features: sex",
            "    demographic_parity_ratio: {min: 0.8}\n    intersectional: true",
            fairness_config.MSG_INTERSECTIONAL_ONE.format(columns=["sex"]),
        ),
        (
            "sensitive_features: [sex]",
            "    min_group_size: 5",
            fairness_config.MSG_NOTHING_TO_CHECK,
        ),
    ],
)
def test_gate_file_errors(run_cli, write_gate, cli_data, top, section, expected):
    code, line, gate = _run(run_cli, write_gate, top, section)
    assert code == 2
    assert line.startswith(f"{gate}: {expected}")


def test_unknown_key_names_the_closest_metric_exactly(run_cli, write_gate, cli_data):
    code, line, _ = _run(
        run_cli, write_gate, "sensitive_features: [sex]", "    equalised_odds_ratio: {max: 1}"
    )
    assert code == 2
    assert "did you mean 'equalized_odds_ratio'?" in line


def test_disparity_on_a_regression_task_is_refused(run_cli, write_gate, cli_data):
    code, line, gate = _run(
        run_cli,
        write_gate,
        "sensitive_features: [sex]",
        "    demographic_parity_ratio: {min: 0.8}",
        task="regression",
    )
    assert code == 2
    assert line == f"{gate}: " + fairness.MSG_NEEDS_BINARY.format(
        key="demographic_parity_ratio",
        name="demographic_parity_ratio",
        task="regression",
        reason="set by 'task' in the gate file",
    )


def test_group_metric_of_another_task_is_refused(run_cli, write_gate, cli_data):
    code, line, gate = _run(
        run_cli, write_gate, "sensitive_features: [sex]", "    group: {r2_score: {min: 0.1}}"
    )
    assert code == 2
    assert line.startswith(
        f"{gate}: checks.fairness.group.r2_score: 'r2_score' is not a binary metric ("
    )


@pytest.mark.parametrize(
    ("top", "section", "expected"),
    [
        (
            "sensitive_features: [gender]",
            "    demographic_parity_ratio: {min: 0.8}",
            MSG_MISSING_COLUMN.format(
                key="sensitive_features",
                column="gender",
                source="{data}",
                hint="",
                columns="label, sex, band, mean_radius, pred, one, id, fine, fine2",
            ),
        ),
        (
            "sensitive_features: [one]",
            "    demographic_parity_ratio: {min: 0.8}",
            fairness.MSG_SINGLE_GROUP.format(column="one", group="x", source="{data}"),
        ),
        (
            "sensitive_features: [id]",
            "    demographic_parity_ratio: {min: 0.8}",
            fairness.MSG_TOO_MANY_GROUPS.format(
                column="id", count="569", source="{data}", limit=MAX_GROUPS
            ),
        ),
        (
            "sensitive_features: [fine, fine2]",
            "    demographic_parity_ratio: {min: 0.8}\n    intersectional: true",
            fairness.MSG_TOO_MANY_INTERSECTIONS.format(
                columns="fine, fine2", count="569", limit=MAX_GROUPS
            ),
        ),
    ],
)
def test_data_errors(run_cli, write_gate, cli_data, top, section, expected):
    code, line, _ = _run(run_cli, write_gate, top, section)
    assert code == 2
    assert line == expected.replace("{data}", str(cli_data / "eval.csv"))


def test_a_passing_fairness_gate_from_the_command_line(run_cli, write_gate, cli_data):
    gate = write_gate(
        CLI_GATE.format(
            top="sensitive_features: [sex, band]",
            section="    demographic_parity_ratio: {min: 0.0}\n    intersectional: true",
        )
    )
    code, out, err = run_cli("run", "-c", str(gate))
    assert code == 0, err
    assert "fairness.demographic_parity_ratio[sex&band]" in out


def test_the_demo_champion_fails_four_fifths_and_the_challenger_passes(tmp_path):
    """The demo shows a real decision: same rows, same gate, different fairness."""
    import yaml

    from mlgate.demo import GATE_FILE, _train

    champion, challenger, _, _ = _train(tmp_path)
    data = pd.read_csv(tmp_path / "data" / "eval.csv")
    text = GATE_FILE.format(name="m", store="s.db", experiment="e", gate_path="g")
    gate = {k: v for k, v in yaml.safe_load(text).items() if k in ("target", "sensitive_features")}
    gate["checks"] = {"fairness": yaml.safe_load(text)["checks"]["fairness"]}
    result = mlgate.run_gate(gate, data=data, model=challenger, baseline=champion)
    assert result.status == "passed"
    comparison = result.check("fairness.comparison.equalized_odds_difference[site]")
    assert comparison.value < 0  # fairer than the champion
    gate["checks"]["fairness"].pop("comparison")
    reverse = mlgate.run_gate(gate, data=data, model=champion)
    assert reverse.check("fairness.demographic_parity_ratio[site]").status == FAILED


def test_checks_command_lists_the_family_and_its_metrics(run_cli):
    code, out, _ = run_cli("checks", "--task", "binary")
    assert code == 0
    lines = out.splitlines()
    assert any(line.split()[:1] == ["fairness"] for line in lines)
    for name, description in _disparity.DISPARITY_DESCRIPTIONS.items():
        assert f"  {name:<32} {description}" in lines


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"sensitive_features": 3}, "'sensitive_features' must be one column name or a list"),
        (
            {"sensitive_features": ["sex"], "checks": {"fairness": {"min_group_size": 0}}},
            "'checks.fairness.min_group_size' must be >= 1, got 0",
        ),
        (
            {
                "sensitive_features": ["sex"],
                "checks": {"fairness": {"comparison": {"recall_score": {"min_delta": 0}}}},
            },
            "unknown key 'recall_score' in 'checks.fairness.comparison'",
        ),
        (
            {
                "sensitive_features": ["sex"],
                "checks": {"fairness": {"group": {"f1_score": {"mn": 1}}}},
            },
            "unknown key 'mn' in 'checks.fairness.group.f1_score'; did you mean 'min'?",
        ),
    ],
)
def test_schema_covers_the_keys(document, expected):
    from mlgate.errors import GateFileError
    from mlgate.spec import spec_from_dict

    with pytest.raises(GateFileError) as error:
        spec_from_dict({"target": "label", **document}, source="g")
    assert str(error.value).startswith(f"g: {expected}")


def test_text_labels_use_the_gates_positive_class(frame, binary_model, y_pred):
    """Labels 'benign'/'malignant' with pos_label: fairlearn on the same rows coded 0/1."""
    data = frame.copy()
    names = np.array(["malignant", "benign"])  # sklearn codes 1 as benign
    data["diagnosis"] = names[data["label"]]
    data["pred"] = names[y_pred]
    gate = _gate(
        {name: LOOSE for name in DISPARITIES},
        target="diagnosis",
        prediction="pred",
        pos_label="malignant",
        task="binary",
    )
    result = mlgate.run_gate(gate, data=data)
    truth, predicted = (data["diagnosis"] == "malignant"), (data["pred"] == "malignant")
    for name, reference in DISPARITIES.items():
        expected = reference(
            truth.astype(int), predicted.astype(int), sensitive_features=data["sex"]
        )
        assert result.check(f"fairness.{name}[sex]").value == pytest.approx(
            expected, abs=1e-12, rel=0
        )


def test_pytest_plugin_collects_one_item_per_check(pytester, frame, y_pred):
    """Items come from the family's names hook: one per metric and grouping, and per slice."""
    from mlgate.checks import families
    from mlgate.metrics import definitions

    # Load the registering modules before pytester snapshots sys.modules: it drops modules first
    # imported inside a run, and re-importing one would register its metrics or family twice.
    definitions("binary")
    families()
    data = frame[["label", "sex", "band"]].copy()
    data["pred"] = y_pred
    data.to_csv(pytester.path / "eval.csv", index=False)
    pytester.makefile(
        ".yaml",
        mlgate=(
            "prediction: pred\ndata: {eval: eval.csv}\ntarget: label\n"
            "sensitive_features: [sex, band]\n"
            "checks:\n"
            "  slices:\n"
            "    - {by: band, metrics: {recall_score: {min: 0.5}}}\n"
            "  fairness:\n"
            "    demographic_parity_ratio: {min: 0.0}\n"
            "    group: {accuracy_score: {min: 0.99}}\n"
            "    intersectional: true\n"
        ),
    )
    result = pytester.runpytest("--mlgate", "-q", "-p", "no:cacheprovider", "--co")
    result.stdout.fnmatch_lines(
        [
            "mlgate.yaml::slices::recall_score[[]band[]]",
            "mlgate.yaml::fairness::demographic_parity_ratio[[]sex[]]",
            "mlgate.yaml::fairness::demographic_parity_ratio[[]band[]]",
            "mlgate.yaml::fairness::demographic_parity_ratio[[]sex&band[]]",
            "mlgate.yaml::fairness::accuracy_score[[]sex[]]",
            "mlgate.yaml::fairness::accuracy_score[[]band[]]",
            "mlgate.yaml::fairness::accuracy_score[[]sex&band[]]",
        ]
    )
    result = pytester.runpytest("--mlgate", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=3)


@pytest.fixture(scope="module")
def wages():
    """Generated wages: the model's error is three times larger for one group than the other."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(19)
    n = 2000
    data = pd.DataFrame({"hours": rng.uniform(10, 60, n), "years": rng.uniform(0, 40, n)})
    data["gender"] = rng.choice(["f", "m"], n)
    noise = rng.normal(0, np.where(data["gender"] == "m", 3000.0, 1000.0))
    data["wage"] = 300 * data["hours"] + 200 * data["years"] + noise
    model = LinearRegression().fit(data[["hours", "years"]], data["wage"])
    return data, model


def test_every_failing_group_bound_is_named_with_its_own_quantity(wages):
    """Issue 19: a failing min_ratio printed the ratio as if it were an MAE, and only 'max'."""
    data, model = wages
    gate = _gate(
        {"group": {"mean_absolute_error": {"max": 1500.0, "min_ratio": 0.7}}},
        sensitive=("gender",),
        target="wage",
    )
    check = mlgate.run_gate(gate, data=data, model=model).check(
        "fairness.mean_absolute_error[gender]"
    )
    details = check.details
    assert check.status == FAILED
    assert details["failed_bounds"] == ["max", "min_ratio"]
    assert details["greater_is_better"] is False
    assert check.value == details["group_max"]  # the worst group's MAE, not the ratio
    fmt = fairness.fmt
    assert check.message == fairness.MSG_GROUP_OUTSIDE.format(
        metric="mean_absolute_error",
        grouping="gender",
        violations=f"highest group value {fmt(details['group_max'])} above max 1,500; "
        f"ratio lowest/highest {fmt(details['ratio'])} below min_ratio 0.7",
        worst="m",
        worst_value=fmt(details["group_max"]),
        best="f",
        best_value=fmt(details["group_min"]),
    )


def test_a_passing_group_check_names_each_quantity_beside_its_bound(wages):
    data, model = wages
    gate = _gate(
        {"group": {"mean_absolute_error": {"max": 10_000.0, "min_ratio": 0.1}}},
        sensitive=("gender",),
        target="wage",
    )
    check = mlgate.run_gate(gate, data=data, model=model).check(
        "fairness.mean_absolute_error[gender]"
    )
    assert check.status == PASSED
    ratio = fairness.fmt(check.details["ratio"])
    assert f"ratio lowest/highest {ratio} (min_ratio 0.1)" in check.message
    assert check.details["failed_bounds"] == []
