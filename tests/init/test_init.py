"""``mlgate init`` end to end: the file it writes is valid, passes on its own data, and fails a
model trained on shuffled labels and one missing the key feature."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest
import yaml

from mlgate.checks.performance import PerformanceConfig
from mlgate.init import MSG_EXISTS
from mlgate.spec import load_spec, spec_from_dict
from tests.init._generated import FEATURES, fit, frame


def _thresholds(spec):
    return spec.config("performance", PerformanceConfig).thresholds


TASKS = ("binary", "multiclass", "regression")


@pytest.fixture(scope="module", params=TASKS)
def generated(request, tmp_path_factory):
    """Files for one task: eval/reference CSVs, the model, and the two degraded models."""
    task = request.param
    folder = tmp_path_factory.mktemp(f"init-{task}")
    train, data = frame(0, 3000, task), frame(1, 2000, task)
    train.to_csv(folder / "train.csv", index=False)
    data.to_csv(folder / "eval.csv", index=False)
    models = {
        "model": fit(train, task, FEATURES),
        "shuffled": fit(train, task, FEATURES, shuffle=True),
        "dropped": fit(train, task, ["age", "income", "x2"]),  # the key feature x1 dropped
        "champion": fit(train.iloc[:300], task, FEATURES),  # the baseline: fewer rows
    }
    for name, model in models.items():
        joblib.dump(model, folder / f"{name}.joblib")
    return task, folder


def _init(run_cli, folder: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(
        "init",
        "--model",
        str(folder / "model.joblib"),
        "--data",
        str(folder / "eval.csv"),
        "--reference",
        str(folder / "train.csv"),
        "--target",
        "y",
        "--out",
        str(folder / "mlgate.yaml"),
        *extra,
    )


@pytest.fixture(scope="module")
def written(generated):
    """The gate init wrote for the task (written once per module and task)."""
    from mlgate.cli import main

    task, folder = generated
    assert (
        main(
            [
                "init",
                "--model",
                str(folder / "model.joblib"),
                "--data",
                str(folder / "eval.csv"),
                "--reference",
                str(folder / "train.csv"),
                "--target",
                "y",
                "--sensitive",
                "gender",
                "--baseline",
                str(folder / "champion.joblib"),
                "--out",
                str(folder / "mlgate.yaml"),
            ]
        )
        == 0
    )
    return task, folder, folder / "mlgate.yaml"


def test_written_file_is_a_valid_gate(written):
    task, folder, gate = written
    document = yaml.safe_load(gate.read_text())

    spec_from_dict(document, source=str(gate), base_dir=folder)  # the schema and meaning checks
    spec = load_spec(gate)

    assert spec.task == task and spec.target == "y"
    assert spec.statistics is not None and _thresholds(spec)
    assert set(document["checks"]) == {
        "performance",
        "comparison",
        "data",
        "drift",
        "fairness",
        "slices",
    }
    ((name, limit),) = document["checks"]["comparison"].items()
    assert limit["confidence"] == 0.95
    assert ("min_delta" in limit) == (task != "regression")  # RMSE: lower is better
    assert document["checks"]["data"] == {"schema": "mlgate.schema.yaml"}
    assert (folder / "mlgate.schema.yaml").is_file()
    assert document["checks"]["drift"]["columns"][0] == "x1"  # the most important input
    for name, threshold in _thresholds(spec).items():
        measured = _measured(gate, name)
        assert threshold.min is None or threshold.min <= measured
        assert threshold.max is None or threshold.max >= measured


def _measured(gate: Path, name: str) -> float:
    """The measured value init wrote in the comment above a performance threshold."""
    for line in gate.read_text().splitlines():
        if line.strip().startswith(f"# {name}: measured "):
            return float(line.split("measured ")[1].split(",")[0])
    raise AssertionError(f"no comment for {name}")


def _comment_above(lines: list[str], index: int) -> str:
    """The comment block right above line ``index``, joined into one text."""
    block = []
    while index > 0 and lines[index - 1].strip().startswith("#"):
        index -= 1
        block.insert(0, lines[index].strip().lstrip("# "))
    return " ".join(block)


def test_every_threshold_says_what_was_measured(written):
    _, _, gate = written
    lines = gate.read_text().splitlines()
    spec = load_spec(gate)
    for name in _thresholds(spec):
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:"))
        text = _comment_above(lines, index)
        assert f"{name}: measured " in text and "bootstrap interval" in text, text
        assert "rounded" in text and ("lower bound" in text or "upper bound" in text), text


def test_the_planted_weak_slice_is_a_slice_check(written):
    _, _, gate = written
    slices = yaml.safe_load(gate.read_text())["checks"]["slices"]

    assert "region == 'north'" in slices[0]["where"] and "age > " in slices[0]["where"]
    assert slices[0]["min_size"] == 30


def test_the_written_gate_passes_on_its_data(run_cli, written):
    _, _, gate = written

    code, out, err = run_cli("run", "-c", str(gate), "--report", "json")

    assert code == 0, out + err


@pytest.mark.parametrize("degraded", ["shuffled", "dropped"])
def test_a_worse_model_fails_the_written_gate(run_cli, written, degraded):
    _, folder, gate = written

    code, out, _ = run_cli(
        "run", "-c", str(gate), "--report", "json", "--model", str(folder / f"{degraded}.joblib")
    )

    assert code == 1
    assert "FAIL  performance." in out


def test_init_refuses_to_overwrite_without_force(run_cli, written):
    _, folder, gate = written
    before = gate.read_text()

    code, _, err = _init(run_cli, folder)

    assert code == 2
    assert err.strip() == "mlgate: error: " + MSG_EXISTS.format(path=gate.resolve())
    assert gate.read_text() == before


def test_only_slices_prints_the_block_for_an_existing_gate(run_cli, written):
    _, _, gate = written
    before = gate.read_text()

    code, out, err = run_cli("init", "--only", "slices", "-c", str(gate))

    assert code == 0, err
    block = yaml.safe_load(out)
    assert "region == 'north'" in block["slices"][0]["where"]
    spec_from_dict({"target": "y", "checks": block}, base_dir=gate.parent)
    assert gate.read_text() == before  # nothing written
