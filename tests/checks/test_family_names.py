"""Each family's ``names`` hook lists exactly the checks it reports (the pytest items)."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.checks import families
from mlgate.engine import run_gate
from mlgate.spec import spec_from_dict


@pytest.fixture(scope="module")
def gate_result(binary_frame, binary_model):
    frame = binary_frame.copy()
    frame["site"] = np.random.default_rng(0).choice(["a", "b"], len(frame))
    features = binary_frame.drop(columns="label").columns.tolist()
    gate = {
        "target": "label",
        "features": features,
        "sensitive_features": ["site"],
        "checks": {
            "slices": [{"where": "mean_radius > 15", "metrics": {"recall_score": {"min": 0.1}}}],
            "fairness": {"demographic_parity_ratio": {"min": 0.1}},
            "explainability": {"sample": 50, "max_feature_share": 0.9},
            "data": {"missing": {"max_share": 0.5}, "duplicates": {"max_share": 0.5}},
            "drift": {},
        },
    }
    spec = spec_from_dict(gate)
    result = run_gate(spec, data=frame, reference=frame, model=binary_model)
    return spec, result


@pytest.mark.parametrize("family", ["slices", "fairness", "explainability", "data", "drift"])
def test_names_hook_lists_every_reported_check(gate_result, family):
    spec, result = gate_result
    lister = families()[family].names
    assert lister is not None
    reported = [c.name for c in result.checks if c.family == family]
    assert reported and sorted(lister(spec.family_configs[family])) == sorted(reported)


def test_every_builtin_family_parses_its_section_into_a_dataclass(gate_result):
    """Issue 20: performance and comparison are families like the rest, with a typed config."""
    import dataclasses

    from mlgate.families import BUILTIN_FAMILIES

    gate = {
        "target": "label",
        "model": "m.skops",
        "baseline": "b.skops",
        "checks": {
            "performance": {"roc_auc": {"min": 0.5}},
            "comparison": {"roc_auc": {"min_delta": -0.1}},
        },
    }
    spec = spec_from_dict(gate)
    configs = {**gate_result[0].family_configs, **spec.family_configs}
    for name in BUILTIN_FAMILIES:
        assert families()[name].parse is not None, name
    for name, config in configs.items():
        assert dataclasses.is_dataclass(config), (name, type(config))
    assert set(spec.family_configs) == {"performance", "comparison"}
    assert spec.family_configs["performance"].thresholds["roc_auc"].min == 0.5
    assert spec.family_configs["comparison"].limits["roc_auc"].min_delta == -0.1


def test_reading_a_config_as_the_wrong_type_is_refused():
    from mlgate.checks.comparison import ComparisonConfig
    from mlgate.checks.performance import PerformanceConfig
    from mlgate.spec import MSG_CONFIG_TYPE

    spec = spec_from_dict({"target": "y", "checks": {"performance": {"f1_score": {"min": 0.5}}}})
    assert spec.config("comparison", ComparisonConfig) == ComparisonConfig()  # not configured
    with pytest.raises(TypeError) as info:
        spec.config("performance", ComparisonConfig)
    assert str(info.value) == MSG_CONFIG_TYPE.format(
        family="performance", kind="ComparisonConfig", got=PerformanceConfig.__name__
    )


def test_families_come_in_report_order_whatever_was_imported_first():
    """Registration follows import order; a module imported early must not move its family."""
    import subprocess
    import sys

    code = (
        "import mlgate.checks.contract, mlgate.checks.drift\n"
        "from mlgate.families import BUILTIN_FAMILIES, families\n"
        "print(list(families())[: len(BUILTIN_FAMILIES)] == list(BUILTIN_FAMILIES))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
