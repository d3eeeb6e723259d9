"""The site cannot publish something stale or broken: the build fails instead.

A broken internal link fails the strict build; a reference generator that cannot produce its
page (here: a variable the code reads with no description) raises; a documented command that no
longer behaves as its page says fails the page.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
import yaml

from tests.docs._site import DOCS, ROOT


def hook(name: str):
    spec = importlib.util.spec_from_file_location(
        f"docs_hook_{name}", DOCS / "_hooks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_broken_internal_link_fails_the_strict_build(tmp_path):
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n[gone](missing.md), [a](#nowhere)\n")
    small = {
        "site_name": "probe",
        "strict": config["strict"],
        "validation": config["validation"],
        "theme": {"name": "material", "font": False},
    }
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small))
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "missing.md" in done.stderr and "nowhere" in done.stderr


def test_every_reference_page_is_generated():
    reference = hook("reference")
    for uri, generate in reference.PAGES.items():
        text = generate()
        assert text.startswith("# "), uri
        assert text.count("\n|") > 3, uri  # each page is mostly a table


def test_the_gate_file_reference_lists_every_top_level_key():
    reference = hook("reference")
    page = reference.gate_file_page()
    schema = reference.schema("gate.schema.json")
    for key in schema["properties"]:
        assert f"| `{key}` |" in page


def test_the_cli_reference_lists_every_command():
    from mlgate.cli import build_parser

    page = hook("reference").cli_page()
    parser = build_parser()
    [commands] = [a for a in parser._actions if a.choices and a.dest == "command"] or [
        a for a in parser._actions if a.choices
    ]
    for name in commands.choices:
        assert f"`mlgate {name}`" in page


def test_an_undescribed_environment_variable_fails_the_build(tmp_path):
    reference = hook("reference")
    described = yaml.safe_load((DOCS / "_hooks" / "environment.yml").read_text("utf-8"))
    described.pop("MLGATE_WEBHOOK_SECRET")
    described["NO_LONGER_READ"] = "stale"
    partial = tmp_path / "environment.yml"
    partial.write_text(yaml.safe_dump(described))
    with pytest.raises(
        RuntimeError, match=r"describe \['MLGATE_WEBHOOK_SECRET'\], remove \['NO_LONGER_READ'\]"
    ):
        reference.environment_page(partial)


def test_a_documented_command_that_exits_otherwise_fails_the_page():
    examples = hook("examples")
    page = "<!-- docs:run -->\n```console\n$ echo hi; exit 3  # exit 1\n```\n"
    with pytest.raises(examples.ExampleError, match="exited 3, the page says 1"):
        examples.run_page(page, "probe.md")


def test_documented_files_are_written_and_outputs_shown():
    examples = hook("examples")
    page = (
        '<!-- docs:run -->\n```text title="a.txt"\nhello\n```\n\n'
        "```console\n$ cat a.txt\n$ pwd\n```\n"
    )
    shown = examples.run_page(page, "probe.md")
    assert "```console\n$ cat a.txt\nhello\n$ pwd\n.\n```" in shown
