"""Any gate file gets an answer, not a traceback: arbitrary YAML documents and mutations of a valid
gate file exit 0, 1 or 2 with one line on stderr, through the real ``mlgate run`` entry point.
Row filters (``where:``) outside the whitelist are refused whatever their shape."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mlgate.checks import _where
from mlgate.errors import GateFileError

INTERNAL = "internal error"
KEYS = ["model", "data", "target", "checks", "task", "seed", "report", "promote", "metrics"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["models:/m@champion", "eval.csv", "label", "binary", "performance"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def valid_gate(tmp_path_factory, binary_frame, binary_model):
    """A valid gate file's document and folder: a model file and a CSV of evaluation data."""
    import joblib

    folder = tmp_path_factory.mktemp("gate")
    joblib.dump(binary_model, folder / "model.joblib")
    binary_frame.to_csv(folder / "eval.csv", index=False)
    document = {
        "model": "model.joblib",
        "data": {"eval": "eval.csv"},
        "target": "label",
        "checks": {
            "performance": {"roc_auc": {"min": 0.8}, "f1_score": {"min": 0.5}},
            "slices": [
                {"name": "large", "where": "mean_radius > 15", "metrics": {"roc_auc": {"min": 0.5}}}
            ],
        },
        "report": {"formats": ["json"]},
    }
    return document, folder


def _answered(run_cli, path) -> None:
    code, _out, err = run_cli("run", "-c", str(path), "--report-dir", str(path.parent / "out"))
    assert code in (0, 1, 2), (code, err)
    assert INTERNAL not in err and "Traceback" not in err, err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("mlgate: error: "), err


@given(VALUES)
def test_arbitrary_documents_get_one_line(run_cli, tmp_path_factory, document):
    path = tmp_path_factory.mktemp("any") / "mlgate.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _answered(run_cli, path)


@st.composite
def mutations(draw, document):
    """The valid document with one value replaced, one key added, or one key removed."""
    mutated = yaml.safe_load(yaml.safe_dump(document))
    paths = []

    def walk(node, trail):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append((*trail, key))
                walk(value, (*trail, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                paths.append((*trail, index))
                walk(value, (*trail, index))

    walk(mutated, ())
    trail = draw(st.sampled_from(paths))
    parent = mutated
    for step in trail[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "add", "remove"]))
    if action == "replace":
        parent[trail[-1]] = draw(VALUES)
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=10))] = draw(VALUES)
    elif isinstance(parent, dict):
        del parent[trail[-1]]
    else:
        parent.pop(trail[-1])
    return mutated


@given(st.data())
def test_mutated_valid_gate_files_get_one_line(run_cli, valid_gate, data):
    document, folder = valid_gate
    mutated = data.draw(mutations(document))
    path = folder / "mlgate.yaml"
    path.write_text(yaml.safe_dump(mutated, allow_unicode=True), encoding="utf-8")
    _answered(run_cli, path)


def test_the_valid_gate_passes_through_a_real_process(valid_gate):
    """The console script itself (no in-process shortcut): the base document runs to exit 0."""
    document, folder = valid_gate
    (folder / "mlgate.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "run", "--report-dir", str(folder / "out")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [*a]\ntarget: y\n",
        "target: " + "[" * 2000 + "]" * 2000 + "\n",
        "target: y\nseed: 1e999999\n",
        "target: !!python/object/apply:os.system ['true']\n",
        "\ufefftarget: [unterminated\n",
    ],
)
def test_hostile_files_through_a_real_process(tmp_path, text):
    (tmp_path / "mlgate.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("mlgate: error: ")


FORBIDDEN = st.sampled_from(
    [
        "__import__('os')",
        "x.__class__",
        "x.mro",
        "x[0]",
        "@x",
        "f(x)",
        "(lambda: 1)",
        "[c for c in x]",
        "x ** 2",
        "x if y else z",
        "{1: 2}",
        "{1}",
        "f'{x}'",
        "(y := 1)",
        "__builtins__",
        "x @ y",
        "...",
        "b'x'",
        "1j",
    ]
)
ALLOWED = st.sampled_from(["x", "`a b`", "1", "2.5", "'s'", "True", "None", "[1, 2]"])
OPERATORS = st.sampled_from([" and ", " or ", " & ", " | ", " == ", " < ", " + ", " % ", " in "])


@given(st.lists(ALLOWED | FORBIDDEN, min_size=1, max_size=4), OPERATORS, FORBIDDEN)
def test_where_outside_the_whitelist_is_always_refused(parts, operator, forbidden):
    parts = [*parts, forbidden]
    text = operator.join(f"({part})" for part in parts)
    with pytest.raises(GateFileError) as info:
        _where.parse_filter(text, "checks.slices[0].where", "mlgate.yaml")
    assert str(info.value).startswith("mlgate.yaml: 'checks.slices[0].where' ")


ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.Invert, ast.USub,
    ast.UAdd, ast.Compare, ast.In, ast.NotIn, ast.Load, ast.List, ast.Tuple, ast.Name,
    ast.Constant, ast.BinOp, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Add,
    ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod,
)  # fmt: skip


@given(st.text(max_size=40))
def test_any_accepted_filter_holds_only_whitelisted_nodes(text):
    try:
        parsed = _where.parse_filter(text, "checks.slices[0].where", "mlgate.yaml")
    except GateFileError:
        return
    for node in ast.walk(parsed.tree):
        assert isinstance(node, ALLOWED_NODES), ast.dump(node)
        if isinstance(node, ast.Name):
            assert not node.id.startswith("__"), node.id
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, bool | int | float | str | type(None)), node.value
