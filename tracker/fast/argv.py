"""Which command lines the fast path answers: a strict reading of the common shapes.

A command line is taken only when every word is one of these shapes, exactly as the full
command line would read it; anything else (another option, an attached short option's
value, a value that looks like an option, ``--``, ``--help``, an empty value) is None:
the full command line reads it, with its own messages.

    tracker [--db X] [--as L] actions list [-f K] [-s K ...] [--as-lead|--as-partner]
            [--status S ...] [--limit N] [--offset N] --json
    tracker [--db X] [--as L] actions set-status REF STATUS [-m NOTE] [--expect-version N]

``--db`` and ``--as`` may also follow the command, as in the full command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.models.enums import Status

# The bounds of the full command line: beyond them it says why.
from tracker.services.tracking.limits import MAX_LIMIT, MAX_OFFSET

_GLOBAL = {"--db": "db", "--as": "actor"}
_LIST_VALUES = {
    "--framework": "framework",
    "-f": "framework",
    "--stakeholder": "stakeholders",
    "-s": "stakeholders",
    "--status": "statuses",
    "--limit": "limit",
    "--offset": "offset",
}
_LIST_FLAGS = {"--as-lead": "as_lead", "--as-partner": "as_partner", "--json": "as_json"}
_STATUS_VALUES = {"--note": "note", "-m": "note", "--expect-version": "expect_version"}
_REPEATED = {"stakeholders", "statuses"}
_NUMBER = re.compile(r"[0-9]{1,12}")
_STATUSES = frozenset(s.value for s in Status)


@dataclass
class Command:
    name: str  # "list" or "set-status"
    db: str | None = None
    actor: str | None = None
    framework: str | None = None
    stakeholders: list[str] = field(default_factory=list)
    as_lead: bool = False
    as_partner: bool = False
    statuses: list[str] = field(default_factory=list)
    limit: int = 50
    offset: int = 0
    as_json: bool = False
    ref: str | None = None
    status: str | None = None
    note: str | None = None
    expect_version: int | None = None
    committed: bool = False  # set once its change is committed: an interruption after it changed something


def read(argv: list[str]) -> Command | None:
    """The command ``argv`` asks for when it is one the fast path answers, else None."""
    words = list(argv)
    found: dict[str, object] = {}
    rest: list[str] = []
    i = 0
    while i < len(words):  # the global options, wherever they are
        name, sep, value = words[i].partition("=")
        if name in _GLOBAL:
            taken = _take(words, i, sep, value)
            if taken is None or _GLOBAL[name] in found:
                return None
            value, i = taken
            found[_GLOBAL[name]] = value
        else:
            rest.append(words[i])
        i += 1
    if len(rest) < 2 or rest[0] != "actions" or rest[1] not in ("list", "set-status"):
        return None
    command = Command(name=rest[1], db=found.get("db"), actor=found.get("actor"))  # type: ignore[arg-type]
    options = rest[2:]
    if command.name == "list":
        return _list(command, options)
    return _set_status(command, options)


def _take(words: list[str], i: int, sep: str, value: str) -> tuple[str, int] | None:
    """The value of the option ``words[i]`` (after its ``=``, else the next word) and the index
    of the last word it took; None when there is none or it is not `_plain`."""
    if not sep:
        if i + 1 >= len(words):
            return None
        value = words[i + 1]
        i += 1
    return (value, i) if _plain(value) else None


def _plain(value: str) -> bool:
    """A value the full command line would take as it is: not empty, not option-like."""
    return bool(value.strip()) and not value.startswith("-")


def _options(
    words: list[str], values: dict[str, str], flags: dict[str, str]
) -> tuple[dict[str, object], list[str]] | None:
    given: dict[str, object] = {}
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name, sep, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in values:
            taken = _take(words, i, sep, value)
            if taken is None:
                return None
            value, i = taken
            key = values[name]
            if key in _REPEATED:
                given.setdefault(key, []).append(value)  # type: ignore[attr-defined]
            elif key in given:
                return None  # given twice: the full command line decides which counts
            else:
                given[key] = value
        elif word in flags and not sep:
            given[flags[word]] = True
        elif word.startswith("-"):
            return None
        else:
            positional.append(word)
        i += 1
    return given, positional


def _number(text: object, low: int, high: int) -> int | None:
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _list(command: Command, words: list[str]) -> Command | None:
    parsed = _options(words, _LIST_VALUES, _LIST_FLAGS)
    if parsed is None or parsed[1]:
        return None
    given, _ = parsed
    if not given.get("as_json"):
        return None  # tables for people are Rich's: the full command line draws them
    command.as_json = True
    command.framework = given.get("framework")  # type: ignore[assignment]
    command.stakeholders = given.get("stakeholders", [])  # type: ignore[assignment]
    command.statuses = given.get("statuses", [])  # type: ignore[assignment]
    command.as_lead = bool(given.get("as_lead"))
    command.as_partner = bool(given.get("as_partner"))
    if command.as_lead and command.as_partner:
        return None
    if (command.as_lead or command.as_partner) and not command.stakeholders:
        return None
    if any(s not in _STATUSES for s in command.statuses):
        return None
    if "limit" in given:
        limit = _number(given["limit"], 1, MAX_LIMIT)
        if limit is None:
            return None
        command.limit = limit
    if "offset" in given:
        offset = _number(given["offset"], 0, MAX_OFFSET)
        if offset is None:
            return None
        command.offset = offset
    return command


def _set_status(command: Command, words: list[str]) -> Command | None:
    parsed = _options(words, _STATUS_VALUES, {})
    if parsed is None:
        return None
    given, positional = parsed
    if len(positional) != 2 or positional[1] not in _STATUSES:
        return None
    command.ref, command.status = positional
    command.note = given.get("note")  # type: ignore[assignment]
    if "expect_version" in given:
        version = _number(given["expect_version"], 0, 2**62)
        if version is None:
            return None
        command.expect_version = version
    return command
