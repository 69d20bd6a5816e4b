"""A framework as a plan file (YAML) that `tracker seed` reads back to the same plan.

The text is dumped from the `PlanFile` model, field by field in the model's
order, and read back with the plan reader before it is returned: what this
module writes is valid by construction and checked to mean exactly the same.
Block style, no empty or null fields (nor flags left false), dates as YYYY-MM-DD, amounts as plain
numbers; any text YAML would read as something else (``yes``, ``null``, ``07``,
``2024-01-01``, a leading ``*``, ``&`` or ``!``) is quoted.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import yaml
from pydantic import BaseModel

from tracker.errors import TrackerError
from tracker.seeding.plan import PlanFile
from tracker.text import escape_invisible

_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # type: ignore[assignment]


class _PlanDumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """YAML 1.1's own resolvers decide what needs quotes; they know more types than the plan
    reader (timestamps), so a scalar may be quoted needlessly, never wrongly."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Several lines read best as a literal block; the emitter falls back to quotes
    # when a block cannot hold the text exactly (trailing spaces, control characters).
    # YAML counts C1 controls, bidi and zero-width characters as printable and would
    # write them raw: such text goes in double quotes, where `plan_yaml` escapes them.
    style = '"' if escape_invisible(value) != value else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _number(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _day(dumper: yaml.SafeDumper, value: dt.date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_PlanDumper.add_representer(str, _text)
_PlanDumper.add_representer(Decimal, _number)
_PlanDumper.add_representer(dt.date, _day)


def plan_data(model: Any) -> Any:
    """A plan model as plain data in field order, without None or empty lists: what the
    YAML shows (dates, amounts and enums keep their kind until they are written)."""
    if isinstance(model, BaseModel):
        data = {}
        for name, field in type(model).model_fields.items():
            value = plan_data(getattr(model, name))
            if value is None or value == [] or value == {}:
                continue  # the format's default for every such field
            if value is False and field.default is False:
                continue  # a flag left at its default (a workshop that is not background)
            if name == "visibility" and value == field.default:
                continue  # internal, as every item is until a coordinator publishes it
            data[name] = value
        return data
    if isinstance(model, list | tuple):
        return [plan_data(item) for item in model]
    if isinstance(model, dict):
        return {str(key): plan_data(value) for key, value in model.items()}
    if isinstance(model, enum.Enum):
        return model.value
    return model


def _printable(line: str) -> str:
    # YAML refuses control characters even in a comment.
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in line)


class PlanTextMismatch(TrackerError):
    """The written plan file would not read back as the plan it was written from (a bug)."""


def plan_yaml(plan: PlanFile, *, comments: Sequence[str] = ()) -> str:
    """``plan`` as YAML text, ``comments`` as ``#`` lines on top; checked by reading it back.

    Raises `PlanTextMismatch` if the text does not read back as ``plan``
    (nothing that should ever happen: it guards the file a user will seed).
    """
    body = yaml.dump(
        plan_data(plan),
        Dumper=_PlanDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
    body = escape_invisible(body)  # only double-quoted scalars hold them (see _text)
    header = "".join(f"# {_printable(line)}\n" if line else "#\n" for c in comments for line in c.splitlines() or [""])
    text = header + ("\n" if header else "") + body
    check_reads_back(text, plan)
    return text


def check_reads_back(text: str, plan: PlanFile, *, source: str = "<export>") -> None:
    """Read ``text`` as `tracker seed` would and insist on the very same plan."""
    from tracker.seeding import PlanProblems, load_text

    try:
        again = load_text(text, source=f"{source}.yaml").plan
    except PlanProblems as exc:
        raise PlanTextMismatch(
            f"the exported plan of {plan.framework.key!r} does not read back ({exc.problems[0]}); nothing was written."
        ) from None
    if again != plan:
        raise PlanTextMismatch(
            f"the exported plan of {plan.framework.key!r} reads back differently; nothing was written."
        )
