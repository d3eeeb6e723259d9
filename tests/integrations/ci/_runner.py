"""Run a composite action's steps the way the GitHub runner does, on this machine.

The runner evaluates ``${{ }}`` expressions (inputs, step outputs, ``github.*``, ``always()``),
gives each ``run:`` step fresh ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files, runs it
with ``bash --noprofile --norc -eo pipefail`` in its working directory with the step's ``env:``,
reads the outputs back (``name=value`` and the ``name<<DELIMITER`` form) and skips later steps
after a failure unless their ``if:`` says ``always()``. ``uses:`` steps (setup-python,
upload-artifact) cannot run without a hosted runner: they are recorded with their evaluated
``with:`` so the tests can check what they would receive.

The expression evaluator covers the subset the action and the examples use: literals, context
paths, ``==``, ``!=``, ``!``, ``&&``, ``||``, parentheses and the status functions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[!(),])|(?P<word>[\w.\-]+))"
)
TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}")


class Expression:
    """A tiny recursive-descent evaluator for GitHub expressions."""

    def __init__(self, text: str, context: dict[str, Any]) -> None:
        self.tokens = [m for m in TOKEN.finditer(text) if m.group().strip()]
        assert "".join(m.group().strip() for m in self.tokens) == re.sub(r"\s", "", text), text
        self.position = 0
        self.context = context

    def evaluate(self) -> Any:
        value = self._or()
        assert self.position == len(self.tokens), "unparsed expression tail"
        return value

    def _peek(self) -> str | None:
        return (
            self.tokens[self.position].group().strip() if self.position < len(self.tokens) else None
        )

    def _take(self) -> re.Match[str]:
        self.position += 1
        return self.tokens[self.position - 1]

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            operator = self._take().group().strip()
            right = self._unary()
            equal = str(value).lower() == str(right).lower()
            value = equal if operator == "==" else not equal
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        if self._peek() == "(":
            self._take()
            value = self._or()
            assert self._take().group().strip() == ")"
            return value
        token = self._take()
        if token.group("str") is not None:
            return token.group("str")[1:-1].replace("''", "'")
        word = token.group("word")
        if self._peek() == "(":
            self._take()
            assert self._take().group().strip() == ")"
            return self.context["functions"][word]()
        if word in ("true", "false"):
            return word == "true"
        value: Any = self.context
        for part in word.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value


def truthy(value: Any) -> bool:
    return value not in ("", False, None, 0)


def render(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    """Replace every ``${{ expr }}`` in ``text`` by its value."""
    return TEMPLATE.sub(lambda m: render(Expression(m.group(1), context).evaluate()), str(text))


def condition(text: str, context: dict[str, Any]) -> bool:
    """An ``if:`` value: an expression with or without the ``${{ }}`` wrapper."""
    match = TEMPLATE.fullmatch(text.strip())
    return truthy(Expression(match.group(1) if match else text, context).evaluate())


def read_outputs(path: Path) -> dict[str, str]:
    """``$GITHUB_OUTPUT`` as the runner parses it."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        index += 1
    return outputs


@dataclass
class StepRun:
    name: str
    ran: bool
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    failed: bool

    def __str__(self) -> str:
        """What a failing assertion shows: each step's result and the tail of its output."""
        return "\n".join(
            f"{s.name}: ran={s.ran} code={s.returncode}\n{s.stdout[-800:]}{s.stderr[-1500:]}"
            for s in self.steps
        )

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)


def run_action(
    action_dir: Path,
    with_: dict[str, Any],
    *,
    workspace: Path,
    env: dict[str, str],
    github: dict[str, Any],
    skip_run: tuple[str, ...] = (),
) -> ActionRun:
    """Run ``action_dir/action.yml`` with inputs ``with_`` in ``workspace``.

    ``env`` is the job's environment (the workflow step's ``env:``), ``github`` the github
    context. Steps named in ``skip_run`` are recorded but not run.
    """
    action = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    state: dict[str, Any] = {"failed": False}
    context: dict[str, Any] = {
        "github": github,
        "steps": {},
        "functions": {
            "always": lambda: True,
            "success": lambda: not state["failed"],
            "failure": lambda: state["failed"],
        },
    }
    defaults = {k: substitute(v.get("default", ""), context) for k, v in action["inputs"].items()}
    given = {k: substitute(render(v), context) for k, v in with_.items()}
    assert set(given) <= set(defaults), f"unknown inputs {set(given) - set(defaults)}"
    context["inputs"] = {**defaults, **given}
    runs: list[StepRun] = []
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        if not condition(step.get("if", "success()"), context):
            runs.append(StepRun(name, ran=False))
            continue
        if "uses" in step:
            with_values = {k: substitute(render(v), context) for k, v in step["with"].items()}
            runs.append(StepRun(name, ran=True, uses=step["uses"], with_=with_values))
            continue
        if name in skip_run:
            runs.append(StepRun(name, ran=False))
            continue
        run = _run_script(step, index, action_dir, workspace, env, github, context)
        runs.append(run)
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": run.outputs}
        if run.returncode != 0:
            state["failed"] = True
    outputs = {k: substitute(v["value"], context) for k, v in action.get("outputs", {}).items()}
    return ActionRun(runs, outputs, state["failed"])


def _run_script(step, index, action_dir, workspace, env, github, context) -> StepRun:
    folder = workspace / ".runner" / f"step{index}"
    folder.mkdir(parents=True, exist_ok=True)
    output, summary = folder / "output", folder / "summary"
    output.touch()
    summary.touch()
    cwd = workspace / substitute(step.get("working-directory", "."), context)
    step_env = {k: substitute(render(v), context) for k, v in step.get("env", {}).items()}
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    runner_env = {
        "PATH": path,
        "HOME": os.environ.get("HOME", "/tmp"),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_ACTION_PATH": str(action_dir),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_NAME": github.get("event_name", ""),
        "MLFLOW_TRACKING_URI": os.environ.get("MLFLOW_TRACKING_URI", ""),
    }
    script = substitute(step["run"], context)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**runner_env, **env, **step_env},
        check=False,
        timeout=300,
    )
    return StepRun(
        step.get("name", f"step {index}"),
        ran=True,
        returncode=done.returncode,
        stdout=done.stdout,
        stderr=done.stderr,
        outputs=read_outputs(output),
        summary=summary.read_text(encoding="utf-8"),
    )
