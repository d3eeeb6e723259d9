"""Read a YAML file people wrote, with bounds, so that a hostile file is refused in milliseconds.

``yaml.safe_load`` is safe from code execution but not from size: nine nested levels of
``&a``/``*a`` aliases (a "billion laughs") parse into a small graph of shared nodes that every
later walk (schema validation, the gate digest) expands to ~10^9 values, and an alias inside its
own anchor builds a cycle that a walk never leaves. A file nested thousands of levels deep
exhausts Python's recursion limit in the parser itself. So before anything is built from the
document, this module composes it with a depth limit and measures the node graph *as if the
aliases were expanded* (memoised, so measuring is linear in the file) and refuses what exceeds
the bounds. Ordinary uses of anchors (a shared block of thresholds, ``<<`` merges) pass.

Imported only when a YAML file is read (PyYAML is not loaded by ``import mlgate``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1 << 20  # a gate or schema file is a few KiB; 1 MiB leaves room and parses in < 1 s
MAX_DEPTH = 64  # nesting levels after expanding aliases; a gate file uses fewer than 10
MAX_NODES = 100_000  # scalars, lists and mappings after expanding aliases

MSG_TOO_LARGE = "{path} is {size} bytes; a gate or schema file may be at most {limit} bytes"
MSG_TOO_DEEP = (
    "{path} nests more than {limit} levels deep (counting YAML aliases as copies); flatten it"
)
MSG_TOO_MANY_NODES = (
    "{path} expands to more than {limit} values once YAML aliases (*name) are copied in; "
    "write the shared part out or use fewer nested aliases"
)
MSG_RECURSIVE_ALIAS = (
    "{path} has a YAML alias (*name) inside the block its anchor (&name) marks, which would "
    "never end; remove that alias"
)


class YamlBoundError(ValueError):
    """The document breaks a bound; the message is one line naming the file and the fix."""


def load_bounded(path: Path) -> Any:
    """Parse the YAML file at ``path`` as ``yaml.safe_load`` would, within the bounds above.

    Raises
    ------
    YamlBoundError
        The file is too large, too deep, expands too far, or has a recursive alias.
    OSError, UnicodeDecodeError, yaml.YAMLError, ValueError
        As reading and parsing raise them (ValueError also for an integer literal longer than
        Python converts); callers turn each into their own one-line message.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlBoundError(MSG_TOO_LARGE.format(path=path, size=size, limit=MAX_BYTES))
    text = path.read_text(encoding="utf-8")
    loader = _BoundedLoader(text, str(path))
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, str(path))
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than MAX_DEPTH as it reads."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self._name = name
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlBoundError(MSG_TOO_DEEP.format(path=self._name, limit=MAX_DEPTH))
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _measure(root: Any, name: str) -> None:
    """Count values and depth of the graph rooted at ``root`` with aliases expanded.

    Each node's (count, height) is memoised by identity, so a node shared by many aliases is
    measured once and the walk is linear in the number of distinct nodes; the recursion depth is
    bounded because a branch is abandoned as soon as it passes MAX_DEPTH.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def visit(node: Any, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            raise YamlBoundError(MSG_RECURSIVE_ALIAS.format(path=name))
        known = sizes.get(key)
        if known is None:
            if depth > MAX_DEPTH:
                raise YamlBoundError(MSG_TOO_DEEP.format(path=name, limit=MAX_DEPTH))
            children: list[Any] = []
            if isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            elif isinstance(node, yaml.MappingNode):
                children = [item for pair in node.value for item in pair]
            open_nodes.add(key)
            count, height = 1, 1
            for child in children:
                child_count, child_height = visit(child, depth + 1)
                count += child_count
                height = max(height, child_height + 1)
                if count > MAX_NODES:
                    raise YamlBoundError(MSG_TOO_MANY_NODES.format(path=name, limit=MAX_NODES))
            open_nodes.discard(key)
            known = sizes[key] = (count, height)
        if depth + known[1] - 1 > MAX_DEPTH:
            raise YamlBoundError(MSG_TOO_DEEP.format(path=name, limit=MAX_DEPTH))
        return known

    count, _ = visit(root, 1)
    if count > MAX_NODES:
        raise YamlBoundError(MSG_TOO_MANY_NODES.format(path=name, limit=MAX_NODES))
