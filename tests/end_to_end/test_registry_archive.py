"""``mlgate run --model`` pins a version, and ``promote.on_fail`` archives a failed one."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

ON_FAIL = "  on_fail: {remove_alias: challenger, tags: {stage: archived}}\n"


def archiving_gate(gate_for, name, uri):
    path = gate_for(name, uri)
    text = path.read_text().replace(
        "promote: {on_pass: {alias: champion}, tags: {team: risk}}\n",
        "promote:\n  on_pass: {alias: champion}\n" + ON_FAIL,
    )
    path.write_text(text)
    return path


def test_a_failed_pinned_version_is_archived_and_its_challenger_alias_removed(
    run_cli, registry, gate_for
):
    name = registry.register(("strong", "champion"), ("weak", "challenger"))
    gate = archiving_gate(gate_for, name, registry.uri)

    code, out, err = run_cli("run", "-c", str(gate), "--model", f"models:/{name}/2")

    assert code == 1, err
    assert f"registry: archived models:/{name}/2 (stage=archived, mlgate.archived=true; " in out
    assert registry.tags(name, 2)["mlgate.status"] == "failed"
    assert registry.tags(name, 2)["mlgate.archived"] == "true"
    assert registry.client.get_model_version(name, "2").tags["stage"] == "archived"
    assert registry.alias(name, "challenger") is None
    assert registry.alias(name, "champion") == "1"


def test_an_alias_that_moved_on_is_left_alone_and_a_later_pass_clears_archived(
    run_cli, registry, gate_for
):
    name = registry.register(("strong", None), ("weak", None), ("strong", "challenger"))
    gate = archiving_gate(gate_for, name, registry.uri)
    registry.client.set_registered_model_alias(name, "champion", "1")

    code, out, _ = run_cli("run", "-c", str(gate), "--model", f"models:/{name}/2")
    assert code == 1
    assert "@challenger names version 3, not this one: left alone" in out
    assert registry.alias(name, "challenger") == "3"

    registry.client.set_model_version_tag(name, "3", "mlgate.archived", "true")
    code, _, err = run_cli("run", "-c", str(gate), "--model", f"models:/{name}/3")
    assert code == 0, err
    assert "mlgate.archived" not in registry.tags(name, 3)


def test_no_promote_archives_nothing(run_cli, registry, gate_for):
    name = registry.register(("strong", "champion"), ("weak", "challenger"))
    gate = archiving_gate(gate_for, name, registry.uri)
    code, _, _ = run_cli("run", "-c", str(gate), "--no-promote")
    assert code == 1
    assert "mlgate.archived" not in registry.tags(name, 2)
    assert registry.alias(name, "challenger") == "2"
