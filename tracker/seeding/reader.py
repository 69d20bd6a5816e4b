"""Reading plan files (YAML or JSON) into plain data, safely and with line numbers.

Parsing is fast (libyaml when present, the json module for JSON); line numbers
are only worked out when there is a problem to point at. Hostile input is
refused early: duplicate mapping keys, several documents, alias bombs,
self-referencing aliases and absurd nesting each get a located message.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from tracker.numbers import MAX_DIGITS, digit_count
from tracker.seeding.problems import Loc, PlanProblems, Problem

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[assignment]

# An anchor may be reused, but the data it expands to may not be much larger
# than what is written: a "billion laughs" file expands a few lines into
# billions of items and would exhaust memory in any later step.
MAX_EXPANSION_RATIO = 10
MIN_EXPANSION_ALLOWANCE = 100_000
MAX_DEPTH = 64
# A plan file of 20 MB holds some 100,000 actions; anything larger is not a plan.
MAX_PLAN_BYTES = 20_000_000
SELF_ALIAS = "an alias refers to itself (an endless structure); remove that alias"


def _no_timestamps(loader: Any) -> dict[Any, Any]:
    # Dates stay text so that the plan models parse them (and refuse ambiguous
    # ones); keys such as `2024-12-09` stay keys instead of becoming dates.
    return {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in loader.yaml_implicit_resolvers.items()
    }


class _HugeNumber(yaml.constructor.ConstructorError):
    """An integer with more digits than any field takes (Python refuses to print
    one of thousands of digits, so every later message would fail on it)."""


def _huge(digits: int) -> str:
    return f"a number of {digits:,} digits; numbers in a plan have at most {MAX_DIGITS} digits"


class _PlanLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    yaml_implicit_resolvers = _no_timestamps(_BaseLoader)

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node, deep=True)
                try:
                    if key in seen:
                        mark = key_node.start_mark
                        self.duplicates.append((mark.line + 1, mark.column + 1, str(key)))
                    seen.add(key)
                except TypeError:
                    pass
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Decimal | float:
        if digit_count(str(node.value)) > MAX_DIGITS:
            raise _HugeNumber(None, None, _huge(digit_count(str(node.value))), node.start_mark)
        value = super().construct_yaml_float(node)
        # Money is never a float: keep the digits exactly as written.
        if value == value and value not in (float("inf"), float("-inf")):
            text = str(self.construct_scalar(node)).replace("_", "")
            try:
                return Decimal(text)
            except ArithmeticError:
                return Decimal(repr(value))
        return value


class YamlInt(int):
    """An integer read from YAML that remembers how it was written, so that a key
    such as ``07`` or ``1:30`` stays that text instead of becoming 7 or 90."""

    text: str

    def __new__(cls, value: int, text: str) -> YamlInt:
        number = super().__new__(cls, value)
        number.text = text
        return number


def _construct_int(loader: _PlanLoader, node: yaml.ScalarNode) -> int:
    text = str(node.value)
    if digit_count(text) > MAX_DIGITS:
        raise _HugeNumber(None, None, _huge(digit_count(text)), node.start_mark)
    value = yaml.SafeLoader.construct_yaml_int(loader, node)  # type: ignore[arg-type]
    return YamlInt(value, text)


_PlanLoader.add_constructor("tag:yaml.org,2002:float", _PlanLoader.construct_yaml_float)
_PlanLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _LineLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Composes nodes (with their marks) without building values."""

    yaml_implicit_resolvers = _no_timestamps(_BaseLoader)


def read_source(source: str | Path) -> tuple[str, str]:
    """The display name and text of a file, or of standard input for ``-``.

    Reading stops after `MAX_PLAN_BYTES` + 1 bytes, so a device without end
    (``/dev/zero``) or a runaway pipe is refused instead of filling memory.
    """
    if str(source) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # `tracker seed - <&-`: there is no standard input at all
            raise PlanProblems([Problem("<stdin>", "standard input is closed; pipe a plan file into tracker")])
        try:
            return "<stdin>", _decode("<stdin>", _bounded_read("<stdin>", stream))
        except OSError as exc:
            raise PlanProblems([Problem("<stdin>", f"cannot be read ({exc.strerror or exc})")]) from None
    path = Path(source)
    name = str(source)
    try:
        with path.open("rb") as stream:
            raw = _bounded_read(name, stream)
    except FileNotFoundError:
        raise PlanProblems([Problem(name, "no such file; check the path")]) from None
    except IsADirectoryError:
        raise PlanProblems([Problem(name, "is a folder; name the plan files in it (for example dir/*.yaml)")]) from None
    except PermissionError:
        raise PlanProblems([Problem(name, "cannot be read (permission denied); check its permissions")]) from None
    except OSError as exc:
        raise PlanProblems([Problem(name, f"cannot be read ({exc.strerror or exc}); is it a plan file?")]) from None
    return name, _decode(name, raw)


def _bounded_read(name: str, stream: BinaryIO) -> bytes:
    raw = stream.read(MAX_PLAN_BYTES + 1)
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanProblems(
            [Problem(name, f"is larger than {MAX_PLAN_BYTES // 1_000_000} MB, the most a plan file may be; split it")]
        )
    return raw


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanProblems([Problem(name, "is not UTF-8 text; save it as UTF-8", line=line)]) from None


def looks_like_json(name: str, text: str) -> bool:
    if name.endswith(".json"):
        return True
    if name.endswith((".yaml", ".yml")):
        return False
    return text.lstrip().startswith(("{", "["))


def parse_text(name: str, text: str) -> Any:
    """Plain data from YAML or JSON text; raises `PlanProblems` with locations."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise PlanProblems([Problem(name, "contains a NUL byte; is it a binary file?", line=line)])
    data = _parse_json(name, text) if looks_like_json(name, text) else _parse_yaml(name, text)
    _check_expansion(name, data)
    return data


class _HugeJson(Exception):
    pass


def _parse_json(name: str, text: str) -> Any:
    duplicates = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates = True
            result[key] = value
        return result

    def parse_int(digits: str) -> int:
        if digit_count(digits) > MAX_DIGITS:
            raise _HugeJson(digits)
        return int(digits)

    try:
        data = json.loads(text, parse_float=Decimal, parse_int=parse_int, object_pairs_hook=pairs)
    except _HugeJson as exc:
        digits = exc.args[0]
        start = text.find(digits)
        line = text.count("\n", 0, start) + 1
        column = start - text.rfind("\n", 0, start)
        raise PlanProblems([Problem(name, _huge(digit_count(digits)), line=line, column=column)]) from None
    except json.JSONDecodeError as exc:
        hint = "check the brackets, commas and quotes there"
        if exc.lineno == 1 and exc.colno == 1 and not text.lstrip().startswith(("{", "[")):
            hint = "is it YAML? then name the file .yaml"
        raise PlanProblems(
            [
                Problem(
                    name,
                    f"invalid JSON: {exc.msg}; {hint}",
                    line=exc.lineno,
                    column=exc.colno,
                )
            ]
        ) from None
    except RecursionError:
        raise PlanProblems(
            [Problem(name, f"is nested too deeply; a plan needs fewer than {MAX_DEPTH} levels")]
        ) from None
    if duplicates:
        # Only now pay for line numbers: the YAML reader finds them (JSON is YAML).
        try:
            _parse_yaml(name, text)
        except PlanProblems:
            raise
        except Exception:
            pass
        raise PlanProblems([Problem(name, "a key appears twice in one object; keep only one")])
    return data


def _check_yaml_depth(name: str, text: str, loader: type[yaml.SafeLoader] = _BaseLoader) -> None:
    # libyaml's composer recurses in C: a file nested thousands deep would crash
    # the process. Its event parser does not recurse, so measure depth with it first.
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise PlanProblems(
                        [
                            Problem(
                                name,
                                f"is nested too deeply; a plan needs fewer than {MAX_DEPTH} levels",
                                line=mark.line + 1 if mark else None,
                            )
                        ]
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Some libyaml builds refuse deep flow nesting in their scanner, before any
        # event, in words of their own. Measure the text up to that point with the
        # pure-Python parser (no such limit, no recursion) so that the file gets our
        # sentence whichever libyaml is installed.
        mark = exc.problem_mark
        if loader is not yaml.SafeLoader and mark is not None and mark.index > MAX_DEPTH:
            _check_yaml_depth(name, text[: mark.index + 1], yaml.SafeLoader)
        return  # the real parse reports it, with its location
    except yaml.YAMLError:
        return


# Characters YAML 1.1 reads as line breaks that no editor shows as one: a plan holding one
# breaks its lines where its author sees none (U+0085 is mostly "…" saved in the wrong encoding).
_HIDDEN_BREAKS = re.compile("[\u0085\u2028\u2029]")


def _check_hidden_breaks(name: str, text: str) -> None:
    found = _HIDDEN_BREAKS.search(text)
    if found is None:
        return
    at = found.start()
    code = ord(found.group())
    hint = ", often an ellipsis (…) saved in the wrong encoding" if code == 0x85 else ""
    raise PlanProblems(
        [
            Problem(
                name,
                f"holds U+{code:04X}, which YAML reads as a line break though editors show none{hint}; "
                "remove it, or write it as an escape such as \\u2028 inside double quotes",
                line=text.count("\n", 0, at) + 1,
                column=at - text.rfind("\n", 0, at),
            )
        ]
    )


def _parse_yaml(name: str, text: str) -> Any:
    _check_hidden_breaks(name, text)
    _check_yaml_depth(name, text)
    loader = _PlanLoader(text)
    try:
        data = loader.get_single_data()
    except _HugeNumber as exc:
        mark = exc.problem_mark
        assert mark is not None
        raise PlanProblems([Problem(name, str(exc.problem), line=mark.line + 1, column=mark.column + 1)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "cannot be read"
        hint = _yaml_hint(str(what))
        if mark is not None and "\t" in _line(text, mark.line)[: mark.column + 1]:
            hint = "indent with spaces, not tabs"
        raise PlanProblems(
            [
                Problem(
                    name,
                    f"YAML syntax error: {what}; {hint}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ]
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: say where it is
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise PlanProblems(
            [
                Problem(
                    name,
                    f"holds the control character U+{code:04X}, which YAML does not allow; "
                    "remove it (or write it as an escape such as \\u001b inside double quotes)",
                    line=line,
                    column=column,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PlanProblems([Problem(name, f"YAML error: {first}")]) from None
    except RecursionError:
        raise PlanProblems(
            [Problem(name, f"is nested too deeply; a plan needs fewer than {MAX_DEPTH} levels")]
        ) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise PlanProblems(
            [
                Problem(
                    name,
                    f"the key {key!r} appears twice in the same mapping; keep only one",
                    line=line,
                    column=col,
                )
                for line, col, key in loader.duplicates
            ]
        )
    return data


def _line(text: str, index: int) -> str:
    lines = text.splitlines()
    return lines[index] if 0 <= index < len(lines) else ""


def _yaml_hint(what: str) -> str:
    if "document" in what:
        return "a plan file holds one document: remove the extra '---' sections"
    if "mapping values" in what:
        return "check the indentation, and quote text that contains ': '"
    if "\t" in what or "tab" in what:
        return "indent with spaces, not tabs"
    if "found undefined alias" in what:
        return "define the anchor (&name) before using it (*name)"
    return "check the indentation and quoting on that line"


def _check_expansion(name: str, data: Any) -> None:
    """Refuse alias bombs, self-reference and deep nesting, without expanding anything."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    distinct = 0
    # Iterative post-order walk: each container's expanded size, memoised by identity.
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        obj, depth, children_done = stack.pop()
        if not isinstance(obj, dict | list):
            continue
        ident = id(obj)
        if children_done:
            children = obj.values() if isinstance(obj, dict) else obj
            sizes[ident] = 1 + sum(sizes.get(id(c), 0) for c in children if isinstance(c, dict | list))
            on_path.discard(ident)
            continue
        if ident in sizes:
            continue
        if ident in on_path:
            raise PlanProblems([Problem(name, SELF_ALIAS)])
        if depth > MAX_DEPTH:
            raise PlanProblems([Problem(name, f"is nested too deeply; a plan needs fewer than {MAX_DEPTH} levels")])
        distinct += 1
        on_path.add(ident)
        stack.append((obj, depth, True))
        children = obj.values() if isinstance(obj, dict) else obj
        for child in children:
            if isinstance(child, dict | list):
                if id(child) in on_path:
                    raise PlanProblems(
                        [
                            Problem(
                                name,
                                SELF_ALIAS,
                            )
                        ]
                    )
                stack.append((child, depth + 1, False))
        if len(sizes) + len(stack) > 50_000_000:
            break
    expanded = sizes.get(id(data), 0)
    if expanded > max(MIN_EXPANSION_ALLOWANCE, MAX_EXPANSION_RATIO * distinct):
        raise PlanProblems(
            [
                Problem(
                    name,
                    f"its YAML aliases expand {distinct:,} written items into {expanded:,} "
                    "(an alias bomb?); write the items out instead of repeating anchors",
                )
            ]
        )


def compose(text: str) -> yaml.Node | None:
    """The document's nodes with their line marks (None if it cannot be read)."""
    try:
        return yaml.compose(text, Loader=_LineLoader)  # type: ignore[no-any-return]
    except (yaml.YAMLError, RecursionError):
        return None


def line_of(text: str | yaml.Node | None, loc: Loc) -> tuple[int | None, int | None]:
    """The line and column of the item at ``loc`` (or of its nearest ancestor).

    Give the `compose`d document when locating many problems: composing is the
    slow part, walking to one item is not.
    """
    node = compose(text) if isinstance(text, str) else text
    if node is None:
        return None, None
    best = node
    for part in loc:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    nxt = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        if nxt is None:
            break
        node = best = nxt
    return best.start_mark.line + 1, best.start_mark.column + 1
