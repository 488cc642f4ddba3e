"""YAML loading that remembers where every key sits, so errors can name file, line and key.

Parsing is bounded: the file's size, the number of values after aliases are expanded (an alias
"bomb" of nested anchors grows exponentially) and the nesting depth (an alias may contain
itself) all have limits, and every problem is a `file:line: key: message`, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from sgdr_flow.errors import ConfigError

KeyPath = tuple[str | int, ...]

MAX_BYTES = 1 << 20   # a flow.yaml is a few kB
MAX_NODES = 100_000   # values after expanding aliases
MAX_DEPTH = 32        # nesting of mappings and lists


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


class _Walker:
    """Turns a composed node tree into plain data, recording lines and counting values."""

    def __init__(self, path: Path):
        self.path = path
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[str] = []
        self.nodes = 0
        self.scalars = SafeConstructor()

    def _fail(self, node: yaml.Node, key_path: KeyPath, message: str) -> ConfigError:
        return ConfigError([f"{self.path}:{node.start_mark.line + 1}: {dotted(key_path)}: "
                            f"{message}"])

    def walk(self, node: yaml.Node, key_path: KeyPath = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._fail(node, key_path, f"more than {MAX_NODES} YAML nodes once aliases are "
                                             "expanded (nested anchors that multiply?)")
        if len(key_path) > MAX_DEPTH:
            raise self._fail(node, key_path, f"nested deeper than {MAX_DEPTH} levels (an alias "
                                             "that contains itself?)")
        self.lines.setdefault(key_path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*key_path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, key_path)

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(f"{self.path}:{line}: {dotted(key_path)}: a key must be a "
                                     "plain name, not a list or a mapping")
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(f"{self.path}:{line}: {dotted(key_path)}: YAML merge keys "
                                     "(<<) are not supported; write the keys out, or alias a "
                                     "whole mapping")
                continue
            key = self._scalar(key_node, key_path)
            if key in out:
                self.problems.append(f"{self.path}:{line}: {dotted((*key_path, key))}: "
                                     "duplicate key")
            self.lines[(*key_path, key)] = line
            out[key] = self.walk(value_node, (*key_path, key))
        return out

    def _scalar(self, node: yaml.Node, key_path: KeyPath) -> Any:
        try:
            return self.scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise self._fail(node, key_path, f"cannot read this value: {problem}") from exc


def dotted(key_path: KeyPath) -> str:
    """`design.cells.mirror.ratio` style name of a key path, `[i]` for list items."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top>"


def _text(path: Path) -> str:
    """The file as UTF-8 text, or a ConfigError naming what is wrong with it."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError([f"{path}:1: <top>: {size} bytes, larger than the {MAX_BYTES} a "
                               "flow file may have"])
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError([f"{path}:{line}: <top>: not UTF-8 text (byte 0x{data[exc.start]:02x} "
                           f"at offset {exc.start}); is this a flow.yaml?"]) from exc


def load_located(path: Path) -> LocatedYaml:
    """Parse `path`, rejecting syntax errors and duplicate keys with file:line messages."""
    text = _text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{path}:{line}: YAML syntax error: {exc.problem}"]) from exc
    except yaml.reader.ReaderError as exc:  # characters YAML does not allow (NUL, ...)
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError([f"{path}:{line}: <top>: character #x{exc.character:04x}: "
                           f"{exc.reason} in YAML"]) from exc
    walker = _Walker(path)
    data = {} if node is None else walker.walk(node)
    if walker.problems:
        raise ConfigError(walker.problems)
    return LocatedYaml(path, data, walker.lines)
