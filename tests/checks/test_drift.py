"""Drift checks: statistics against scipy, Holm, the false-alarm rate by simulation, bad inputs."""

from __future__ import annotations

import dataclasses
import json
import sys
import types

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial import distance

from mlgate.checks import _drift_stats, drift
from mlgate.checks.drift import DriftConfig, drift_between
from mlgate.engine import evaluate, run_gate
from tests._cli import one_error_line

GATE = """\
model: model.joblib
data: {{eval: eval.csv, reference: reference.csv}}
target: label
checks:
  drift: {drift}
"""


def _mixed_frame(n: int, seed: int) -> pd.DataFrame:
    """Correlated numeric, skewed, integer-count and categorical columns (a loan-like table)."""
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.5, n)
    age = rng.normal(40, 12, n).round()
    return pd.DataFrame(
        {
            "income": income,
            "debt": income * rng.uniform(0.1, 0.6, n) + rng.normal(0, 2000, n),
            "age": age,
            "tenure": np.clip(age - 18 - rng.exponential(5, n), 0, None),
            "accounts": rng.poisson(3, n),
            "score": rng.normal(650, 60, n) + 0.002 * income,
            "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "product": rng.choice(["card", "loan", "mortgage"], n),
            "online": rng.random(n) < 0.6,
            "late_payments": rng.poisson(0.5, n),
        }
    )


# --- statistics against the reference libraries -------------------------------------------


def test_holm_matches_the_step_down_definition():
    p = [0.01, 0.04, 0.03, 0.005]
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> monotone 0.06
    assert _drift_stats.holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert _drift_stats.holm([0.9, 0.8]) == [1.0, 1.0]
    assert _drift_stats.holm([]) == []


def test_ks_chi2_js_and_wasserstein_equal_scipy():
    rng = np.random.default_rng(1)
    a, b = pd.Series(rng.normal(size=300)), pd.Series(rng.normal(0.3, 1.2, size=250))
    ks = _drift_stats.numeric_drift(a, b, "ks", bins=10)
    expected = stats.ks_2samp(a, b)
    assert (ks.statistic, ks.p_value) == pytest.approx((expected.statistic, expected.pvalue))
    wasserstein = _drift_stats.numeric_drift(a, b, "wasserstein", bins=10)
    assert wasserstein.p_value is None and wasserstein.bound == 0  # every value is an edge
    assert wasserstein.statistic == pytest.approx(stats.wasserstein_distance(a, b) / np.std(a))
    histogram = wasserstein.histogram
    assert sum(histogram["reference"]) == 300 and sum(histogram["eval"]) == 250
    assert len(histogram["edges"]) == len(histogram["reference"]) + 1 <= 11

    x = pd.Series(rng.choice(list("abcd"), 400, p=[0.4, 0.3, 0.2, 0.1]))
    y = pd.Series(rng.choice(list("abcd"), 300, p=[0.3, 0.3, 0.2, 0.2]))
    table = pd.crosstab(pd.concat([x, y]), np.repeat([0, 1], [400, 300])).to_numpy().T
    chi2 = _drift_stats.categorical_drift(x, y, "chi2", max_categories=10)
    expected = stats.chi2_contingency(table, correction=False)
    assert (chi2.statistic, chi2.p_value) == pytest.approx((expected.statistic, expected.pvalue))
    hist = chi2.histogram
    js = _drift_stats.categorical_drift(x, y, "jensenshannon", max_categories=10).statistic
    ref = np.array(hist["reference"]) / 400
    ev = np.array(hist["eval"]) / 300
    assert js == pytest.approx(distance.jensenshannon(ref, ev, base=2))


def test_binned_wasserstein_is_close_to_scipy_on_many_values(monkeypatch):
    monkeypatch.setattr(_drift_stats, "FINE_BINS", 512)  # force the quantile-binned path
    rng = np.random.default_rng(2)
    a, b = rng.lognormal(size=20_000), rng.lognormal(size=20_000) * 1.1 + 0.05
    found = _drift_stats.numeric_drift(pd.Series(a), pd.Series(b), "wasserstein", bins=20)
    exact = stats.wasserstein_distance(a, b) / np.std(a)
    assert found.statistic == pytest.approx(exact, rel=0.005)
    assert 0 < found.bound < 0.15 * exact  # a worst case: 512 cells, long tail
    assert abs(found.statistic - exact) <= found.bound  # the stated bound holds


def test_slot_counts_make_ks_exact_at_one_sides_values_and_bound_it_otherwise():
    """Edges at every value of the small side: the statistic is scipy's; on coarse quantile
    edges it is within the stated bound of scipy's."""
    rng = np.random.default_rng(6)
    small, large = np.round(rng.normal(size=700), 2), rng.normal(0.1, 1.0, size=40_000)
    expected = stats.ks_2samp(small, large)
    edges = np.union1d(np.unique(small), [large.min(), large.max()])
    slots = (_drift_stats.slot_counts(small, edges), _drift_stats.slot_counts(large, edges))
    assert slots[0].sum() == 700 and slots[1].sum() == 40_000
    statistic, bound = _drift_stats.ks_from_slots(*slots)
    assert statistic == pytest.approx(expected.statistic, abs=1e-12) and bound == 0
    p_value = _drift_stats.ks_asymptotic_p_value(statistic, 700, 40_000)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9)  # scipy's asymptotic method
    coarse = np.quantile(np.concatenate((small, large)), np.linspace(0, 1, 65))
    slots = (_drift_stats.slot_counts(small, coarse), _drift_stats.slot_counts(large, coarse))
    statistic, bound = _drift_stats.ks_from_slots(*slots)
    assert bound > 0 and statistic <= expected.statistic <= statistic + bound


def test_psi_from_slots_equals_psi_on_the_values():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=3000), rng.normal(0.4, 1.1, size=2000)
    cuts = _drift_stats.psi_cuts(np.quantile(a, np.linspace(0, 1, 11)))
    edges = np.union1d(np.quantile(np.concatenate((a, b)), np.linspace(0, 1, 50)), cuts)
    from_slots = _drift_stats.psi_from_slots(
        edges, cuts, _drift_stats.slot_counts(a, edges), _drift_stats.slot_counts(b, edges)
    )
    direct = _drift_stats.numeric_drift(pd.Series(a), pd.Series(b), "psi", bins=20).statistic
    assert from_slots == pytest.approx(direct, rel=1e-12)


def test_psi_on_reference_deciles_matches_the_formula():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=5000), rng.normal(0.5, 1, size=4000)
    value = _drift_stats.numeric_drift(pd.Series(a), pd.Series(b), "psi", bins=20).statistic
    edges = np.quantile(a, np.linspace(0, 1, 11))[1:-1]
    p = np.bincount(np.searchsorted(edges, a, side="right"), minlength=10) / len(a)
    q = np.bincount(np.searchsorted(edges, b, side="right"), minlength=10) / len(b)
    assert value == pytest.approx(np.sum((q - p) * np.log(q / p)))


def test_test_is_chosen_by_type_and_size_and_reported():
    frame = _mixed_frame(600, 0)
    small = {r.column: r for r in drift_between(frame[:300], frame[300:])}
    assert small["income"].test == "ks" and small["region"].test == "chi2"
    assert small["accounts"].kind == "categorical"  # a count with few values
    assert small["online"].kind == "categorical"
    large = {
        r.column: r for r in drift_between(frame[:300], frame[300:], DriftConfig(large_sample=100))
    }
    assert large["income"].test == "wasserstein" and large["income"].p_value is None
    assert large["region"].test == "jensenshannon"
    assert large["income"].threshold == 0.1


def test_many_levels_are_bounded_and_noted():
    rng = np.random.default_rng(4)
    ids_a = pd.Series(rng.integers(0, 5000, 3000).astype(str))
    ids_b = pd.Series(rng.integers(0, 5000, 3000).astype(str))
    (result,) = drift_between(
        pd.DataFrame({"customer": ids_a}),
        pd.DataFrame({"customer": ids_b}),
        DriftConfig(max_categories=20),
    )
    assert len(result.histogram["categories"]) == 21  # 20 kept + (other)
    assert result.histogram["categories"][-1] == "(other)"
    assert "categories; the 20 most frequent are compared" in result.notes[0]


# --- false alarms and power, by seeded simulation --------------------------------------------


def _alarm(results) -> bool:
    return any(r.drifted for r in results)


def test_false_alarm_rate_is_controlled_and_mild_shift_caught():
    population = _mixed_frame(8000, 5)
    rng = np.random.default_rng(6)
    runs, n = 100, 300
    alarms = uncorrected = 0
    for _ in range(runs):
        rows = rng.permutation(len(population))[: 2 * n]
        reference, evaluation = population.iloc[rows[:n]], population.iloc[rows[n:]]
        results = drift_between(reference, evaluation)
        alarms += _alarm(results)
        uncorrected += any(r.p_value is not None and r.p_value <= 0.05 for r in results)
    # 10 columns at p < 0.05 alarm on ~40% of splits; Holm keeps the gate near or below 5%
    assert uncorrected / runs > 0.2
    assert alarms / runs <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / runs)

    # rows above the median of 'score' sampled twice as often, 800 rows a side (as the issue)
    weights = np.where(population["score"] > population["score"].median(), 2.0, 1.0)
    caught = 0
    for _ in range(20):
        rows = rng.permutation(len(population))
        reference = population.iloc[rows[:800]]
        pool = rows[800:]
        chosen = rng.choice(pool, 800, replace=False, p=weights[pool] / weights[pool].sum())
        caught += _alarm(drift_between(reference, population.iloc[chosen]))
    assert caught / 20 >= 0.95


# --- through the gate -------------------------------------------------------------------------


@pytest.fixture
def drift_gate(tmp_path, binary_frame, binary_model, save_model, write_gate):
    """reference.csv and eval.csv: two halves of breast cancer; model.joblib fitted on all."""
    save_model(binary_model)
    reference = binary_frame.sample(frac=0.5, random_state=0)
    reference.to_csv(tmp_path / "reference.csv", index=False)
    binary_frame.drop(reference.index).to_csv(tmp_path / "eval.csv", index=False)

    def write(drift_section: str = "{}"):
        return write_gate(GATE.format(drift=drift_section))

    return write


def test_minimal_drift_gate_passes_on_a_random_split(run_cli, drift_gate, tmp_path):
    code, out, err = run_cli("run", "-c", str(drift_gate()))
    assert code == 0, out + err
    assert "PASS  drift.features" in out
    assert "PASS  drift.prediction" in out and "PASS  drift.label" in out
    report = json.loads((tmp_path / "mlgate-report.json").read_text())
    features = next(c for c in report["checks"] if c["id"] == "drift.features")
    assert features["details"]["tests_corrected"] == 32
    column = features["details"]["columns"][0]
    assert set(column) >= {"test", "statistic", "p_value", "threshold", "drifted", "histogram"}
    assert len(column["histogram"]["edges"]) == len(column["histogram"]["eval"]) + 1


def test_shifted_eval_fails_and_names_the_feature(binary_frame, binary_model):
    rows = binary_frame.sample(frac=0.5, random_state=0)
    evaluation = binary_frame.drop(rows.index).copy()
    evaluation["mean_texture"] = evaluation["mean_texture"] * 1.3
    gate = {"target": "label", "checks": {"drift": {"prediction": False}}}
    first = run_gate(gate, data=evaluation, reference=rows, model=binary_model)
    features = first.check("drift.features")
    assert features.status == "failed"
    assert features.details["drifted"][0] == "mean_texture"
    assert "'mean_texture' (Kolmogorov-Smirnov statistic " in features.message
    assert ", Holm-adjusted p=" in features.message
    again = run_gate(gate, data=evaluation, reference=rows, model=binary_model)
    assert json.dumps(first.check("drift.features").to_dict()) == json.dumps(
        again.check("drift.features").to_dict()
    )


def test_warn_severity_and_per_column_override(binary_frame, binary_model):
    rows = binary_frame.sample(frac=0.5, random_state=0)
    evaluation = binary_frame.drop(rows.index).copy()
    evaluation["mean_texture"] = evaluation["mean_texture"] * 1.3
    gate = {
        "target": "label",
        "checks": {
            "drift": {
                "severity": "warn",
                "tests": {"mean_texture": {"test": "psi", "threshold": 5.0}},
            }
        },
    }
    result = run_gate(gate, data=evaluation, reference=rows, model=binary_model)
    features = result.check("drift.features")
    column = next(c for c in features.details["columns"] if c["column"] == "mean_texture")
    assert column["test"] == "psi" and column["threshold"] == 5.0 and not column["drifted"]
    assert result.status == "passed"


def test_drifted_features_are_ordered_by_importance(binary_frame, binary_model, monkeypatch):
    rows = binary_frame.sample(frac=0.5, random_state=0)
    evaluation = binary_frame.drop(rows.index).copy()
    evaluation["mean_texture"] *= 1.5
    evaluation["mean_radius"] *= 1.1
    gate = {"target": "label", "checks": {"drift": {}}}
    context, _ = evaluate(gate, data=evaluation, reference=rows, model=binary_model)
    unordered = drift.drift_checks(context)[0]
    assert unordered.details["most_important_drifted"] is None
    assert unordered.details["drifted"][0] == "mean_texture"  # the larger shift first

    # explainability is built on another branch: stand in its one function
    module = types.ModuleType("mlgate.checks.explainability")
    module.global_importance = lambda ctx: {"mean_radius": 0.9, "mean_texture": 0.1}
    monkeypatch.setitem(sys.modules, "mlgate.checks.explainability", module)
    document = {**context.spec.document, "checks": {"drift": {}, "explainability": {}}}
    context.spec = dataclasses.replace(context.spec, document=document)
    ordered = drift.drift_checks(context)[0]
    assert ordered.details["drifted"][:2] == ["mean_radius", "mean_texture"]
    assert ordered.details["most_important_drifted"] == "mean_radius"
    assert ordered.message.endswith("most important drifted feature: 'mean_radius'")


# --- bad inputs: one line, exit 2 --------------------------------------------------------------


def _error(run_cli, gate) -> str:
    code, out, err = run_cli("run", "-c", str(gate))
    assert code == 2, out + err
    return one_error_line(err)


def test_reference_missing_a_column(run_cli, drift_gate, tmp_path):
    reference = pd.read_csv(tmp_path / "reference.csv").drop(columns="mean_area")
    reference.to_csv(tmp_path / "reference.csv", index=False)
    assert _error(run_cli, drift_gate()) == drift.MSG_NOT_IN_REFERENCE.format(
        columns="'mean_area'", source=tmp_path / "reference.csv"
    )


def test_reference_missing_an_input_of_the_model_whose_prediction_is_compared(
    run_cli, drift_gate, tmp_path
):
    reference = pd.read_csv(tmp_path / "reference.csv").drop(columns="mean_area")
    reference.to_csv(tmp_path / "reference.csv", index=False)
    compared = "{columns: [mean_radius], exclude: [mean_area]}"
    assert _error(run_cli, drift_gate(compared)) == drift.MSG_REFERENCE_LACKS_INPUTS.format(
        columns="'mean_area'"
    )
    code, _, err = run_cli("run", "-c", str(drift_gate(compared[:-1] + ", prediction: false}")))
    assert code == 0, err


def test_eval_missing_a_column_of_the_reference(run_cli, drift_gate, tmp_path):
    reference = pd.read_csv(tmp_path / "reference.csv")
    reference["batch"] = 1
    reference.to_csv(tmp_path / "reference.csv", index=False)
    assert _error(run_cli, drift_gate()) == drift.MSG_NOT_IN_EVAL.format(columns="'batch'")
    code, _, err = run_cli("run", "-c", str(drift_gate("{exclude: [batch]}")))
    assert code == 0, err


def test_label_missing_from_the_reference_can_be_excluded(run_cli, drift_gate, tmp_path):
    pd.read_csv(tmp_path / "reference.csv").drop(columns="label").to_csv(
        tmp_path / "reference.csv", index=False
    )
    assert _error(run_cli, drift_gate()) == drift.MSG_NOT_IN_REFERENCE.format(
        columns="'label'", source=tmp_path / "reference.csv"
    )
    code, out, err = run_cli("run", "-c", str(drift_gate("{exclude: [label]}")))
    assert code == 0, err
    assert "drift.label" not in out


def test_thousands_of_levels_pass_with_a_note(run_cli, drift_gate, tmp_path, write_gate):
    rng = np.random.default_rng(0)
    for name in ("reference.csv", "eval.csv"):
        frame = pd.read_csv(tmp_path / name)
        frame["merchant"] = "m" + pd.Series(rng.integers(0, 3000, len(frame))).astype(str)
        frame.to_csv(tmp_path / name, index=False)
    gate = write_gate(
        GATE.format(drift="{columns: [merchant, mean_area], max_categories: 50}").replace(
            "model: model.joblib", "prediction: label"
        )
    )
    code, out, err = run_cli("run", "-c", str(gate))
    assert code == 0, out + err
    line = next(x for x in out.splitlines() if "drift.features" in x)
    assert "categories; the 50 most frequent are compared and the rest pooled as '(other)'" in line


def test_column_all_null_on_one_side(run_cli, drift_gate, tmp_path):
    reference = pd.read_csv(tmp_path / "reference.csv")
    reference["mean_area"] = np.nan
    reference.to_csv(tmp_path / "reference.csv", index=False)
    assert _error(run_cli, drift_gate()) == drift.MSG_ALL_NULL.format(
        column="mean_area", side="data.reference"
    )


def test_numeric_column_stored_as_text(run_cli, drift_gate, tmp_path):
    reference = pd.read_csv(tmp_path / "reference.csv")
    reference["mean_area"] = reference["mean_area"].map(lambda v: f"{v:,.1f}")
    reference.to_csv(tmp_path / "reference.csv", index=False)
    message = _error(run_cli, drift_gate())
    assert message == drift.MSG_TYPE_MISMATCH.format(
        column="mean_area", numeric="data.eval", text="data.reference", dtype="str"
    )


def test_empty_reference(run_cli, drift_gate, tmp_path):
    pd.read_csv(tmp_path / "reference.csv").head(0).to_csv(tmp_path / "reference.csv")
    assert _error(run_cli, drift_gate()).startswith("data.reference: ")
    assert _error(run_cli, drift_gate()).endswith("has no rows; point it at the evaluation data")


def test_drift_without_reference(run_cli, write_gate, drift_gate):
    drift_gate()
    gate = write_gate(GATE.replace(", reference: reference.csv", "").format(drift="{}"))
    assert _error(run_cli, gate).endswith(drift.MSG_NEEDS_REFERENCE)


def test_test_that_does_not_fit_the_column(run_cli, drift_gate):
    gate = drift_gate("{tests: {mean_area: {test: chi2}}}")
    assert _error(run_cli, gate).endswith(
        drift.MSG_WRONG_TEST.format(
            column="mean_area", test="chi2", kind="numeric", tests="ks, wasserstein, psi"
        )
    )


def test_p_value_threshold_out_of_range(run_cli, drift_gate):
    gate = drift_gate("{tests: {mean_area: {test: ks, threshold: 2}}}")
    assert _error(run_cli, gate).endswith(
        drift.MSG_P_THRESHOLD.format(column="mean_area", test="ks", got=2)
    )


def test_unknown_key_under_drift(run_cli, drift_gate):
    message = _error(run_cli, drift_gate("{alpah: 0.01}"))
    assert "unknown key 'alpah' in 'checks.drift'; did you mean 'alpha'?" in message


def test_unknown_column_under_tests(run_cli, drift_gate):
    message = _error(run_cli, drift_gate("{tests: {mean_aera: {test: ks}}}"))
    assert message.startswith("checks.drift.tests: 'mean_aera' is not a column of the eval data")
    assert "did you mean 'mean_area'?" in message


# --- value and threshold are the quantity compared (issue 19) --------------------------------


def _wages(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hours = rng.uniform(10, 60, n)
    return pd.DataFrame({"hours": hours, "wage": 300 * hours + shift + rng.normal(0, 500, n)})


@pytest.fixture(scope="module")
def wage_model():
    from sklearn.linear_model import LinearRegression

    train = _wages(500, 0)
    return LinearRegression().fit(train[["hours"]], train["wage"])


def test_label_value_is_the_adjusted_p_value_against_alpha(wage_model):
    """The table showed the KS statistic (0.058) against alpha (0.05): read as 'barely over'."""
    gate = {"target": "wage", "checks": {"drift": {"prediction": False}}}
    result = run_gate(
        gate, data=_wages(800, 1, shift=3000.0), reference=_wages(800, 2), model=wage_model
    )
    label = result.check("drift.label")
    (column,) = label.details["columns"]
    assert label.status == "failed" and column["test"] == "ks"
    assert label.value == column["adjusted_p_value"] < 1e-6
    assert label.threshold == {"alpha": 0.05}
    assert label.details["compared"] == "Holm-adjusted p-value"
    assert label.details["statistic"] == column["statistic"]
    assert label.message == drift.MSG_ONE_DRIFTED.format(
        subject="label 'wage'",
        result=f"Kolmogorov-Smirnov statistic {drift.fmt(column['statistic'])}, "
        f"Holm-adjusted p={drift.fmt(label.value)} vs alpha 0.05",
    )


def test_distance_value_is_the_distance_against_its_threshold(wage_model):
    gate = {
        "target": "wage",
        "checks": {"drift": {"prediction": False, "large_sample": 100}},
    }
    result = run_gate(
        gate, data=_wages(800, 1, shift=3000.0), reference=_wages(800, 2), model=wage_model
    )
    label = result.check("drift.label")
    (column,) = label.details["columns"]
    assert column["test"] == "wasserstein"
    assert label.value == column["statistic"] and label.threshold == {"wasserstein": 0.1}
    assert label.details["compared"] == "normalized Wasserstein distance"
    features = result.check("drift.features")
    # distances decided here: the threshold says so, and no alpha that played no part
    assert features.threshold == {"max_drifted_columns": 0, "wasserstein": 0.1}
    assert features.value == len(features.details["drifted"])


def test_features_threshold_names_every_rule_that_decided(binary_frame, binary_model):
    rows = binary_frame.sample(frac=0.5, random_state=0)
    evaluation = binary_frame.drop(rows.index)
    gate = {
        "target": "label",
        "checks": {"drift": {"tests": {"mean_texture": {"test": "psi"}}}},
    }
    features = run_gate(gate, data=evaluation, reference=rows, model=binary_model).check(
        "drift.features"
    )
    assert features.threshold == {"max_drifted_columns": 0, "alpha": 0.05, "psi": 0.2}


# --- the test when the sides differ in size (issue 19) ----------------------------------------


@pytest.mark.parametrize(
    ("n_reference", "n_eval", "expected"),
    [
        (5000, 5000, "ks"),  # equal sides: at most large_sample rows a side
        (5001, 5001, "wasserstein"),
        (33_000, 4_500, "wasserstein"),  # the user's case: harmonic mean 7,920
        (100_000, 2_000, "ks"),  # the small side limits the power: harmonic mean 3,922
        (2_500, 1_000_000, "ks"),  # harmonic mean 4,988: never more than twice the small side
        (2_600, 1_000_000, "wasserstein"),  # harmonic mean 5,187
    ],
)
def test_test_choice_uses_the_harmonic_mean_of_the_two_sides(n_reference, n_eval, expected):
    assert _drift_stats.effective_rows(n_reference, n_eval) == pytest.approx(
        2 * n_reference * n_eval / (n_reference + n_eval)
    )
    chosen = _drift_stats.choose_test("numeric", n_reference, n_eval, drift.DEFAULT_LARGE_SAMPLE)
    assert chosen == expected


def test_a_large_reference_against_a_smaller_eval_is_judged_by_distance():
    """33k reference rows vs 4.5k eval rows: a KS test flagged a shift of no practical size."""
    rng = np.random.default_rng(5)
    reference = pd.DataFrame({"age": rng.normal(40, 12, 33_000)})
    evaluation = pd.DataFrame({"age": rng.normal(41, 12, 4_500)})  # a twelfth of a std
    (result,) = drift_between(reference, evaluation)
    assert result.test == "wasserstein" and not result.drifted
    assert stats.ks_2samp(reference["age"], evaluation["age"]).pvalue < 1e-4  # KS would flag


def test_categories_are_in_one_stable_order_on_both_sides():
    """Pooled frequency, then label: neither side's row order changes the order of the bars."""
    reference = pd.Series(["b"] * 5 + ["a"] * 20 + ["c"] * 20 + [None] * 3)
    evaluation = pd.Series(["c"] * 30 + ["d"] * 2 + ["a"] * 10)
    counts = _drift_stats.count_categories(reference, evaluation)
    labels, ref, ev, _ = _drift_stats.categorical_counts(counts, 10)
    assert labels == ["c", "a", "b", "(missing)", "d"]
    assert ref.tolist() == [20, 20, 5, 3, 0] and ev.tolist() == [30, 10, 0, 0, 2]
    shuffled = _drift_stats.count_categories(reference[::-1], evaluation[::-1])
    assert _drift_stats.categorical_counts(shuffled, 10)[0] == labels
    # beyond max_categories the kept set is the most frequent, ties broken by label, not order
    kept, _, _, levels = _drift_stats.categorical_counts(shuffled, 2)
    assert kept == ["c", "a", "(missing)", "(other)"] and levels == 4
