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
