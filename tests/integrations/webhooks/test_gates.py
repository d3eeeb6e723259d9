"""Which gate file applies to which registered model."""

from __future__ import annotations

from mlgate.integrations.webhooks.gates import GateRoutes


def test_named_gates_win_over_the_folder_and_unknown_models_have_none(tmp_path):
    folder = tmp_path / "gates"
    folder.mkdir()
    (folder / "churn.yaml").write_text("target: y\n")
    (folder / "fraud.yml").write_text("target: y\n")
    (folder / "notes.txt").write_text("")
    special = tmp_path / "special.yaml"
    special.write_text("target: y\n")
    routes = GateRoutes.from_options([f"churn={special}"], str(folder))
    assert routes.gate_for("churn") == special.resolve()
    assert routes.gate_for("fraud") == (folder / "fraud.yml").resolve()
    assert routes.gate_for("other") is None
    assert routes.gate_for("../gates/churn") is None  # a model name is never a path
    assert routes.all_files() == [
        special.resolve(),
        (folder / "churn.yaml").resolve(),
        (folder / "fraud.yml").resolve(),
    ]
