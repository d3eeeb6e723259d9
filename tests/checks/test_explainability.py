"""Explainability checks: importance equal to shap's own explainers, the rules, failures, inputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shap

import mlgate
from mlgate.checks import _shap
from mlgate.checks import explainability as module
from mlgate.checks._shap import Importance
from mlgate.checks.explainability import ExplainabilityConfig, TopKRule
from mlgate.result import ERRORED, FAILED, PASSED, SKIPPED, WARNED
from tests._cli import one_error_line
from tests._estimators import LookupClassifier


@pytest.fixture(scope="module")
def small_binary(binary_frame):
    """200 breast-cancer rows and 8 features: big enough to rank, small enough to be fast."""
    columns = [
        "mean_radius",
        "mean_texture",
        "mean_smoothness",
        "worst_area",
        "worst_concave_points",
        "mean_symmetry",
        "texture_error",
        "worst_texture",
    ]
    return binary_frame[[*columns, "label"]].sample(200, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def forest(small_binary):
    from sklearn.ensemble import RandomForestClassifier

    X = small_binary.drop(columns="label")
    return RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0).fit(
        X, small_binary["label"]
    )


@pytest.fixture(scope="module")
def mixed_frame():
    """Numeric and categorical columns, with a target driven by both."""
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "age": rng.integers(18, 80, n).astype(float),
            "city": rng.choice(["paris", "lyon", "nice", "lille"], n),
            "noise": rng.normal(0, 1, n),
        }
    )
    signal = (frame["income"] - 50) / 10 + (frame["city"] == "paris") * 1.5
    frame["label"] = (signal + rng.normal(0, 0.5, n) > 0.5).astype(int)
    return frame


def _gate(section, **extra):
    return {"target": "label", **extra, "checks": {"explainability": section}}


def _importance(result):
    return result.check("explainability.importance").details["importance"]


def _mean_abs(values, names):
    return dict(zip(names, np.abs(values).mean(axis=0), strict=True))


def _assert_same(got, expected, ranked=True):
    if ranked:
        assert list(got) == sorted(expected, key=lambda n: (-expected[n], n))
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- agreement with shap itself


def test_forest_importance_equals_exact_tree_shap(small_binary, forest):
    result = mlgate.run_gate(_gate({"sample": 500}), data=small_binary, model=forest)
    X = small_binary.drop(columns="label")
    values = shap.TreeExplainer(forest).shap_values(X.to_numpy(dtype=float))[:, :, 1]
    _assert_same(_importance(result), _mean_abs(values, X.columns))
    details = result.check("explainability.importance").details
    assert details["algorithm"] == "tree_path_dependent"
    assert details["output"] == "probability of class 1"
    assert details["sample"] == {
        "requested": 500,
        "rows": 200,
        "of": 200,
        "seed": 0,
        "background": None,
    }
    assert details["agreement"] is None
    assert sum(details["share"].values()) == pytest.approx(1.0)


def test_large_forest_uses_saabas_and_measures_agreement(small_binary, forest, monkeypatch):
    monkeypatch.setattr(_shap, "EXACT_TREE_BUDGET", 0.0)  # as if the forest were huge
    result = mlgate.run_gate(_gate({"sample": 100}), data=small_binary, model=forest)
    details = result.check("explainability.importance").details
    assert details["algorithm"] == "saabas"
    rows = module.sample_rows(200, 100, 0)
    X = small_binary.drop(columns="label").to_numpy(dtype=float)[rows]
    explainer = shap.TreeExplainer(forest)
    approximate = explainer.shap_values(X, approximate=True)[:, :, 1]
    names = list(small_binary.columns[:-1])
    _assert_same(details["importance"], _mean_abs(approximate, names))
    agreement = details["agreement"]
    assert agreement["rows"] == _shap.AGREEMENT_ROWS
    exact = _mean_abs(explainer.shap_values(X[: _shap.AGREEMENT_ROWS])[:, :, 1], names)
    sub = _mean_abs(approximate[: _shap.AGREEMENT_ROWS], names)
    from scipy.stats import spearmanr

    expected = spearmanr([exact[n] for n in names], [sub[n] for n in names]).statistic
    assert agreement["spearman"] == pytest.approx(expected)
    assert agreement["top_k"] == 5
    assert 0.0 <= agreement["top_k_overlap"] <= 1.0


def test_exact_true_forces_exact_attributions(small_binary, forest, monkeypatch):
    monkeypatch.setattr(_shap, "EXACT_TREE_BUDGET", 0.0)
    result = mlgate.run_gate(_gate({"exact": True}), data=small_binary, model=forest)
    assert result.check("explainability.importance").details["algorithm"] == "tree_path_dependent"


def test_linear_regression_equals_linear_explainer(regression_frame, regression_model):
    result = mlgate.run_gate(
        {"target": "y", "checks": {"explainability": {"sample": 300}}},
        data=regression_frame,
        model=regression_model,
    )
    X = regression_frame.drop(columns="y")
    rows = module.sample_rows(len(X), 300, 0)
    chosen = X.to_numpy(dtype=float)[rows]
    masker = shap.maskers.Independent(chosen[: _shap.BACKGROUND_ROWS])
    values = shap.LinearExplainer(regression_model, masker).shap_values(chosen)
    _assert_same(_importance(result), _mean_abs(values, X.columns))
    details = result.check("explainability.importance").details
    assert (details["algorithm"], details["output"]) == ("linear", "prediction")


def test_one_hot_pipeline_sums_encoded_columns_into_their_source(mixed_frame):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = mixed_frame.drop(columns="label")
    encode = ColumnTransformer(
        [
            ("city", OneHotEncoder(), ["city"]),
            ("scale", StandardScaler(), ["income", "age"]),
        ],
        remainder="drop",
    )
    pipeline = make_pipeline(
        encode, RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0)
    ).fit(X, mixed_frame["label"])
    result = mlgate.run_gate(_gate({"sample": 1000}), data=mixed_frame, model=pipeline)

    transformed = pipeline[:-1].transform(X.iloc[module.sample_rows(len(X), 1000, 0)])
    values = shap.TreeExplainer(pipeline[-1]).shap_values(transformed)[:, :, 1]
    # 4 one-hot columns for city, then income and age; noise is dropped by the transform.
    expected = {
        "city": np.abs(values[:, :4].sum(axis=1)).mean(),
        "income": np.abs(values[:, 4]).mean(),
        "age": np.abs(values[:, 5]).mean(),
        "noise": 0.0,
    }
    _assert_same(_importance(result), expected)
    assert result.check("explainability.importance").details["feature_space"] == "input"


def test_mixing_transform_reports_transformed_names_and_says_so(small_binary):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = small_binary.drop(columns="label")
    pipeline = make_pipeline(PCA(n_components=3), LogisticRegression()).fit(
        X, small_binary["label"]
    )
    gate = _gate({"forbidden_in_top_k": {"k": 2, "features": ["mean_radius"]}})
    result = mlgate.run_gate(gate, data=small_binary, model=pipeline)
    details = result.check("explainability.importance").details
    assert details["feature_space"] == "transformed"
    assert set(details["importance"]) == {"pca0", "pca1", "pca2"}
    assert details["notes"] == [_shap.NOTE_TRANSFORMED.format(count=3)]
    forbidden = result.check("explainability.forbidden_in_top_k")
    assert (forbidden.status, forbidden.message) == (ERRORED, module.MSG_TRANSFORMED)


def test_multiclass_is_explained_per_class_and_averaged(multiclass_frame):
    from sklearn.ensemble import RandomForestClassifier

    X = multiclass_frame.drop(columns="label")
    model = RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0).fit(
        X, multiclass_frame["label"]
    )
    result = mlgate.run_gate(_gate({"sample": 500}), data=multiclass_frame, model=model)
    details = result.check("explainability.importance").details
    values = shap.TreeExplainer(model).shap_values(X.to_numpy(dtype=float))
    per_class = {
        str(label): _mean_abs(values[:, :, index], X.columns)
        for index, label in enumerate(model.classes_)
    }
    for label, expected in per_class.items():
        _assert_same(details["per_class"][label], expected, ranked=False)
    mean = {name: np.mean([per_class[c][name] for c in per_class]) for name in X.columns}
    _assert_same(details["importance"], mean)


def test_binary_boosting_is_explained_on_probabilities(small_binary):
    from sklearn.ensemble import GradientBoostingClassifier

    X = small_binary.drop(columns="label")
    model = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(
        X, small_binary["label"]
    )
    result = mlgate.run_gate(_gate({"sample": 500}), data=small_binary, model=model)
    rows = X.to_numpy(dtype=float)[module.sample_rows(len(X), 500, 0)]
    explainer = shap.TreeExplainer(
        model,
        data=rows[: _shap.BACKGROUND_ROWS],
        feature_perturbation="interventional",
        model_output="probability",
    )
    _assert_same(_importance(result), _mean_abs(explainer.shap_values(rows), X.columns))
    details = result.check("explainability.importance").details
    assert details["algorithm"] == "interventional_tree"
    assert details["sample"]["background"] == _shap.BACKGROUND_ROWS


def test_importance_is_deterministic_and_shared_through_the_memo(small_binary, forest):
    from mlgate.engine import evaluate

    context, first = evaluate(_gate({"sample": 50}), data=small_binary, model=forest)
    assert (
        module.global_importance(context)
        == first.check("explainability.importance").details["importance"]
    )
    assert module.model_importance(context) is context.memo(module.MODEL_MEMO, lambda: None)
    _, second = evaluate(_gate({"sample": 50}), data=small_binary, model=forest)

    def without_time(result):
        details = dict(result.check("explainability.importance").to_dict()["details"])
        details.pop("seconds")
        return json.dumps(details, sort_keys=True)

    assert without_time(first) == without_time(second)


def test_mlflow_pyfunc_is_unwrapped_to_the_estimator(tmp_path, forest):
    import mlflow

    mlflow.sklearn.save_model(
        forest,
        tmp_path / "model",
        serialization_format="cloudpickle",
        pip_requirements=["scikit-learn", "cloudpickle"],
    )
    pyfunc = mlflow.pyfunc.load_model(str(tmp_path / "model"))
    assert _shap._unwrap(pyfunc).__class__ is forest.__class__


# ---------------------------------------------------------------- rules


def _made(values: dict[str, float], space: str = "input") -> Importance:
    return Importance(
        values=values,
        algorithm="linear",
        explainer="LinearExplainer",
        model_type="X",
        output="prediction",
        feature_space=space,
        rows=100,
        background=100,
        seconds=0.0,
    )


IMPORTANCE = {"income": 0.5, "zip_code": 0.3, "age": 0.15, "gender": 0.05}


def test_forbidden_feature_in_top_k_fails():
    config = ExplainabilityConfig(forbidden_in_top_k=TopKRule(k=2, features=("gender", "zip_code")))
    result = module._forbidden(_made(IMPORTANCE), None, config)  # type: ignore[arg-type]
    assert result.status == FAILED
    assert result.message == "forbidden feature(s) in the top 2: zip_code (rank 2)"
    assert result.details["ranks"] == {"gender": 4, "zip_code": 2}
    assert result.value == 1


def test_forbidden_features_outside_top_k_pass():
    config = ExplainabilityConfig(forbidden_in_top_k=TopKRule(k=1, features=("gender", "zip_code")))
    result = module._forbidden(_made(IMPORTANCE), None, config)  # type: ignore[arg-type]
    assert result.status == PASSED
    assert result.message == "none of gender, zip_code is in the top 1 features (income)"


def test_required_feature_outside_top_k_fails_and_warn_only_warns():
    rule = TopKRule(k=2, features=("income", "age"))
    failed = module._required(_made(IMPORTANCE), None, ExplainabilityConfig(required_in_top_k=rule))  # type: ignore[arg-type]
    assert failed.status == FAILED
    assert failed.message == "required feature(s) not in the top 2: age (top 2: income, zip_code)"
    warned = module._required(
        _made(IMPORTANCE),
        None,  # type: ignore[arg-type]
        ExplainabilityConfig(required_in_top_k=rule, severity="warn"),
    )
    assert warned.status == WARNED


def test_required_feature_the_model_does_not_use_fails():
    rule = TopKRule(k=4, features=("height",))
    result = module._required(_made(IMPORTANCE), None, ExplainabilityConfig(required_in_top_k=rule))  # type: ignore[arg-type]
    assert result.status == FAILED
    assert result.details["ranks"] == {"height": None}


@pytest.mark.parametrize(("limit", "status"), [(0.4, FAILED), (0.5, PASSED), (0.6, PASSED)])
def test_max_feature_share(limit, status):
    config = ExplainabilityConfig(max_feature_share=limit)
    result = module._max_share(_made(IMPORTANCE), None, config)  # type: ignore[arg-type]
    assert result.status == status
    assert result.value == pytest.approx(0.5)
    if status == FAILED:
        assert result.message == "income holds 50.0% of total mean |SHAP|, above max 40.0%"


def test_baseline_rank_agreement(small_binary, forest):
    from sklearn.ensemble import ExtraTreesClassifier

    X = small_binary.drop(columns="label")
    champion = ExtraTreesClassifier(n_estimators=10, max_depth=3, random_state=1).fit(
        X[["mean_radius", "worst_area", "mean_texture"]], small_binary["label"]
    )
    gate = _gate({"sample": 100, "baseline_rank_agreement": {"top_k": 3, "min": 0.99}})
    result = mlgate.run_gate(gate, data=small_binary, model=forest, baseline=champion)
    check = result.check("explainability.baseline_rank_agreement")

    rows = module.sample_rows(len(X), 100, 0)
    model_values = _mean_abs(
        shap.TreeExplainer(forest).shap_values(X.to_numpy(dtype=float)[rows])[:, :, 1], X.columns
    )
    few = X[["mean_radius", "worst_area", "mean_texture"]].to_numpy(dtype=float)[rows]
    base_values = _mean_abs(
        shap.TreeExplainer(champion).shap_values(few)[:, :, 1],
        ["mean_radius", "worst_area", "mean_texture"],
    )
    model_top = sorted(model_values, key=lambda n: -model_values[n])[:3]
    base_top = sorted(base_values, key=lambda n: -base_values[n])[:3]
    union = sorted(set(model_top) | set(base_top))
    from scipy.stats import spearmanr

    expected = spearmanr(
        [model_values[n] for n in union], [base_values.get(n, 0.0) for n in union]
    ).statistic
    assert check.value == pytest.approx(expected)
    assert check.details["features"] == union
    assert check.status == (PASSED if expected >= 0.99 else FAILED)

    same = mlgate.run_gate(gate, data=small_binary, model=forest, baseline=forest)
    agreement = same.check("explainability.baseline_rank_agreement")
    assert (agreement.status, agreement.value) == (PASSED, pytest.approx(1.0))


def test_baseline_rank_agreement_is_skipped_before_the_first_champion(small_binary, forest):
    from mlgate.checks import run_checks
    from mlgate.context import build_context
    from mlgate.loading.data import from_frame
    from mlgate.loading.models import from_object
    from mlgate.spec import spec_from_dict

    spec = spec_from_dict(
        _gate(
            {"baseline_rank_agreement": {"top_k": 3, "min": 0.5}},
            baseline="models:/m@champion",
        )
    )
    context = build_context(
        spec,
        from_frame(small_binary, "data"),
        from_object(forest, "model"),
        None,
        baseline_skipped_reason="alias 'champion' does not exist yet",
    )
    results = {r.name: r for r in run_checks(context)}
    assert results["baseline_rank_agreement"].status == SKIPPED
    assert results["importance"].status == PASSED


# ---------------------------------------------------------------- failures fail the gate


GATE = """\
model: model.joblib
data: {{eval: eval.csv}}
target: label
checks:
  explainability:
{section}
"""


@pytest.fixture
def forest_files(tmp_path, small_binary, forest, write_inputs):
    write_inputs(forest, small_binary)
    return tmp_path


def test_a_shap_failure_fails_the_gate(run_cli, tmp_path, small_binary, write_inputs, write_gate):
    X = small_binary.drop(columns="label")
    write_inputs(LookupClassifier().fit(X, small_binary["label"]), small_binary)
    gate = write_gate(GATE.format(section="    sample: 20\n    max_feature_share: 0.5"))
    code, out, _ = run_cli("run", "-c", str(gate))
    assert code == 1
    assert "explainability.importance" in out
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    statuses = {c["id"]: (c["status"], c["message"]) for c in report["checks"]}
    status, message = statuses["explainability.importance"]
    assert status == ERRORED
    assert message.startswith("SHAP failed on LookupClassifier: ValueError: ")
    assert message.endswith("row(s) never seen in fit")
    assert statuses["explainability.max_feature_share"] == (ERRORED, message)
    assert report["status"] == "failed"


def test_a_classifier_without_probabilities_errors_naming_what_to_set(small_binary):
    from sklearn.svm import SVC

    X = small_binary.drop(columns="label")
    model = SVC().fit(X, small_binary["label"])
    result = mlgate.run_gate(_gate({"sample": 20}), data=small_binary, model=model)
    check = result.check("explainability.importance")
    assert (check.status, check.message) == (ERRORED, _shap.MSG_NO_PROBA.format(type="SVC"))
    assert result.status == "failed"


def test_precomputed_predictions_cannot_be_explained(small_binary):
    frame = small_binary.assign(pred=small_binary["label"])
    result = mlgate.run_gate(_gate({}, prediction="pred"), data=frame)
    check = result.check("explainability.importance")
    assert (check.status, check.message) == (ERRORED, module.MSG_NO_MODEL)
    assert result.status == "failed"


# ---------------------------------------------------------------- bad input: one line, exit 2


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "    forbidden_in_top_k: {k: 2, features: [gendr]}",
            module.MSG_NOT_A_COLUMN.format(
                key="checks.explainability.forbidden_in_top_k.features",
                feature="gendr",
                source="{eval}",
                hint="",
            ),
        ),
        (
            "    required_in_top_k: {k: 2, features: [mean_radus]}",
            module.MSG_NOT_A_COLUMN.format(
                key="checks.explainability.required_in_top_k.features",
                feature="mean_radus",
                source="{eval}",
                hint="; did you mean 'mean_radius'?",
            ),
        ),
        (
            "    required_in_top_k: {k: 9, features: [mean_radius]}",
            module.MSG_K_TOO_LARGE.format(
                key="checks.explainability.required_in_top_k.k", count=8, got=9
            ),
        ),
        (
            "    baseline_rank_agreement: {top_k: 3, min: 0.8}",
            module.MSG_AGREEMENT_NEEDS_BASELINE.format(key="checks.explainability"),
        ),
        ("    sample: 5", "{gate}: 'checks.explainability.sample' must be >= 10, got 5"),
        (
            "    sample: 10.5",
            "{gate}: 'checks.explainability.sample' must be an integer, got 10.5",
        ),
        (
            "    max_feature_share: 0",
            "{gate}: 'checks.explainability.max_feature_share' must be > 0, got 0",
        ),
    ],
    ids=[
        "forbidden-not-a-column",
        "required-not-a-column",
        "k-too-large",
        "agreement-without-baseline",
        "sample-too-small",
        "sample-not-integer",
        "share-zero",
    ],
)
def test_bad_input_is_one_line_exit_2(run_cli, forest_files, write_gate, section, expected):
    gate = write_gate(GATE.format(section=section))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2, err
    eval_source = str(forest_files / "eval.csv")
    assert one_error_line(err) == expected.format(eval=eval_source, gate=gate)


def test_agreement_with_only_baseline_predictions_is_exit_2(
    run_cli, forest_files, small_binary, write_gate
):
    small_binary.assign(champion=small_binary["label"]).to_csv(
        forest_files / "eval.csv", index=False
    )
    text = GATE.format(section="    baseline_rank_agreement: {top_k: 3, min: 0.8}")
    gate = write_gate(text.replace("target: label", "target: label\nbaseline_prediction: champion"))
    code, _, err = run_cli("run", "-c", str(gate))
    assert code == 2
    assert one_error_line(err) == module.MSG_AGREEMENT_NEEDS_MODEL.format(
        key="checks.explainability"
    )
