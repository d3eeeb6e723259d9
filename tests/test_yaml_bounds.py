"""Hostile YAML gate files are refused in well under a second with one line (exit 2).

The billion-laughs document below made ``mlgate run`` hang for over a minute before the reader
measured alias expansion; the time limit in these tests is what would catch a regression.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mlgate import _yaml
from mlgate.spec import MSG_UNREADABLE

FAST_S = 5.0  # generous on a loaded 2-core machine; the hang it guards against lasted > 60 s


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    lines.append(f"target: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def _run(run_cli, path: Path) -> tuple[int, str, float]:
    started = time.perf_counter()
    code, _out, err = run_cli("run", "-c", str(path))
    return code, err, time.perf_counter() - started


def test_billion_laughs_is_refused_at_once(run_cli, write_gate):
    path = write_gate(_billion_laughs())
    code, err, seconds = _run(run_cli, path)
    assert code == 2
    assert (
        err
        == f"mlgate: error: {_yaml.MSG_TOO_MANY_NODES.format(path=path, limit=_yaml.MAX_NODES)}\n"
    )
    assert seconds < FAST_S


def test_alias_inside_its_own_anchor_is_refused(run_cli, write_gate):
    path = write_gate("target: y\nloop: &a [1, *a]\n")
    code, err, seconds = _run(run_cli, path)
    assert (code, err) == (2, f"mlgate: error: {_yaml.MSG_RECURSIVE_ALIAS.format(path=path)}\n")
    assert seconds < FAST_S


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_refused_without_recursion_error(run_cli, write_gate, opener):
    closer = "]" if opener == "[" else "}"
    path = write_gate("target: " + opener * 5000 + "1" + closer * 5000 + "\n")
    code, err, seconds = _run(run_cli, path)
    message = _yaml.MSG_TOO_DEEP.format(path=path, limit=_yaml.MAX_DEPTH)
    assert (code, err) == (2, f"mlgate: error: {message}\n")
    assert seconds < FAST_S


def test_aliases_that_nest_past_the_depth_limit_are_refused(write_gate):
    # Each level is shallow where it is written, deep once the alias is copied in.
    lines = ["l0: &l0 [1]"] + [f"l{i}: &l{i} [[[[*l{i - 1}]]]]" for i in range(1, 20)]
    path = write_gate("\n".join(lines) + "\n")
    with pytest.raises(_yaml.YamlBoundError) as info:
        _yaml.load_bounded(path)
    assert str(info.value) == _yaml.MSG_TOO_DEEP.format(path=path, limit=_yaml.MAX_DEPTH)


def test_file_above_the_size_limit_is_refused_before_parsing(write_gate):
    path = write_gate("# " + "x" * _yaml.MAX_BYTES + "\ntarget: y\n")
    with pytest.raises(_yaml.YamlBoundError) as info:
        _yaml.load_bounded(path)
    size = path.stat().st_size
    assert str(info.value) == _yaml.MSG_TOO_LARGE.format(
        path=path, size=size, limit=_yaml.MAX_BYTES
    )


def test_integer_longer_than_python_converts_is_a_parse_error(run_cli, write_gate):
    path = write_gate("target: y\nseed: " + "9" * 5000 + "\n")
    code, err, _ = _run(run_cli, path)
    assert code == 2
    assert err.startswith("mlgate: error: " + MSG_UNREADABLE.format(path=path, error="")[:-1])
    assert err.count("\n") == 1


def test_ordinary_anchors_and_merges_still_load(write_gate):
    path = write_gate(
        "defaults: &bound {min: 0.5}\nchecks:\n  a: *bound\n  b: {<<: *bound, max: 0.9}\n"
    )
    document = _yaml.load_bounded(path)
    assert document["checks"] == {"a": {"min": 0.5}, "b": {"min": 0.5, "max": 0.9}}


def test_shared_subtree_is_measured_once_so_wide_sharing_is_fast(write_gate):
    # 8 levels x 4 aliases: 4^8 = 65,536 leaves when copied, under the limit; measuring it walks
    # 9 distinct nodes, not 65,536.
    lines = ["a0: &a0 [1]"] + [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 8)
    ]
    path = write_gate("\n".join(lines) + "\n")
    started = time.perf_counter()
    document = _yaml.load_bounded(path)
    assert time.perf_counter() - started < 1.0
    assert len(document["a7"]) == 4


def test_schema_file_with_billion_laughs_is_refused(tmp_path):
    from mlgate.checks._data_schema import read_schema
    from mlgate.errors import GateFileError

    path = tmp_path / "schema.yaml"
    path.write_text(_billion_laughs(), encoding="utf-8")
    with pytest.raises(GateFileError) as info:
        read_schema(path)
    assert str(info.value) == _yaml.MSG_TOO_MANY_NODES.format(path=path, limit=_yaml.MAX_NODES)
