"""Commented YAML for the gate file ``mlgate init`` writes.

PyYAML drops comments, and the comments are the point (each says what was measured and why the
number), so the text is assembled here line by line. Scalars are written as JSON (a subset of
YAML): strings are always double-quoted and escaped, so no data value can change the structure.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
WIDTH = 100


def scalar(value: Any) -> str:
    """A YAML scalar: numbers and booleans as such, strings double-quoted (JSON escaping)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return repr(value + 0.0)  # -0.0 is written 0.0
    return json.dumps(str(value), ensure_ascii=False)


def key(name: str) -> str:
    """A mapping key: bare when it is a plain identifier YAML cannot misread, else quoted."""
    if _PLAIN_KEY.match(name) and name.lower() not in _YAML_WORDS:
        return name
    return json.dumps(name, ensure_ascii=False)


def flow(value: Any) -> str:
    """A value on one line: flow mappings and sequences of scalars."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key(str(k))}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar(value)


def comment(lines: Iterable[str], indent: int) -> list[str]:
    """``# ...`` lines at ``indent``, wrapped at WIDTH; control characters become spaces, so a
    value quoted in a comment can never start a line of YAML."""
    pad = " " * indent + "# "
    out = []
    for line in lines:
        clean = "".join(ch if ch.isprintable() else " " for ch in line)
        width = WIDTH - len(pad)
        wrapped = textwrap.wrap(clean, width, break_long_words=False, break_on_hyphens=False)
        out.extend(wrapped or [""])
    return [pad + text if text else pad.rstrip() for text in out]


class Document:
    """Lines of YAML under construction."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def note(self, text: Iterable[str], indent: int = 0) -> None:
        self.lines.extend(comment(text, indent))

    def item(self, name: str, value: Any, indent: int = 0, why: Iterable[str] = ()) -> None:
        """``name: value`` on one line, after its comment."""
        self.note(why, indent)
        self.lines.append(" " * indent + f"{key(name)}: {flow(value)}")

    def section(self, name: str, indent: int = 0, why: Iterable[str] = ()) -> None:
        """``name:`` opening a nested block."""
        self.note(why, indent)
        self.lines.append(" " * indent + f"{key(name)}:")

    def list_item(self, fields: Mapping[str, Any], indent: int, why: Iterable[str] = ()) -> None:
        """A block sequence item ``- a: 1`` with the other fields aligned under it."""
        self.note(why, indent)
        for index, (name, value) in enumerate(fields.items()):
            lead = "- " if index == 0 else "  "
            self.lines.append(" " * indent + lead + f"{key(name)}: {flow(value)}")

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"
