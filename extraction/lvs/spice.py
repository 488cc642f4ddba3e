"""SPICE and CDL netlists as foundries and schematic tools write them, read into plain records.

Covers what LVS needs: `.SUBCKT`/`.ENDS` (with default parameters), element lines (`M`, `C`,
`R`, `D`, `Q`, `X`), `+` continuations, `*` comment lines with the CDL directives `*.PININFO`,
`*.GLOBAL` and `*.SCALE`, `.GLOBAL`, global nets ending in `!`, `.PARAM`, `.INCLUDE`,
inline `$` and `;` comments, CDL's `$[model]` and `$SUB=net`, the CDL `/` before a subcircuit
name, `name = value` with blanks, quoted or braced expressions, and SI scale suffixes
(`4.5u`, `10MEG`, `2fF`). Blocks a simulator runs (`.control` ... `.endc`) are skipped.
Every record keeps its file and line, so that errors can point at them.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from sgdr_flow.errors import FlowError

ELEMENT_KINDS = "MCRDQX"
SUFFIX = {"t": 1e12, "g": 1e9, "meg": 1e6, "k": 1e3, "mil": 25.4e-6, "m": 1e-3, "u": 1e-6,
          "n": 1e-9, "p": 1e-12, "f": 1e-15, "a": 1e-18}
NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(meg|mil|[tgkmunpfa])?[a-z]*$",
                    re.IGNORECASE)
IGNORED_BLOCKS = {".control": ".endc"}


@dataclass
class Where:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Element:
    kind: str                 # M, C, R, D, Q or X
    name: str
    nets: list[str]
    model: str                # device model or subcircuit name ("" if none is given)
    value: str | None         # a positional value (C and R), as written
    params: dict[str, str]    # lower-case name -> value as written
    where: Where


@dataclass
class Subckt:
    name: str
    pins: list[str]
    params: dict[str, str]
    elements: list[Element] = field(default_factory=list)
    where: Where | None = None


@dataclass
class Deck:
    path: Path
    subckts: dict[str, Subckt] = field(default_factory=dict)   # lower-case name -> subckt
    elements: list[Element] = field(default_factory=list)      # outside any .SUBCKT
    globals: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    scale: float = 1.0        # geometry scale (.SCALE, .OPTION SCALE=): W and L are multiplied

    def is_global(self, net: str) -> bool:
        return net.endswith("!") or net.lower() in {g.lower() for g in self.globals}


# ------------------------------------------------------------------------------- values
def spice_number(text: str) -> float | None:
    """A SPICE number with its scale suffix (`4.5u`, `10MEG`, `2fF`), or None."""
    found = NUMBER.match(text.strip())
    if not found:
        return None
    return float(found[1]) * SUFFIX.get((found[2] or "").lower(), 1.0)


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.USub: operator.neg,
        ast.UAdd: operator.pos}
_FUNCS = {"int": lambda x: float(math.trunc(x)), "abs": abs, "sqrt": math.sqrt, "min": min,
          "max": max, "floor": math.floor, "ceil": math.ceil, "pow": math.pow,
          "exp": math.exp, "log": math.log}
_SCALED = re.compile(r"(?<![\w.])((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(meg|mil|[tgkmunpfa])"
                     r"[a-zA-Z]*", re.IGNORECASE)


def evaluate(text: str, scope: dict[str, float]) -> float:
    """A parameter value: a number, a parameter's name or an expression over them
    (`'int((nf+1)/2) * W/nf * 0.18u'`, `{2*w}`). ValueError when it cannot be evaluated."""
    text = text.strip()
    if text[:1] in "'\"{" and text[-1:] in "'\"}":
        text = text[1:-1].strip()
    number = spice_number(text)
    if number is not None:
        return number
    if text.lower() in scope:
        return scope[text.lower()]
    python = _SCALED.sub(lambda m: repr(float(m[1]) * SUFFIX[m[2].lower()]), text)
    try:
        tree = ast.parse(python.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"cannot read {text!r}") from exc
    return float(_eval(tree.body, scope, text))


def _eval(node: ast.AST, scope: dict[str, float], text: str) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id.lower() in scope:
            return scope[node.id.lower()]
        raise ValueError(f"unknown parameter {node.id!r} in {text!r}")
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, scope, text), _eval(node.right, scope, text))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.operand, scope, text))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id.lower() in _FUNCS and not node.keywords):
        return _FUNCS[node.func.id.lower()](*(_eval(a, scope, text) for a in node.args))
    raise ValueError(f"cannot evaluate {text!r}")


# ------------------------------------------------------------------------------- lines
def _logical_lines(path: Path) -> list[tuple[int, str]]:
    """(first line number, text) per statement: `+` lines joined, comment lines kept apart
    (a continuation may follow them), blank lines dropped."""
    try:
        raw = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        raise FlowError(f"{path}: cannot read netlist: {exc}") from exc
    out: list[tuple[int, str]] = []
    last_statement = -1
    for number, line in enumerate(raw, 1):
        text = line.rstrip()
        stripped = text.lstrip()
        if not stripped.startswith("*"):
            stripped = _strip_comment(stripped).strip()  # `$` and `;` end a physical line
        if not stripped:
            continue
        if stripped.startswith("+"):
            if last_statement < 0:
                raise FlowError(f"{path}:{number}: continuation line with nothing to continue")
            first, previous = out[last_statement]
            out[last_statement] = (first, f"{previous} {stripped[1:]}")
            continue
        out.append((number, stripped))
        if not stripped.startswith("*"):
            last_statement = len(out) - 1
    return out


def _strip_comment(text: str) -> str:
    """Drops inline comments: `;` and a `$` word that is no CDL field (`$[model]`, `$SUB=`)
    and no KLayout-style name (`$1`)."""
    text = text.split(";", 1)[0]
    words = re.split(r"(\s+)", text)
    kept: list[str] = []
    for word in words:
        if word.startswith("$") and not (word.startswith(("$[", "$SUB=", "$sub="))
                                         or word[1:2].isdigit()):
            break
        kept.append(word)
    return "".join(kept)


def _tokens(text: str) -> list[str]:
    """Words of a statement; `a = b` becomes `a=b`; quotes and braces stay whole."""
    text = re.sub(r"\s*=\s*", "=", text)
    tokens, current, depth, quote = [], "", 0, ""
    for char in text:
        if quote:
            current += char
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current += char
        elif char in "{(":
            depth += 1
            current += char
        elif char in "})":
            depth -= 1
            current += char
        elif char.isspace() and depth <= 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _split_params(tokens: list[str]) -> tuple[list[str], dict[str, str], str, str | None]:
    """Positional words, `name=value` parameters, a CDL `$[model]` and `$SUB=` net."""
    positional, params, model, sub = [], {}, "", None
    for token in tokens:
        if token.startswith("$[") and token.endswith("]"):
            model = token[2:-1]
        elif token.lower().startswith("$sub="):
            sub = token[5:]
        elif "=" in token and not token.startswith("="):
            name, value = token.split("=", 1)
            params[name.lower()] = value
        elif token.lower() != "params:":
            positional.append(token)
    return positional, params, model, sub


# ------------------------------------------------------------------------------- deck
def read_deck(path: Path) -> Deck:
    """Read a SPICE/CDL file (and what it includes). FlowError (exit 2) names file and line."""
    if not path.is_file():
        raise FlowError(f"{path}: no such netlist")
    deck = Deck(path)
    _read_into(deck, path, set())
    return deck


def _read_into(deck: Deck, path: Path, seen: set[Path]) -> None:
    seen.add(path.resolve())
    current: Subckt | None = None
    skip_until = ""
    for number, text in _logical_lines(path):
        where = Where(path, number)
        lower = text.lower()
        if skip_until:
            skip_until = "" if lower.split()[0] == skip_until else skip_until
            continue
        if lower.startswith("*"):
            _directive(deck, lower[1:], text[1:], where)
            continue
        tokens = _tokens(text)
        if not tokens:
            continue
        keyword = tokens[0].lower()
        if keyword in IGNORED_BLOCKS:
            skip_until = IGNORED_BLOCKS[keyword]
        elif keyword == ".subckt":
            if current is not None:
                raise FlowError(f"{where}: .SUBCKT inside .SUBCKT {current.name} "
                                f"(line {current.where.line} has no .ENDS)")
            current = _subckt(tokens, where)
            if current.name.lower() in deck.subckts:
                raise FlowError(f"{where}: subcircuit {current.name} is defined twice")
            deck.subckts[current.name.lower()] = current
        elif keyword == ".ends":
            if current is None:
                raise FlowError(f"{where}: .ENDS without .SUBCKT")
            current = None
        elif keyword in (".include", ".inc"):
            _include(deck, tokens, path, where, seen)
        elif keyword == ".end":
            break
        elif keyword == ".param" and current is not None:
            current.params.update(_split_params(tokens[1:])[1])
        elif keyword.startswith("."):
            _dot_command(deck, keyword, tokens[1:], where)
        elif keyword[0].upper() in ELEMENT_KINDS:
            element = _element(tokens, where)
            (current.elements if current else deck.elements).append(element)
        else:
            raise FlowError(f"{where}: {tokens[0]}: {keyword[0].upper()} elements have no "
                            f"layout counterpart (LVS reads M, C, R, D, Q and X lines)")
    if current is not None:
        raise FlowError(f"{current.where}: .SUBCKT {current.name} has no .ENDS")


def _directive(deck: Deck, lower: str, text: str, where: Where) -> None:
    """CDL directives in comment lines: *.GLOBAL, *.SCALE (the rest are comments)."""
    words = text.split()
    if lower.startswith(".global"):
        deck.globals += words[1:]
    elif lower.startswith(".scale") and len(words) > 1:
        _set_scale(deck, words[1], where)


def _set_scale(deck: Deck, word: str, where: Where) -> None:
    units = {"meter": 1.0, "micron": 1e-6}
    value = units.get(word.lower(), spice_number(word))
    if value is None or value <= 0:
        raise FlowError(f"{where}: cannot read the scale {word!r}")
    deck.scale = value


def _dot_command(deck: Deck, keyword: str, words: list[str], where: Where) -> None:
    if keyword == ".global":
        deck.globals += words
    elif keyword == ".param":
        deck.params.update(_split_params(words)[1])
    elif keyword in (".option", ".options", ".opt") and "scale" in _split_params(words)[1]:
        _set_scale(deck, _split_params(words)[1]["scale"], where)
    elif keyword == ".scale" and words:
        _set_scale(deck, words[0], where)
    # .END, .LIB, .MODEL, .TEMP, analyses ...: nothing for LVS


def _include(deck: Deck, tokens: list[str], path: Path, where: Where, seen: set[Path]) -> None:
    if len(tokens) < 2:
        raise FlowError(f"{where}: .INCLUDE names no file")
    target = Path(tokens[1].strip("'\""))
    if not target.is_absolute():
        target = path.parent / target
    if not target.is_file():
        raise FlowError(f"{where}: included file {target} does not exist")
    if target.resolve() not in seen:
        _read_into(deck, target, seen)


def _subckt(tokens: list[str], where: Where) -> Subckt:
    if len(tokens) < 2:
        raise FlowError(f"{where}: .SUBCKT without a name")
    positional, params, _, _ = _split_params(tokens[2:])
    return Subckt(tokens[1], positional, params, where=where)


def _element(tokens: list[str], where: Where) -> Element:
    name = tokens[0]
    kind = name[0].upper()
    positional, params, cdl_model, sub = _split_params(tokens[1:])
    positional = [word for word in positional if word != "/"]  # CDL: X1 a b / cell
    value = None
    if kind == "X":
        if len(positional) < 1:
            raise FlowError(f"{where}: {name} names no subcircuit")
        model = cdl_model or positional.pop()
        nets = positional
    elif kind == "M":
        count = 3 if sub is not None else 4
        nets, rest = positional[:count], positional[count:]
        nets += [sub] if sub is not None else []
        model = cdl_model or (rest[0] if rest else "")
        if len(nets) != 4 or not model:
            raise FlowError(f"{where}: {name} needs drain, gate, source and bulk, then a model")
    else:
        count = {"C": 2, "R": 2, "D": 2, "Q": 3}[kind]
        nets, rest = positional[:count], positional[count:]
        model = cdl_model
        for word in rest:
            if spice_number(word) is not None and value is None:
                value = word
            elif not model and _is_model_word(word, rest):
                model = word
            else:
                nets.append(word)
        if sub is not None:
            nets.append(sub)
        if len(nets) < count:
            raise FlowError(f"{where}: {name} needs {count} terminals")
    return Element(kind, name, nets, model, value, params, where)


def _is_model_word(word: str, rest: list[str]) -> bool:
    """Whether a word after the required terminals is the model (the last name given) rather
    than an optional terminal (e.g. a resistor's or a BJT's substrate)."""
    names = [w for w in rest if spice_number(w) is None]
    return word == names[-1]
