"""CSV, Parquet and DataFrame inputs give the same gate result."""

from __future__ import annotations

import pytest

import mlgate
from mlgate.errors import InputError
from mlgate.loading import data as data_module
from mlgate.spec import spec_from_dict


@pytest.mark.parametrize("form", ["csv", "parquet", "dataframe"])
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_input_forms_agree(
    tmp_path,
    form,
    task,
    binary_frame,
    binary_model,
    multiclass_frame,
    multiclass_model,
    regression_frame,
    regression_model,
):
    frame, model, target = {
        "binary": (binary_frame, binary_model, "label"),
        "multiclass": (multiclass_frame, multiclass_model, "label"),
        "regression": (regression_frame, regression_model, "y"),
    }[task]
    reference = mlgate.run_gate({"target": target}, data=frame, model=model)
    if form == "dataframe":
        result = mlgate.run_gate({"target": target}, data=frame, model=model)
    else:
        path = tmp_path / f"eval.{form}"
        frame.to_csv(path, index=False) if form == "csv" else frame.to_parquet(path)
        spec = spec_from_dict({"target": target, "data": {"eval": path.name}}, base_dir=tmp_path)
        result = mlgate.run_gate(spec, model=model)
        assert result.data["eval"]["digest"] == data_module.file_digest(path)
    assert result.task == task
    assert result.metrics == pytest.approx(reference.metrics, rel=1e-9)


def test_unsupported_suffix(tmp_path, binary_model):
    (tmp_path / "eval.xlsx").write_text("x")
    spec = spec_from_dict({"target": "label", "data": {"eval": "eval.xlsx"}}, base_dir=tmp_path)
    with pytest.raises(InputError) as info:
        mlgate.run_gate(spec, model=binary_model)
    assert str(info.value) == data_module.MSG_SUFFIX.format(
        key="data.eval", path=tmp_path / "eval.xlsx"
    )


def test_empty_csv(tmp_path, binary_model):
    (tmp_path / "eval.csv").write_text("a,b,label\n")
    spec = spec_from_dict({"target": "label", "data": {"eval": "eval.csv"}}, base_dir=tmp_path)
    with pytest.raises(InputError) as info:
        mlgate.run_gate(spec, model=binary_model)
    assert str(info.value) == data_module.MSG_EMPTY.format(
        key="data.eval", path=tmp_path / "eval.csv"
    )


def test_data_must_be_a_dataframe(binary_model):
    with pytest.raises(InputError) as info:
        mlgate.run_gate({"target": "label"}, data=[[1, 2]], model=binary_model)
    assert str(info.value) == data_module.MSG_NOT_DATAFRAME.format(key="data.eval", got="list")


def test_dataframe_digest_changes_with_values(binary_frame):
    changed = binary_frame.copy()
    changed.iloc[0, 0] += 1
    assert (
        data_module.from_frame(binary_frame, "d").digest
        == data_module.from_frame(binary_frame.copy(), "d").digest
    )
    assert (
        data_module.from_frame(binary_frame, "d").digest
        != data_module.from_frame(changed, "d").digest
    )
