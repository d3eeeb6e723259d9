"""The format-neutral pieces a report section is made of: tables of text and lazily drawn plots.

HTML renders all of them; Markdown renders the tables marked ``in_summary``. Cells are plain
text: each format escapes them its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A titled table of text cells."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    in_summary: bool = False


@dataclass
class Figure:
    """A plot drawn only when a format shows it: ``draw()`` returns a ``data:`` image URI."""

    title: str
    draw: Callable[[], str]
    caption: str = ""


@dataclass
class CheckDetails:
    """One check's ``details`` as key/value rows of text."""

    check_id: str
    rows: list[tuple[str, str]]


@dataclass
class Section:
    """One part of the report: a family's checks, its tables and plots, its checks' details."""

    key: str
    title: str
    checks: list[dict[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    details: list[CheckDetails] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
