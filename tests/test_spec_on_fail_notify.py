"""The gate-file keys of ``mlgate serve``: ``promote.on_fail`` and ``notify``; ``run --model``."""

from __future__ import annotations

import pytest

from mlgate.errors import GateFileError
from mlgate.spec import (
    MSG_BAD_ENV_NAME,
    MSG_PROMOTE_NEEDS_REGISTRY,
    pin_model,
    spec_from_dict,
)

BASE = {"target": "y", "model": "models:/churn@challenger", "data": {"eval": "e.csv"}}


def _error(document) -> str:
    with pytest.raises(GateFileError) as info:
        spec_from_dict(document)
    return str(info.value)


def test_on_fail_always_tags_archived_and_adds_its_own_tags():
    on_fail = {"remove_alias": "challenger", "tags": {"stage": "archived", "n": 1}}
    spec = spec_from_dict({**BASE, "promote": {"on_fail": on_fail}})
    assert spec.archive_alias == "challenger"
    assert spec.archive_tags == {"stage": "archived", "n": "1", "mlgate.archived": "true"}
    assert spec_from_dict({**BASE, "promote": {"on_fail": {}}}).archive_tags == {
        "mlgate.archived": "true"
    }
    assert spec_from_dict(BASE).archive_tags is None


@pytest.mark.parametrize(
    ("on_fail", "message"),
    [
        (
            {"remove_alias": "v3"},
            "<python>: 'promote.on_fail.remove_alias' must be letters, digits, '_' or '-' and not "
            "'latest' or v<number> (MLflow alias rules), got 'v3'",
        ),
        (
            {"tags": {"mlgate.status": "x"}},
            "<python>: 'promote.on_fail.tags.mlgate.status': keys starting with 'mlgate.' are "
            "reserved for the gate's own tags; rename it",
        ),
        (
            {"remove": "challenger"},
            "<python>: unknown key 'remove' in 'promote.on_fail'; did you mean 'remove_alias'?; "
            "allowed keys: remove_alias, tags",
        ),
    ],
)
def test_bad_on_fail_keys_name_themselves(on_fail, message):
    assert _error({**BASE, "promote": {"on_fail": on_fail}}) == message


def test_notify_names_environment_variables_only():
    section = {"slack": {"url_env": "SLACK_URL"}, "on": ["failed"]}
    assert spec_from_dict({**BASE, "notify": section}).document["notify"] == section
    bad = {"teams": {"url_env": "https://hooks.example/secret"}}
    assert _error({**BASE, "notify": bad}) == "<python>: " + MSG_BAD_ENV_NAME.format(
        target="teams", name="https://hooks.example/secret"
    )
    assert "'notify.on[0]' must be one of" in _error({**BASE, "notify": {"on": ["won"]}})


def test_pin_model_keeps_the_digest_and_needs_a_version_when_promoting():
    spec = spec_from_dict({**BASE, "promote": {"on_pass": {"alias": "champion"}}})
    pinned = pin_model(spec, "models:/churn/7")
    assert (pinned.model, pinned.digest) == ("models:/churn/7", spec.digest)
    with pytest.raises(GateFileError) as info:
        pin_model(spec, "model.joblib")
    assert str(info.value) == MSG_PROMOTE_NEEDS_REGISTRY.format(model="model.joblib")


def test_run_model_flag_with_a_bad_model_exits_2(run_cli, tmp_path):
    gate = tmp_path / "mlgate.yaml"
    gate.write_text(
        "model: models:/churn@challenger\ndata: {eval: e.csv}\ntarget: y\n"
        "promote: {on_pass: {alias: champion}}\n"
    )
    code, _, err = run_cli("run", "-c", str(gate), "--model", "model.joblib")
    assert code == 2
    message = MSG_PROMOTE_NEEDS_REGISTRY.format(model="model.joblib")
    assert err.strip() == f"mlgate: error: {message}"
