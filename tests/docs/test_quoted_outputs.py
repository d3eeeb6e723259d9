"""Outputs the docs quote from other tools are checked here, against the installed versions."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.docs._site import DOCS


def quoted_block(page: str, start: str) -> str:
    text = (DOCS / page).read_text("utf-8")
    match = re.search(r"```text\n(" + re.escape(start) + r".*?)```", text, re.S)
    assert match, f"{page}: no text block starting {start!r}"
    return match.group(1)


def test_mlflow_refuses_to_save_a_hist_gradient_boosting_model_as_register_model_says(tmp_path):
    import mlflow.sklearn
    from mlflow.exceptions import MlflowException
    from sklearn.ensemble import HistGradientBoostingRegressor

    quoted = quoted_block("how-to/register-model.md", "MlflowException:")
    model = HistGradientBoostingRegressor(max_iter=5).fit(np.random.rand(50, 3), np.random.rand(50))
    with pytest.raises(MlflowException) as raised:
        mlflow.sklearn.save_model(model, tmp_path / "model")
    message = " ".join(str(raised.value).split())
    first = " ".join(quoted.split("Root error:")[0].removeprefix("MlflowException:").split())
    assert first.removesuffix("...").strip() in message
    root = quoted.split("Root error:")[1].strip()
    assert root in message
