"""``mlgate init`` on data scikit-learn ships (breast cancer, wine, diabetes): the written gate
is valid, passes the model it measured, and fails the same model fitted on shuffled labels."""

from __future__ import annotations

import joblib
import pytest
import yaml
from sklearn.base import clone

from mlgate.spec import spec_from_dict


@pytest.mark.parametrize(
    ("frame_fixture", "model_fixture", "target"),
    [
        ("binary_frame", "binary_model", "label"),
        ("multiclass_frame", "multiclass_model", "label"),
        ("regression_frame", "regression_model", "y"),
    ],
    ids=["binary", "multiclass", "regression"],
)
def test_init_on_sklearn_data(request, run_cli, tmp_path, frame_fixture, model_fixture, target):
    data = request.getfixturevalue(frame_fixture)
    model = request.getfixturevalue(model_fixture)
    data.to_csv(tmp_path / "eval.csv", index=False)
    joblib.dump(model, tmp_path / "model.joblib")
    columns = list(model.feature_names_in_)
    shuffled_label = data[target].sample(frac=1.0, random_state=1).to_numpy()
    joblib.dump(clone(model).fit(data[columns], shuffled_label), tmp_path / "shuffled.joblib")
    gate = tmp_path / "mlgate.yaml"

    code, _, err = run_cli(
        "init",
        "--model",
        str(tmp_path / "model.joblib"),
        "--data",
        str(tmp_path / "eval.csv"),
        "--target",
        target,
        "--out",
        str(gate),
    )
    assert code == 0, err
    spec_from_dict(yaml.safe_load(gate.read_text()), source=str(gate), base_dir=tmp_path)

    code, out, err = run_cli("run", "-c", str(gate), "--report", "json")
    assert code == 0, out + err

    shuffled = str(tmp_path / "shuffled.joblib")
    code, out, _ = run_cli("run", "-c", str(gate), "--report", "json", "--model", shuffled)
    assert code == 1
    assert "FAIL  performance." in out
