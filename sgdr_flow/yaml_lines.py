"""YAML loading that remembers where every key sits, so errors can name file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sgdr_flow.errors import ConfigError

KeyPath = tuple[str | int, ...]


class LocatedYaml:
    """Parsed YAML data plus a map from key path to 1-based source line."""

    def __init__(self, path: Path, data: Any, lines: dict[KeyPath, int]):
        self.path = path
        self.data = data
        self.lines = lines

    def line_of(self, key_path: KeyPath) -> int:
        """Line of the deepest known prefix of `key_path` (a missing key points at its parent)."""
        for n in range(len(key_path), -1, -1):
            if key_path[:n] in self.lines:
                return self.lines[key_path[:n]]
        return 1

    def where(self, key_path: KeyPath) -> str:
        return f"{self.path}:{self.line_of(key_path)}"


def _walk(node: yaml.Node, key_path: KeyPath, lines: dict[KeyPath, int], problems: list[str],
          path: Path) -> Any:
    lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            line = key_node.start_mark.line + 1
            if key in out:
                problems.append(f"{path}:{line}: {dotted((*key_path, key))}: duplicate key")
            lines[(*key_path, key)] = line
            out[key] = _walk(value_node, (*key_path, key), lines, problems, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*key_path, i), lines, problems, path)
                for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def dotted(key_path: KeyPath) -> str:
    """`design.cells.mirror.ratio` style name of a key path, `[i]` for list items."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top>"


def load_located(path: Path) -> LocatedYaml:
    """Parse `path`, rejecting syntax errors and duplicate keys with file:line messages."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{path}:{line}: YAML syntax error: {exc.problem}"]) from exc
    lines: dict[KeyPath, int] = {}
    problems: list[str] = []
    data = {} if node is None else _walk(node, (), lines, problems, path)
    if problems:
        raise ConfigError(problems)
    return LocatedYaml(path, data, lines)
