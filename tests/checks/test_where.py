"""Safe 'where' filters: same rows as DataFrame.query for the allowed subset; code is refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlgate.checks._where import (
    MSG_WHERE_COLUMN,
    MSG_WHERE_FAILED,
    MSG_WHERE_NOT_BOOLEAN,
    MSG_WHERE_REFUSED,
    MSG_WHERE_SYNTAX,
    evaluate_filter,
    parse_filter,
)
from mlgate.errors import GateFileError, InputError

KEY = "checks.slices[0].where"


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(1)
    n = 200
    return pd.DataFrame(
        {
            "tenure": rng.integers(0, 24, n),
            "charges": rng.normal(50, 20, n),
            "region": rng.choice(["north", "south", "east", None], n),
            "monthly charges": rng.uniform(0, 100, n),
            "active": rng.random(n) > 0.5,
        }
    )


@pytest.mark.parametrize(
    "text",
    [
        "tenure < 6",
        "tenure >= 6 and charges < 40",
        "2 < tenure <= 10",
        "region == 'north' or region == 'south'",
        "region in ['north', 'east']",
        "region not in ('north',)",
        "not (tenure < 6)",
        "(tenure < 6) & ~(charges > 60) | (region == 'east')",
        "charges * 2 - 10 > tenure + 50",
        "tenure % 2 == 0",
        "tenure // 5 == 1",
        "charges / 2 > -10",
        "`monthly charges` > 50 and active",
        "active == True",
        "region != 'north'",
    ],
)
def test_rows_equal_dataframe_query(frame, text):
    mask = evaluate_filter(parse_filter(text, KEY, "gate.yaml"), frame, "eval.csv")
    expected = frame.eval(text, engine="python").fillna(False).to_numpy(dtype=bool)
    np.testing.assert_array_equal(mask, expected)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("__import__('os').system('true')", "a function call"),
        ("tenure.abs() > 1", "a function call"),
        ("region.str == 1", "attribute access ('.str')"),
        ("__class__ == 1", "the name '__class__'"),
        ("tenure @ tenure", "'@' (a reference to a Python variable)"),
        ("tenure < @limit", "'@' (a reference to a Python variable)"),
        ("tenure[0] == 1", "indexing ('[...]')"),
        ("tenure ** 99 > 1", "the operator 'Pow'"),
        ("(lambda: 1) == 1", "'Lambda'"),
        ("[x for x in tenure] == 1", "'ListComp'"),
        ("b'x' == region", "the literal b'x'"),
    ],
)
def test_code_is_refused_with_one_line(text, what):
    with pytest.raises(GateFileError) as error:
        parse_filter(text, KEY, "gate.yaml")
    assert str(error.value) == "gate.yaml: " + MSG_WHERE_REFUSED.format(key=KEY, what=what)


def test_at_sign_inside_a_string_is_a_literal(frame):
    flt = parse_filter("region == 'a@b'", KEY, "gate.yaml")
    assert not evaluate_filter(flt, frame, "eval.csv").any()


def test_syntax_error_names_the_key():
    with pytest.raises(GateFileError) as error:
        parse_filter("tenure <", KEY, "gate.yaml")
    assert str(error.value) == "gate.yaml: " + MSG_WHERE_SYNTAX.format(
        key=KEY, error="invalid syntax", text="tenure <"
    )


def test_unknown_column_names_the_closest(frame):
    flt = parse_filter("tenur < 6", KEY, "gate.yaml")
    with pytest.raises(InputError) as error:
        evaluate_filter(flt, frame, "eval.csv")
    assert str(error.value) == MSG_WHERE_COLUMN.format(
        key=KEY, column="tenur", source="eval.csv", hint="; did you mean 'tenure'?"
    )


def test_not_boolean_and_type_errors(frame):
    with pytest.raises(InputError) as error:
        evaluate_filter(parse_filter("tenure + 1", KEY, "g"), frame, "eval.csv")
    assert str(error.value) == MSG_WHERE_NOT_BOOLEAN.format(key=KEY, dtype="int64")
    with pytest.raises(InputError) as error:
        evaluate_filter(parse_filter("region < 3", KEY, "g"), frame, "eval.csv")
    assert str(error.value).startswith(
        MSG_WHERE_FAILED.format(key=KEY, source="eval.csv", error="").rstrip()
    )
