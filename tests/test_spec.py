"""Gate-file parsing and strict validation: every bad key names itself and how to fix it."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from mlgate import _schema_validation as sv
from mlgate import spec as spec_module
from mlgate import thresholds
from mlgate.checks import _metric_keys
from mlgate.checks.performance import PerformanceConfig
from mlgate.errors import GateFileError
from mlgate.metrics import all_metric_names
from mlgate.spec import find_gate_file, load_spec, spec_from_dict


def _thresholds(spec):
    return spec.config("performance", PerformanceConfig).thresholds


SOURCE = "<python>"


def _error(document) -> str:
    with pytest.raises(GateFileError) as info:
        spec_from_dict(document)
    return str(info.value)


def test_minimal_gate_has_documented_defaults():
    spec = spec_from_dict({"target": "y", "model": "m.joblib", "data": {"eval": "e.csv"}})
    assert (spec.task, spec.seed, spec.report_json, spec.pos_label) == (
        "auto",
        0,
        "mlgate-report.json",
        None,
    )
    assert spec.digest.startswith("sha256:")


def test_digest_depends_on_content_not_key_order():
    first = spec_from_dict({"target": "y", "model": "a", "task": "binary"})
    second = spec_from_dict({"task": "binary", "model": "a", "target": "y"})
    third = spec_from_dict({"task": "binary", "model": "b", "target": "y"})
    assert first.digest == second.digest != third.digest


def test_unknown_top_level_key_suggests_the_closest():
    message = _error({"target": "y", "modle": "m.joblib"})
    allowed = ", ".join(sv.gate_schema()["properties"])
    assert message == f"{SOURCE}: " + sv.MSG_UNKNOWN_KEY.format(
        key="modle", where="the gate file", hint="; did you mean 'model'?", allowed=allowed
    )


def test_unknown_nested_key_names_its_section():
    message = _error({"target": "y", "data": {"evaluation": "e.csv"}})
    assert "unknown key 'evaluation' in 'data'" in message
    assert "did you mean 'eval'?" in message


def test_unknown_threshold_key_names_the_metric():
    message = _error({"target": "y", "checks": {"performance": {"roc_auc": {"minimum": 0.8}}}})
    assert "unknown key 'minimum' in 'checks.performance.roc_auc'" in message
    assert "did you mean 'min'?" in message


def test_threshold_of_the_wrong_type():
    message = _error({"target": "y", "checks": {"performance": {"roc_auc": {"min": "high"}}}})
    assert message == f"{SOURCE}: " + sv.MSG_WRONG_TYPE.format(
        key="checks.performance.roc_auc.min", expected="a number", got="high"
    )


def test_boolean_is_not_a_number():
    message = _error({"target": "y", "checks": {"performance": {"roc_auc": {"min": True}}}})
    assert "'checks.performance.roc_auc.min' must be a number" in message


def test_threshold_given_as_a_bare_number():
    message = _error({"target": "y", "checks": {"performance": {"roc_auc": 0.8}}})
    assert "'checks.performance.roc_auc' must be a mapping, got 0.8" in message


def test_task_must_be_known():
    message = _error({"target": "y", "task": "classification"})
    assert message == f"{SOURCE}: " + sv.MSG_NOT_IN_ENUM.format(
        key="task", choices="'auto', 'regression', 'binary', 'multiclass'", got="classification"
    )


def test_target_is_required():
    message = _error({"model": "m.joblib"})
    assert message.startswith(f"{SOURCE}: missing required key 'target' in the gate file: ")


def test_unknown_metric_suggests_the_closest():
    message = _error({"target": "y", "checks": {"performance": {"roc_aux": {"min": 0.8}}}})
    assert message == f"{SOURCE}: " + _metric_keys.MSG_UNKNOWN_METRIC.format(
        name="roc_aux", family="performance", hint="; did you mean 'roc_auc'?"
    )


def test_unknown_check_family_is_an_unknown_key():
    message = _error({"target": "y", "checks": {"perfomance": {}}})
    assert "unknown key 'perfomance' in 'checks'; did you mean 'performance'?" in message


def test_threshold_needs_a_bound():
    message = _error({"target": "y", "checks": {"performance": {"roc_auc": {"severity": "warn"}}}})
    assert message == f"{SOURCE}: " + thresholds.MSG_NO_BOUND.format(
        key="checks.performance.roc_auc", bounds="min, max"
    )


def test_min_above_max_is_rejected():
    message = _error({"target": "y", "checks": {"performance": {"r2_score": {"min": 2, "max": 1}}}})
    assert "min (2) is above max (1)" in message


def test_comparison_needs_a_limit():
    message = _error({"target": "y", "checks": {"comparison": {"roc_auc": {}}}})
    assert "'checks.comparison.roc_auc' needs at least one of min_delta" in message


def test_custom_metric_can_be_thresholded():
    spec = spec_from_dict(
        {
            "target": "y",
            "metrics": {"lift": {"function": "mod:lift"}},
            "checks": {"performance": {"lift": {"min": 1.5}}},
        }
    )
    assert _thresholds(spec)["lift"].min == 1.5
    assert spec.custom_metrics["lift"].function == "mod:lift"


def test_per_class_metric_names_are_accepted():
    spec = spec_from_dict(
        {"target": "y", "checks": {"performance": {"recall_score[cat]": {"min": 0.5}}}}
    )
    assert "recall_score[cat]" in _thresholds(spec)


def test_yaml_file_paths_are_relative_to_the_gate_file(tmp_path):
    folder = tmp_path / "gates"
    folder.mkdir()
    (folder / "mlgate.yaml").write_text("target: y\ndata: {eval: data/e.csv}\n")
    spec = load_spec(folder / "mlgate.yaml")
    assert spec.resolve_path(spec.eval_data) == folder.resolve() / "data" / "e.csv"


def test_pyproject_tool_section_is_found(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.mlgate]\ntarget = "y"\n')
    monkeypatch.chdir(tmp_path)
    assert find_gate_file() == tmp_path / "pyproject.toml"
    assert load_spec().target == "y"


def test_mlgate_yaml_wins_over_pyproject(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.mlgate]\ntarget = "a"\n')
    (tmp_path / "mlgate.yaml").write_text("target: b\n")
    monkeypatch.chdir(tmp_path)
    assert load_spec().target == "b"


def test_no_gate_file_says_how_to_create_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GateFileError) as info:
        load_spec()
    assert str(info.value) == spec_module.MSG_NOT_FOUND.format(folder=tmp_path)


def test_missing_gate_file_path(tmp_path):
    with pytest.raises(GateFileError) as info:
        load_spec(tmp_path / "nope.yaml")
    assert str(info.value) == spec_module.MSG_MISSING_FILE.format(path=tmp_path / "nope.yaml")


def test_invalid_yaml_is_one_line(tmp_path):
    path = tmp_path / "mlgate.yaml"
    path.write_text("target: y\nchecks: [unclosed\n")
    with pytest.raises(GateFileError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"gate file {path} could not be parsed: ")
    assert "\n" not in str(info.value)


def test_yaml_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "mlgate.yaml"
    path.write_text("- target\n- y\n")
    with pytest.raises(GateFileError) as info:
        load_spec(path)
    assert str(info.value) == spec_module.MSG_NOT_MAPPING.format(path=path)


def test_gate_schema_lists_every_builtin_metric_for_autocomplete():
    schema = json.loads(resources.files("mlgate.schemas").joinpath("gate.schema.json").read_text())
    checks = schema["properties"]["checks"]["properties"]
    assert set(checks["performance"]["properties"]) == set(all_metric_names())
    assert set(checks["comparison"]["properties"]) == set(all_metric_names())


def test_gate_schema_is_a_valid_json_schema_and_accepts_a_full_gate():
    import jsonschema

    schema = sv.gate_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    full = {
        "version": 1,
        "model": "models:/m@challenger",
        "baseline": "models:/m@champion",
        "data": {"eval": "e.parquet", "reference": "r.parquet"},
        "target": "y",
        "prediction": "p",
        "baseline_prediction": "bp",
        "sample_weight": "w",
        "features": ["a"],
        "task": "binary",
        "pos_label": "yes",
        "seed": 3,
        "metrics": {"lift": {"function": "m:f", "needs_proba": True, "greater_is_better": True}},
        "checks": {
            "performance": {"roc_auc": {"min": 0.8, "severity": "warn"}},
            "comparison": {"f1_score": {"min_relative_delta": -0.01}},
        },
        "report": {"dir": "out", "json": "r.json"},
        "mlflow": {"tracking_uri": "http://127.0.0.1:5000"},
    }
    jsonschema.validate(full, schema)
    spec_from_dict(full)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**full, "modle": "x"}, schema)


def test_families_parse_their_section_and_validate_against_the_context(monkeypatch):
    """A family's parse hook runs when the gate file is read; its result is in family_configs."""
    from mlgate.checks import FAMILIES, CheckFamily, families, validate_families

    families()
    seen = []
    family = CheckFamily(
        name="performance",
        description="x",
        run=lambda context: [],
        parse=lambda document, source: ("parsed", source, dict(document["checks"]["performance"])),
        validate=seen.append,
    )
    monkeypatch.setitem(FAMILIES, "performance", family)
    spec = spec_from_dict(
        {"target": "y", "model": "m.skops", "checks": {"performance": {"roc_auc": {"min": 0.5}}}}
    )
    assert spec.family_configs == {"performance": ("parsed", "<python>", {"roc_auc": {"min": 0.5}})}

    class Context:
        pass

    context = Context()
    context.spec = spec
    validate_families(context)
    assert seen == [context]


def test_short_metric_names_are_aliases_of_the_canonical_ones(regression_frame, regression_model):
    """Issue 19: 'rmse' was an unknown metric. An alias is read as the canonical name."""
    import mlgate
    from mlgate.metrics import METRIC_ALIASES

    assert METRIC_ALIASES == {
        "rmse": "root_mean_squared_error",
        "mse": "mean_squared_error",
        "mae": "mean_absolute_error",
        "r2": "r2_score",
        "auc": "roc_auc",
    }
    gate = {
        "target": "y",
        "checks": {
            "performance": {"rmse": {"max": 100}, "mae": {"max": 100}, "r2": {"min": 0}},
            "slices": [{"by": "sex", "metrics": {"mse": {"max": 1e6}}}],
        },
    }
    spec = spec_module.spec_from_dict(gate)
    assert list(_thresholds(spec)) == ["root_mean_squared_error", "mean_absolute_error", "r2_score"]
    assert spec.digest == spec_module.gate_digest(gate)  # the digest is of the file as written
    result = mlgate.run_gate(gate, data=regression_frame, model=regression_model)
    ids = [check.id for check in result.checks]
    assert ids[:3] == [
        "performance.root_mean_squared_error",
        "performance.mean_absolute_error",
        "performance.r2_score",
    ]
    assert any(i.startswith("slices.mean_squared_error") for i in ids)


def test_an_alias_beside_its_canonical_name_is_refused():
    gate = {
        "target": "y",
        "checks": {"performance": {"auc": {"min": 0.5}, "roc_auc": {"min": 0.6}}},
    }
    with pytest.raises(GateFileError) as info:
        spec_module.spec_from_dict(gate)
    assert str(info.value) == "<python>: " + spec_module.MSG_ALIAS_TWICE.format(
        key="checks.performance", alias="auc", name="roc_auc"
    )
