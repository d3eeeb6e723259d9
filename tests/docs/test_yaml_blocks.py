"""Every YAML block in the docs and the README is what its page says it is, and valid.

Gate files (whole, or a piece such as a ``checks:`` section) go through the same reader as
``mlgate run`` (schema, metric names, bounds); workflows through actionlint and zizmor; Azure
pipelines through the Azure Pipelines schema.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from mlgate.spec import load_spec
from tests.docs._site import kind, yaml_blocks
from tests.test_ci_templates import lint_workflows, zizmor

BLOCKS = list(yaml_blocks())
# What a piece of a gate file is completed with, so the rest of it is checked as written.
# A registered model, as promotion and the documentation checks need.
REQUIRED = {"model": "models:/churn@challenger", "data": {"eval": "eval.csv"}, "target": "y"}


def test_the_docs_show_yaml():
    assert len(BLOCKS) >= 15
    assert {kind(document) for _, _, document in BLOCKS} == {"gate", "github", "azure"}


@pytest.mark.parametrize(
    ("where", "document"),
    [(w, d) for w, _, d in BLOCKS if kind(d) == "gate"],
    ids=[w for w, _, d in BLOCKS if kind(d) == "gate"],
)
def test_gate_files_in_the_docs_are_valid(where, document, tmp_path):
    completed = {**REQUIRED, **document} if "prediction" not in document else dict(document)
    schema = ((completed.get("checks") or {}).get("data") or {}).get("schema")
    if schema:  # the data schema the page tells the reader to write: an empty, valid one
        (tmp_path / schema).write_text("version: 1\ncolumns: {}\n", encoding="utf-8")
    gate = tmp_path / "mlgate.yaml"
    gate.write_text(yaml.safe_dump(completed, sort_keys=False), encoding="utf-8")
    load_spec(gate)  # raises GateFileError naming the key at fault


def test_an_invalid_gate_block_would_be_caught(tmp_path):
    """The check above can fail: a misspelt metric is refused."""
    from mlgate.errors import GateFileError

    gate = tmp_path / "mlgate.yaml"
    gate.write_text(yaml.safe_dump({**REQUIRED, "checks": {"performance": {"roc_auc_score": {}}}}))
    with pytest.raises(GateFileError, match="roc_auc_score"):
        load_spec(gate)


def test_workflows_in_the_docs_pass_actionlint_and_zizmor(tmp_path):
    workflows = {
        f"docs-{i}.yml": text for i, (_, text, d) in enumerate(BLOCKS) if kind(d) == "github"
    }
    assert workflows
    linted = lint_workflows(tmp_path, workflows)
    assert linted.returncode == 0 and linted.stdout == "", linted.stdout + linted.stderr
    paths = []
    for name, text in workflows.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    audited = zizmor(*paths)
    assert audited.returncode == 0, audited.stdout + audited.stderr


def test_azure_pipelines_in_the_docs_match_the_schema(tmp_path):
    paths = []
    for i, (_, text, document) in enumerate(BLOCKS):
        if kind(document) == "azure":
            paths.append(tmp_path / f"pipeline-{i}.yml")
            paths[-1].write_text(text, encoding="utf-8")
    assert paths
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--regex-variant", "python",
         "--builtin-schema", "vendor.azure-pipelines", *map(str, paths)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
