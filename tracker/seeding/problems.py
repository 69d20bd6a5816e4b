"""Located problems in plan files: file, line, field path, what is wrong and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.errors import BadInput, PermissionDenied

Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    """``("goals", 0, "objectives", 1, "title")`` as ``goals[0].objectives[1].title``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a plan file, as a user should read it."""

    source: str
    message: str
    loc: Loc = ()
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        path = format_loc(self.loc)
        return f"{where}: {path}: {self.message}" if path else f"{where}: {self.message}"


def _headline(problems: Sequence[Problem]) -> str:
    count = len(problems)
    head = str(problems[0]) if problems else "the plan has problems"
    more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
    return head + more


class PlanProblems(BadInput):
    """A plan file (or several) cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(_headline(self.problems))


class PlanRefused(PermissionDenied):
    """The acting login may not make what a valid plan file asks for; carries every refusal
    (each names the file, the item and who could do it)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(_headline(self.problems))
